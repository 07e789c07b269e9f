// Symptom: the master's adverts stopped for longer than master-down. The silence itself is the number
// (not the largest gap of any router); it names its cause — loss, a crash, a stall.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { plusMinus } from '../node-clocks.js';
import { atLeast, fmtTime, secs } from '../rule-context.js';

export const masterSilent: Rule = {
  code: C.masterSilent,
  kind: 'symptom',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      const ss = v.silences.filter((s) => s.wasMaster && ctx.explainedBy(v, s.router) === C.advertLoss);
      if (ss.length === 0) continue;
      const longest = ss.reduce((m, s) => ((s.gapNs ?? ctx.t.now - s.start) > m ? (s.gapNs ?? ctx.t.now - s.start) : m), 0n);
      // A silence still open is measured to the end of the input: the recording machine's clock, ± this node's.
      const toEnd = ss.some((s) => s.gapNs === undefined && ctx.t.now - s.start === longest) ? ctx.toEnd(v) : 0n;
      const cause = ctx.causeFor(v, [C.advertLoss]);
      out.push(
        ctx.finding(
          C.masterSilent,
          'symptom',
          S.warning,
          v,
          `${ctx.where(v)}: the master's adverts stopped ${atLeast(ss.length, v.dropped.silences)} time(s) for longer than the master-down interval (longest ${secs(longest)}${toEnd > 0n ? ` ${plusMinus(toEnd)}` : ''}, master-down ${secs(ss[0]!.downNs)})${cause ? ' — see advert-loss' : ''}`,
          ss.slice(-6).map((s) => `${fmtTime(s.start)}: ${ctx.who(v, s.router)} silent ${s.gapNs !== undefined ? `for ${secs(s.gapNs)}` : 'and did not come back'}${s.takenOverBy ? `; ${s.takenOverBy} took over` : ''}`),
          cause ? [`The cause: ${cause.message}`] : ['Backups take over after master-down: look for packet loss on the link, CPU starvation of keepalived, or a stopped daemon.'],
          ss[0]!.start,
          ss[ss.length - 1]!.end ?? ctx.t.now,
          cause?.code,
        ),
      );
    }
    return out;
  },
};

