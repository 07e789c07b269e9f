// Times for machines (ISO 8601 UTC with microseconds) and durations for people, one formatter for
// the report, the dashboard and --packets: sub-second in milliseconds (a 50 ms interval is "50ms",
// never "0.1s"), seconds above.

export function isoTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const micros = String((((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n) / 1000n).padStart(6, '0');
  return `${d.toISOString().slice(0, 19)}.${micros}Z`;
}

/** A duration in seconds: "50ms" below one second, else "3.6s" (`digits` decimals). */
export function durationText(s: number, digits = 1): string {
  const ms = Math.round(s * 1000);
  if (Math.abs(s) < 1 && Math.abs(ms) < 1000) return `${ms}ms`;
  return `${s.toFixed(digits)}s`;
}

export function seconds(ns: bigint, digits = 1): string {
  return durationText(Number(ns) / 1e9, digits);
}

/** An advert interval in centiseconds: "1s", "1.5s", "50ms". */
export function intervalText(cs: number): string {
  if (cs < 100) return `${cs * 10}ms`;
  return cs % 100 === 0 ? `${cs / 100}s` : `${String(Math.round(cs) / 100)}s`;
}

/** A compact age for narrow columns: "3.6s", "50ms", "12m", "3h". */
export function ageText(s: number): string {
  if (s < 100) return durationText(s);
  if (s < 6000) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
