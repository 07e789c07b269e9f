// Info: frames of the watched protocols that could not be decoded.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';

export const malformed: Rule = {
  code: C.malformed,
  kind: 'info',
  run(ctx) {
    const c = ctx.t.counters;
    if (c.malformed === 0) return [];
    const lines = [...c.malformedReasons.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} × ${r}`);
    return [ctx.finding(C.malformed, 'info', S.info, undefined, `${c.malformed} VRRP/ARP/NA frame(s) could not be decoded`, lines, ['Usually capture damage or a truncating snaplen; run with --packets to see them.'], ctx.t.first ?? 0n, ctx.t.now)];
  },
};
