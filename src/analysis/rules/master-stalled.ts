// Cause: a master stopped advertising for longer than master-down without resigning and then came
// back — a stalled keepalived (SIGSTOP, a frozen VM, CPU or I/O starvation) that resumed, or a quick
// restart. Meanwhile a backup took over; on its return the two were briefly both master until one
// yielded. The wire cannot tell a stall from a restart; keepalived's log can.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { fmtTime, maxInWindow, MIN, secs } from '../rule-context.js';
import { CRASH_LOOP, unexplainedSilences } from './master-gone.js';
import { howEnded, splits } from './split-episodes.js';

export const masterStalled: Rule = {
  code: C.masterStalled,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      const ss = unexplainedSilences(ctx, v);
      if (ss.length === 0 || maxInWindow(ss.map((s) => s.start), 10n * MIN) >= CRASH_LOOP) continue;
      const back = ss.filter((s) => s.end !== undefined);
      if (back.length === 0 || ss[ss.length - 1]!.end === undefined) continue;
      const s = back[back.length - 1]!;
      const after = splits(ctx, v).find((e) => e.start >= s.end! - 1_000_000_000n && e.routers.includes(s.router));
      const meanwhile = s.takenOverBy ? `; ${ctx.who(v, s.takenOverBy)} had taken over meanwhile` : '';
      const then = after ? `; then both were master until the split brain ${howEnded(ctx, v, after).replace(/^ended at \S+ /, 'ended ')}` : '';
      out.push(
        ctx.finding(
          C.masterStalled,
          'cause',
          S.warning,
          v,
          `${ctx.who(v, s.router)} stopped advertising on ${ctx.where(v)} for ${secs(s.gapNs ?? 0n)} (master-down ${secs(s.downNs)}) without resigning, then resumed as master — a stalled keepalived (SIGSTOP, a frozen VM, CPU starvation) or a quick restart${meanwhile}${then}`,
          back.slice(-5).map((x) => `${fmtTime(x.start)}–${fmtTime(x.end!)}: ${ctx.who(v, x.router)} silent for ${secs(x.gapNs ?? 0n)}${x.takenOverBy ? `, ${x.takenOverBy} took over` : ''}${x.garpOnReturn ? '; it sent gratuitous ARP on return' : ''}`),
          [
            `keepalived's log on ${s.router} tells them apart: a restart logs its start-up ("Starting VRRP child process"), a stall leaves a gap with no lines; then look at the node's load and the VM host at ${fmtTime(s.start)}.`,
          ],
          s.start,
          s.end!,
        ),
      );
    }
    return out;
  },
};
