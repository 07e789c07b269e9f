// RFC timers, in nanoseconds of packet time.
//
// RFC 3768 §6.1 (v2, seconds):       Skew_Time = (256 - Priority) / 256
//                                    Master_Down_Interval = 3 * Advertisement_Interval + Skew_Time
// RFC 5798 §6.1 (v3, centiseconds):  Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256
//                                    Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time
// The backup's own priority sets the skew; from the wire we only know the advertiser's, so the
// smallest skew (priority 255 → nearly zero) is not assumed: the master's priority is used, and
// every threshold that raises an alarm adds a tolerance on top.

const NS_PER_CS = 10_000_000n;
const NS_PER_S = 1_000_000_000n;

export function skewNs(version: number, intervalCs: number, priority: number): bigint {
  const p = BigInt(256 - Math.min(Math.max(priority, 1), 255));
  if (version === 3) return (p * BigInt(intervalCs) * NS_PER_CS) / 256n;
  return (p * NS_PER_S) / 256n;
}

// Both are asked for on every advert with the same few arguments: computed once per argument set
// (bigint arithmetic allocates), the caches bounded by the fields' ranges (12-bit interval, 8-bit priority).
const intervals = new Map<number, bigint>();
const downs = new Map<number, bigint>();

export function intervalNs(intervalCs: number): bigint {
  let v = intervals.get(intervalCs);
  if (v === undefined) {
    v = BigInt(intervalCs) * NS_PER_CS;
    if (intervals.size < 65_536) intervals.set(intervalCs, v);
  }
  return v;
}

export function masterDownNs(version: number, intervalCs: number, priority: number): bigint {
  const k = ((version & 0xff) * 1_048_576 + intervalCs) * 256 + (priority & 0xff);
  let v = Number.isSafeInteger(k) && priority === (priority & 0xff) ? downs.get(k) : undefined;
  if (v === undefined) {
    v = 3n * BigInt(intervalCs) * NS_PER_CS + skewNs(version, intervalCs, priority);
    if (downs.size < 65_536 && Number.isSafeInteger(k) && priority === (priority & 0xff)) downs.set(k, v);
  }
  return v;
}

export function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}
