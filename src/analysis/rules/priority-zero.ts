// Info: a master resigned with priority 0 (RFC 5798 §6.4.3: keepalived on SIGTERM) — a planned
// failover, never a warning on its own.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, fmtTime } from '../rule-context.js';

export const priorityZero: Rule = {
  code: C.priorityZero,
  kind: 'info',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      const released = v.history.filter((h) => h.master === undefined && h.reason === 'priority-zero-release');
      if (released.length === 0) continue;
      out.push(ctx.finding(C.priorityZero, 'info', S.info, v, `${ctx.where(v)}: the master resigned with priority 0 ${atLeast(released.length, v.dropped.history)} time(s) (a clean stop: a planned failover)`, released.slice(-5).map((h) => fmtTime(h.start)), [], released[0]!.start, released[released.length - 1]!.start));
    }
    return out;
  },
};
