// Flap frequency: master changes of a VRID in the last minute, 10 minutes, hour, and over the whole
// input, counted against the model clock (packet time), never the wall clock.

import type { VridState } from './model-types.js';

export type FlapFrequency = { readonly last1m: number; readonly last10m: number; readonly last1h: number; readonly total: number };

const MIN = 60_000_000_000n;

export function flapFrequency(v: VridState, now: bigint): FlapFrequency {
  let m1 = 0;
  let m10 = 0;
  let h1 = 0;
  for (let i = v.transitions.length - 1; i >= 0; i--) {
    const age = now - v.transitions[i]!.ts;
    if (age > 60n * MIN) break;
    h1++;
    if (age <= 10n * MIN) m10++;
    if (age <= MIN) m1++;
  }
  return { last1m: m1, last10m: m10, last1h: h1, total: v.changes };
}
