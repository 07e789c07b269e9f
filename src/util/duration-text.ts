// Durations for people, the one formatter every view and every finding uses: sub-second in
// milliseconds (a 50 ms interval is "50ms", never "0.1s"), seconds above. A util, so the model and
// the analysis can word their evidence the way the views show numbers.

/** A duration in seconds: "50ms" below one second, else "3.6s" (`digits` decimals). */
export function durationText(s: number, digits = 1): string {
  const ms = Math.round(s * 1000);
  if (Math.abs(s) < 1 && Math.abs(ms) < 1000) return `${ms}ms`;
  return `${s.toFixed(digits)}s`;
}
