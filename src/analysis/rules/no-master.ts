// Symptom: nobody advertised for longer than master-down — the virtual IPs had no master. Present
// tense while it lasts, past tense once somebody took over; it names the cause.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { plusMinus } from '../node-clocks.js';
import { fmtSpan, fmtTime, secs } from '../rule-context.js';

export const noMaster: Rule = {
  code: C.noMaster,
  kind: 'symptom',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      for (const nm of v.noMaster) {
        const open = nm.end === undefined;
        const dur = (nm.end ?? ctx.t.now) - nm.start;
        // Until the end of the input: measured against the recording machine's clock, ± this node's.
        const pm = open ? ctx.toEnd(v) : 0n;
        if (dur < nm.downNs + pm) continue;
        const cause = ctx.causeFor(v, [C.masterGone, C.masterStalled, C.advertLoss, C.advertsDroppedOnHost]);
        const released = v.history.some((h) => h.master === undefined && h.reason === 'priority-zero-release' && h.start <= nm.start && (h.end ?? ctx.t.now) >= nm.start);
        const next = v.history.find((h) => h.start >= (nm.end ?? ctx.t.now) && h.master !== undefined);
        out.push(
          ctx.finding(
            C.noMaster,
            'symptom',
            open ? S.critical : S.warning,
            v,
            open
              ? `${ctx.where(v)}: no router has advertised for ${secs(dur)}${pm > 0n ? ` ${plusMinus(pm)}` : ''} (since ${fmtTime(nm.start)}, until the end of the capture) — the virtual IPs have no master${released ? `: ${nm.router} resigned with priority 0 and no backup took over` : ''}${cause ? ` — see ${cause.code}` : ''}`
              : `${ctx.where(v)}: no router advertised for ${secs(dur)} (${fmtSpan(nm.start, nm.end)}), then ${next?.master ? ctx.who(v, next.master) : 'a router'} took over${cause ? ` — see ${cause.code}` : ''}`,
            [`last master ${ctx.who(v, nm.router)}, last advert at ${fmtTime(released ? nm.start : nm.start - nm.downNs)}`],
            cause ? [`The cause: ${cause.message}`] : ['Check that keepalived runs on the nodes (systemctl status keepalived) and that no instance is in FAULT (a tracked interface or script down).'],
            nm.start,
            nm.end ?? ctx.t.now,
            cause?.code,
          ),
        );
      }
    }
    return out;
  },
};
