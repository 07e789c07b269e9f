// Times for machines (ISO 8601 UTC with microseconds) and for people.

export function isoTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const micros = String((((ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n) / 1000n).padStart(6, '0');
  return `${d.toISOString().slice(0, 19)}.${micros}Z`;
}

export function seconds(ns: bigint, digits = 1): string {
  return `${(Number(ns) / 1e9).toFixed(digits)}s`;
}
