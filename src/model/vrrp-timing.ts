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

export function intervalNs(intervalCs: number): bigint {
  return BigInt(intervalCs) * NS_PER_CS;
}

export function masterDownNs(version: number, intervalCs: number, priority: number): bigint {
  return 3n * intervalNs(intervalCs) + skewNs(version, intervalCs, priority);
}

export function nsToSeconds(ns: bigint): number {
  return Number(ns) / 1e9;
}
