// Cause: the master's adverts arrive late — not lost (gaps that are not whole intervals), but close
// to the master-down interval, so a backup is about to time out and take over. A busy host, a
// starved keepalived or a congested link; harmless only until one gap passes master-down.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { secs } from '../rule-context.js';
import { lossy } from './advert-loss.js';

/** A gap this close to master-down is a near miss. */
export const NEAR_MISS = 0.8;
/** Late adverts (past 1.5 intervals but within master-down) that are worth a note. */
export const LATE_NOTE = 3;

export const advertsLate: Rule = {
  code: C.advertsLate,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      if ([...v.routers.values()].some(lossy)) continue;
      const near = v.gapList.select((gap, down, iv) => gap <= down && gap >= down * NEAR_MISS && !wholeIntervals(gap, iv));
      if (near.length >= 2) {
        const worst = near.reduce((m, g) => (g.gapNs > m.gapNs ? g : m));
        out.push(
          ctx.finding(
            C.advertsLate,
            'cause',
            S.warning,
            v,
            `${ctx.where(v)}: ${ctx.who(v, worst.router)}'s adverts arrive late, up to ${secs(worst.gapNs)} apart against a master-down interval of ${secs(worst.downNs)} — a backup will time out and take over`,
            near.slice(-5).map((g) => `gap of ${secs(g.gapNs)} (interval ${secs(g.intervalNs)})`),
            [`Look at the load of ${worst.router} (keepalived starved of CPU, I/O stalls) and at the link; a larger advert_int on every node widens the margin.`],
            near[0]!.ts,
            near[near.length - 1]!.ts,
          ),
        );
      } else if (v.lateGaps >= LATE_NOTE) {
        out.push(ctx.finding(C.advertsLate, 'info', S.info, v, `${ctx.where(v)}: ${v.lateGaps} adverts came late (more than 1.5 intervals apart, still within master-down)`, [`largest gap ${secs(v.maxGapNs)}`], ['Jitter or a busy host; harmless until a gap exceeds master-down.'], v.firstSeen, v.lastSeen));
      }
    }
    return out;
  },
};

/** A gap of (nearly) a whole number of intervals: adverts lost, not late. */
function wholeIntervals(gap: number, iv: number): boolean {
  if (iv <= 0) return false;
  const r = gap / iv;
  return Math.abs(r - Math.round(r)) < 0.15 && Math.round(r) >= 2;
}
