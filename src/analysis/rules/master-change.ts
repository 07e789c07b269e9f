// Info: every change of master, with its reason and evidence; the current master.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { fmtTime } from '../rule-context.js';

export const masterChange: Rule = {
  code: C.masterChange,
  kind: 'info',
  run(ctx) {
    return ctx.vrids
      .filter((v) => v.changes > 0)
      .map((v) =>
        ctx.finding(
          C.masterChange,
          'info',
          S.info,
          v,
          `${ctx.where(v)}: ${v.changes} change(s) of master; now ${ctx.who(v, v.master)}`,
          v.transitions.slice(-10).map((x) => `${fmtTime(x.ts)}: ${ctx.who(v, x.from)} → ${ctx.who(v, x.to)} (${x.reason}${x.evidence ? `: ${x.evidence}` : ''})`),
          [],
          v.transitions[0]!.ts,
          v.transitions[v.transitions.length - 1]!.ts,
        ),
      );
  },
};
