// Times and lengths as the page and the ticket write them (UTC, milliseconds; seconds, minutes, hours).

import { formatTime } from '../packet-line.js';

export const time = (ns: bigint): string => formatTime(ns).slice(0, 23);
export const clock = (ns: bigint): string => formatTime(ns).slice(11, 23);

export function dur(ns: bigint): string {
  const s = Number(ns) / 1e9;
  return s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`;
}
