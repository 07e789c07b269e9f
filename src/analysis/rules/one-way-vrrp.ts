// Cause: a router took over (or claimed) while the master's adverts kept arriving on time, and the
// master then yielded to it or kept answering it ("forcing new election"): the master hears the
// newcomer, the newcomer does not hear the master. VRRP works one way only — a firewall on the
// newcomer's interface (or a filter on the path towards it). Its outcome may leave one cluster's
// virtual IPs on different nodes when another segment keeps its master.

import { firewallAdviceFor } from '../advice.js';
import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, fmtTime, ifaceOf, maxDown, secs, type RuleContext } from '../rule-context.js';
import type { OnTimeTakeover, VridState } from '../../model/model-types.js';
import { answers, splits } from './split-episodes.js';

type Case = { o: OnTimeTakeover; how: 'yielded' | 'answers' | 'repeated'; why: string; lasting: boolean };

export const oneWayVrrp: Rule = {
  code: C.oneWayVrrp,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      const byRouter = new Map<string, Case[]>();
      const tries = new Map<string, OnTimeTakeover[]>();
      for (const o of v.onTimeTakeovers) {
        // Loss explains a takeover while the master advertised (advert-loss runs first).
        if (ctx.explainedBy(v, o.by) || ctx.explainedBy(v, o.from)) continue;
        tries.set(o.by, [...(tries.get(o.by) ?? []), o]);
        const c = classify(ctx, v, o);
        if (!c) continue;
        const list = byRouter.get(o.by) ?? [];
        list.push(c);
        byRouter.set(o.by, list);
      }
      // Claims again and again while the master's adverts arrive on time, whatever came of them.
      for (const [by, os] of tries) if (!byRouter.has(by) && os.length >= 2) byRouter.set(by, os.map((o) => ({ o, how: 'repeated' as const, why: '', lasting: false })));
      for (const [deaf, cases] of byRouter) {
        const c = cases[cases.length - 1]!;
        const iface = ifaceOf(v.segment);
        const heard = c.o.from;
        const repeated = cases.length >= 2;
        const outcome =
          c.how === 'yielded'
            ? `${ctx.who(v, heard)} yielded because it hears ${deaf} (${c.why})`
            : c.how === 'answers'
              ? `${ctx.who(v, heard)} keeps advertising and answers each of ${deaf}'s adverts (forcing a new election), so it hears ${deaf}`
              : `it did so ${atLeast(cases.length, v.dropped.onTimeTakeovers)} times, by advert or gratuitous ARP, while ${heard} stayed master`;
        const took = c.how === 'repeated' || v.master !== deaf ? 'claimed mastership of' : 'took over';
        const elsewhere = clusterSplit(ctx, v, deaf, heard);
        const msg = `${ctx.who(v, deaf)} ${took} ${ctx.where(v)} while ${ctx.who(v, heard)}'s adverts kept arriving; ${outcome} — ${deaf} does not receive ${heard}'s adverts: check the firewall on ${iface} of ${deaf}${elsewhere ? `. ${elsewhere}` : ''}`;
        const alt = !repeated && !c.lasting ? [`If ${deaf} had just been started with state MASTER, this is what that does; a deaf ${deaf} logs "Receive advertisement timeout" before "Entering MASTER STATE" — its keepalived log tells the two apart.`] : [];
        out.push(
          ctx.finding(
            C.oneWayVrrp,
            'cause',
            repeated || c.lasting ? S.critical : S.warning,
            v,
            msg,
            [...cases.slice(-5).map((x) => `${fmtTime(x.o.ts)}: ${ctx.who(v, deaf)} claimed mastership; ${ctx.who(v, heard)}'s last advert was ${secs(x.o.ageNs)} earlier (interval ${secs(x.o.intervalNs)})`), ...alt],
            [...firewallAdviceFor(v.segment), `Apply it on ${deaf}: it is the node that does not receive ${heard}'s adverts.`],
            cases[0]!.o.ts,
            c.o.ts,
          ),
        );
      }
    }
    return out;
  },
};

function classify(ctx: RuleContext, v: VridState, o: OnTimeTakeover): Case | undefined {
  const e = splits(ctx, v).find((x) => x.routers.includes(o.by) && x.routers.includes(o.from) && x.start <= o.ts + 1_000_000_000n && (x.end ?? ctx.t.now) >= o.ts);
  const old = v.routers.get(o.from);
  const neu = v.routers.get(o.by);
  if (!old || !neu) return undefined;
  if (e) {
    if (answers(ctx, v, e, o.from)) return { o, how: 'answers', why: '', lasting: e.end === undefined };
    // The old master yielded soon after the takeover; one that yields only at the end of a long
    // steady split brain heard nothing for all that time (check-firewall), and then the fix.
    if (e.outcome?.kind === 'yield' && e.outcome.loser === o.from && (e.end ?? ctx.t.now) - e.start <= 3n * maxDown(v, e)) return { o, how: 'yielded', why: e.outcome.why, lasting: false };
    return undefined;
  }
  // No lasting overlap: the old master stopped right after the newcomer's claim. It yielded if the
  // newcomer is better by RFC order (a deaf newcomer that wins), else it simply fell silent.
  const yielded = old.roles.some((x) => x.role === 'backup' && x.ts >= o.ts - 2n * o.intervalNs);
  if (!yielded) return undefined;
  const why = neu.priority > old.priority ? `priority ${old.priority} < ${neu.priority}` : neu.priority === old.priority ? `equal priority ${old.priority}, ${neu.address} has the higher address` : '';
  return why ? { o, how: 'yielded', why, lasting: false } : undefined;
}

/** "The cluster's virtual IPs are now on two nodes: …" when another segment kept the old master's node. */
function clusterSplit(ctx: RuleContext, v: VridState, deaf: string, heard: string): string | undefined {
  if (v.master !== deaf) return undefined;
  const old = v.routers.get(heard)!;
  for (const o of ctx.vrids) {
    if (o.segment === v.segment || o.master === undefined || !ctx.single(o)) continue;
    const same = ctx.sameNode(old, o, v);
    if (same && o.master === same.address) return `The cluster's virtual IPs are now on two nodes: ${ctx.where(v)} on ${deaf}, ${ctx.where(o)} still on ${ctx.who(o, same.address)}`;
  }
  return undefined;
}
