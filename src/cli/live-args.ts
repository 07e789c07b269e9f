// Live-capture options (-i, -w, --duration, -Z, -B), checked here so args.ts stays small.

import { inert } from '../util/inert.js';

/** The longest --duration: 24 days, as far as a timer reaches. */
const MAX_DURATION_MS = 24 * 86_400_000;

export type LiveArgs = {
  /** Interface names; empty = every interface that is up (as is `-i any`). */
  readonly interfaces: readonly string[];
  /** -w FILE: record what is captured to pcapng. */
  readonly write: string | undefined;
  /** --overwrite: -w may replace an existing regular file. */
  readonly overwrite: boolean;
  /** --duration: stop after this many milliseconds (report / json / packets). */
  readonly durationMs: number | undefined;
  /** -Z USER: drop root after the capture handles are open. */
  readonly user: string | undefined;
  /** -B KiB: kernel buffer per interface. */
  readonly bufferBytes: number | undefined;
};

/** `60s`, `90` (seconds), `2m`, `1h`, `500ms` → milliseconds; undefined when it is not a duration. */
export function parseDuration(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function parseLiveArgs(
  v: { interface?: string[]; write?: string; duration?: string; user?: string; 'buffer-size'?: string; overwrite?: boolean },
  fail: (message: string) => never,
): LiveArgs {
  let durationMs: number | undefined;
  if (v.duration !== undefined) {
    durationMs = parseDuration(v.duration);
    if (durationMs === undefined) fail(`--duration wants a time such as 60s, 90, 2m or 1h, not '${inert(v.duration.slice(0, 40))}'`);
    // setTimeout takes at most 2^31-1 ms; beyond it Node fires at once.
    if (durationMs > MAX_DURATION_MS) fail(`--duration is at most ${MAX_DURATION_MS / 86_400_000} days (${MAX_DURATION_MS / 3_600_000}h); without --duration the capture runs until Ctrl-C`);
  }
  let bufferBytes: number | undefined;
  if (v['buffer-size'] !== undefined) {
    const kib = Number(v['buffer-size']);
    if (!Number.isInteger(kib) || kib < 64 || kib > 4 * 1024 * 1024) fail(`-B wants a buffer size in KiB (64 … 4194304), not '${v['buffer-size']}'`);
    bufferBytes = kib * 1024;
  }
  const names = v.interface ?? [];
  for (const n of names) if (n === '' || n.includes('/') || n.length > 15) fail(`'${n}' is not an interface name`);
  // `-i any` means every interface, each on its own handle, so packets keep their interface name.
  const interfaces = names.includes('any') ? [] : [...new Set(names)];
  if (v.overwrite && v.write === undefined) fail('--overwrite goes with -w FILE');
  return { interfaces, write: v.write, overwrite: v.overwrite ?? false, durationMs, user: v.user, bufferBytes };
}
