// Symptom: mastership goes back and forth (A→B→A) — a newcomer that preempts once, a priority-0
// failover and its failback are not flaps: a return to an earlier master counts only when one of
// the two changes of the cycle was unplanned. Thresholds per sliding window; it names the cause.

import { flapBursts, flapTimes } from '../../model/flap-bursts.js';

export { flapTimes };
import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, fmtTime, maxInWindow, MIN } from '../rule-context.js';

export const FLAP_WARN_PER_10MIN = 3;
export const FLAP_CRIT_PER_MIN = 3;

export const flapping: Rule = {
  code: C.flapping,
  kind: 'symptom',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      const changes = flapTimes(v);
      const per10 = maxInWindow(changes, 10n * MIN);
      if (per10 < FLAP_WARN_PER_10MIN) continue;
      const per1 = maxInWindow(changes, MIN);
      const cause = ctx.causeFor(v, [C.advertLoss, C.oneWayVrrp, C.checkFirewall, C.advertsDroppedOnHost, C.masterStalled, C.masterGone, C.priorityOscillation, C.advertsLate]);
      out.push(
        ctx.finding(
          C.flapping,
          'symptom',
          per1 >= FLAP_CRIT_PER_MIN ? S.critical : S.warning,
          v,
          `${ctx.where(v)}: mastership went back and forth ${atLeast(changes.length, v.dropped.transitions)} times (${v.dropped.transitions > 0 ? 'of those kept, ' : ''}up to ${per10} in 10 min, ${per1} in 1 min)${cause ? ` — see ${cause.code}` : ''}`,
          [...flapBursts(v).slice(-3).map((b) => `${fmtTime(b.start)}–${fmtTime(b.end)}: ${b.flaps} returns between ${b.routers.join(', ')}; then ${b.master ?? 'nobody'} was master`), ...v.transitions.slice(-8).map((x) => `${fmtTime(x.ts)}: ${ctx.who(v, x.from)} → ${ctx.who(v, x.to)} (${x.reason}${x.evidence ? `: ${x.evidence}` : ''})`)],
          cause ? [`The cause: ${cause.message}`] : ['Flapping is the symptom: look for lost adverts, a firewall or a mismatch in the other findings.', 'nopreempt (with state BACKUP on all nodes) stops a recovered node from taking the VIPs back each time.'],
          changes[0]!,
          changes[changes.length - 1]!,
          cause?.code,
        ),
      );
    }
    return out;
  },
};
