// Times for machines (ISO 8601 UTC with microseconds) and for people. Never throws: a time outside
// what a Date can hold is said in seconds; years past 9999 or before 1970 get ISO 8601's expanded
// form (+010000-…, -000001-…), and times before 1970 round down like any other (floor division).

/** ns → [whole ms (floor), the ns within that second]. */
function split(ns: bigint): { ms: number; nsInSec: bigint } {
  let ms = ns / 1_000_000n;
  if (ns < 0n && ms * 1_000_000n !== ns) ms -= 1n;
  return { ms: Number(ms), nsInSec: ((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n };
}

/** The last second formatted: packets come in bursts within a second, and toISOString is most of the cost. */
let cachedSec = Number.NaN;
let cachedDate = '';
let cachedTime = '';

/** `YYYY-MM-DD` (or an expanded year), `HH:MM:SS` and the microseconds, or undefined when out of range. */
export function dateParts(ns: bigint): { date: string; time: string; micros: string } | undefined {
  const { ms, nsInSec } = split(ns);
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSec) {
    const d = new Date(sec * 1000);
    if (Number.isNaN(d.getTime())) return undefined;
    const iso = d.toISOString(); // 2014-03-05T21:55:06.000Z, +010000-01-01T00:00:00.000Z
    const t = iso.indexOf('T', 10);
    cachedSec = sec;
    cachedDate = iso.slice(0, t);
    cachedTime = iso.slice(t + 1, t + 9);
  }
  return { date: cachedDate, time: cachedTime, micros: String(nsInSec / 1000n).padStart(6, '0') };
}

export function isoTime(ns: bigint): string {
  const p = dateParts(ns);
  return p ? `${p.date}T${p.time}.${p.micros}Z` : `${ns / 1_000_000_000n}s`;
}

export function seconds(ns: bigint, digits = 1): string {
  return `${(Number(ns) / 1e9).toFixed(digits)}s`;
}

/** The latest time `--keepalived-json FILE@TIME` and friends accept (the end of year 9999). */
const MAX_EPOCH_S = 253_402_300_799;

/**
 * A time the user typed: epoch seconds (with a fraction) or an ISO 8601 date-time → ns; 'range'
 * when it is a time but not one between 1970 and 9999; undefined when it is not a time at all.
 */
export function parseTimeArg(t: string): bigint | 'range' | undefined {
  if (/^\d+(\.\d+)?$/.test(t)) {
    const [whole, frac = ''] = t.split('.');
    const w = whole!.replace(/^0+(?=\d)/, '');
    if (w.length > 12 || Number(w) > MAX_EPOCH_S) return 'range';
    return BigInt(w) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  }
  if (t.length > 64) return undefined;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) return undefined;
  if (ms < 0 || ms > MAX_EPOCH_S * 1000) return 'range';
  return BigInt(ms) * 1_000_000n;
}
