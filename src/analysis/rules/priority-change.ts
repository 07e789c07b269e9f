// Info: a router changed its advertised priority (track_script / track_interface / track_file
// weights). Repeated swings are priority-oscillation instead.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, fmtTime } from '../rule-context.js';

export const priorityChange: Rule = {
  code: C.priorityChange,
  kind: 'info',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids)
      for (const r of v.routers.values()) {
        const pc = r.priorityChanges;
        if (pc.length === 0 || ctx.found.some((f) => f.code === C.priorityOscillation && f.key === v.key && f.message.startsWith(ctx.who(v, r.address)))) continue;
        out.push(ctx.finding(C.priorityChange, 'info', S.info, v, `${ctx.where(v)}: ${ctx.who(v, r.address)} changed its priority ${atLeast(pc.length, r.priorityChangesDropped)} time(s), now ${r.priority}`, pc.slice(-6).map((c) => `${fmtTime(c.ts)}: ${c.from} → ${c.to}`), ['Priority changes come from track_script / track_interface / track_file weights.'], pc[0]!.ts, pc[pc.length - 1]!.ts));
      }
    return out;
  },
};
