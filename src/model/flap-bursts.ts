// Flap bursts: stretches in which mastership went back and forth — derived from a virtual router's
// transitions on demand, so the reducer keeps nothing extra. A return to an earlier master (A→B→A)
// counts only when one of the two changes of its cycle was unplanned: a priority-0 failover and its
// failback, or preemptions from priority changes, are not flaps.

import { PLANNED_REASONS, type VridState } from './model-types.js';

export type FlapBurst = {
  readonly start: bigint;
  readonly end: bigint;
  /** Returns to an earlier master within the burst. */
  readonly flaps: number;
  readonly routers: readonly string[];
  /** The master when the burst ended (the outcome). */
  readonly master: string | undefined;
};

/** Flaps closer than this belong to one burst. */
export const BURST_GAP_NS = 10n * 60_000_000_000n;

/** Times of unplanned master changes that returned mastership to an earlier master. */
export function flapTimes(v: VridState): bigint[] {
  const seen = new Set<string>();
  const first = v.history[0]?.master;
  if (first !== undefined) seen.add(first);
  const out: bigint[] = [];
  let prevPlanned = true;
  for (const t of v.transitions) {
    if (t.to === undefined) continue;
    const planned = PLANNED_REASONS.has(t.reason);
    if (seen.has(t.to) && !(planned && prevPlanned)) out.push(t.ts);
    seen.add(t.to);
    prevPlanned = planned;
  }
  return out;
}

export function flapBursts(v: VridState, minFlaps = 2): FlapBurst[] {
  const times = flapTimes(v);
  const out: FlapBurst[] = [];
  let i = 0;
  while (i < times.length) {
    let j = i;
    while (j + 1 < times.length && times[j + 1]! - times[j]! <= BURST_GAP_NS) j++;
    if (j - i + 1 >= minFlaps) {
      const start = times[i]!;
      const end = times[j]!;
      const inside = v.transitions.filter((t) => t.ts >= start && t.ts <= end);
      const after = v.history.find((h) => h.start <= end && (h.end === undefined || h.end > end));
      out.push({ start, end, flaps: j - i + 1, routers: [...new Set(inside.flatMap((t) => [t.from, t.to]).filter((a): a is string => a !== undefined))], master: after?.master });
    }
    i = j + 1;
  }
  return out;
}
