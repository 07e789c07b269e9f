// Symptom: two or more routers advertise as master at once for longer than a hand-over (RFC 5798
// §6.4.3: a master that hears a better master's advert yields at once). Told in the present while it
// lasts, in the past once it ended (who yielded, who won); it names the cause found for it.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { plusMinus } from '../node-clocks.js';
import { atLeast, secs } from '../rule-context.js';
import { list } from './partition-pairs.js';
import { howEnded, span, splits } from './split-episodes.js';

export const SPLIT_CAUSES = [C.advertsDroppedOnHost, C.checkFirewall, C.oneWayVrrp, C.advertLoss, C.masterStalled, C.masterGone] as const;

export const splitBrain: Rule = {
  code: C.splitBrain,
  kind: 'symptom',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      const ss = splits(ctx, v);
      if (ss.length === 0) continue;
      const last = ss[ss.length - 1]!;
      const open = last.end === undefined;
      const total = ss.reduce((acc, e) => acc + ((e.end ?? ctx.t.now) - e.start), 0n);
      const who = list([...new Set(ss.flatMap((e) => e.routers))].map((a) => ctx.who(v, a)));
      const cause = ctx.causeFor(v, SPLIT_CAUSES);
      const because = cause ? ` — see ${cause.code}` : '';
      const message = open
        ? `${ctx.where(v)}: ${list(last.routers.map((a) => ctx.who(v, a)))} both advertise as master (split brain since ${span(last).split('–')[0]}, ${secs(ctx.t.now - last.start)}${ctx.toEnd(v) > 0n ? ` ${plusMinus(ctx.toEnd(v))}` : ''} so far)${because}`
        : `${ctx.where(v)}: split brain between ${who}, ${ss.length === 1 && v.dropped.splitBrains === 0 ? span(last) : `${atLeast(ss.length, v.dropped.splitBrains)} times, ${v.dropped.splitBrains > 0 ? 'at least ' : ''}${secs(total)} in all`}; the last ${howEnded(ctx, v, last)}${because}`;
      out.push(
        ctx.finding(
          C.splitBrain,
          'symptom',
          open ? S.critical : S.warning,
          v,
          message,
          ss.slice(-5).map((e) => `${span(e)}: ${e.routers.map((a) => `${ctx.who(v, a)} prio ${v.routers.get(a)?.priority} sent ${e.adverts[a] ?? 0} adverts`).join('; ')} — ${howEnded(ctx, v, e)}`),
          cause ? [`The cause: ${cause.message}`] : ['Each master does not receive the other\'s adverts: look at the firewall on both nodes (iptables -S INPUT, nft list ruleset) and at multicast delivery between them.'],
          ss[0]!.start,
          last.end ?? ctx.t.now,
          cause?.code,
        ),
      );
    }
    return out;
  },
};
