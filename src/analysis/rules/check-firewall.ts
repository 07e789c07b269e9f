// Cause: both masters advertise steadily, on time, and both reach this capture point, yet neither
// yields and neither answers the other: each drops the other's adverts. libpcap sees a packet before
// netfilter's INPUT chain drops it, so the adverts are on the capture all the same. Where another
// segment of the same nodes has one master, VRRP is received there: the seed's sentence, "VRRP
// adverts are accepted on eth1 but not on eth0 — check the firewall on eth0".

import type { VridState } from '../../model/model-types.js';
import { firewallAdviceFor } from '../advice.js';
import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { fmtTime, ifaceOf, maxDown, steadyIn, type RuleContext } from '../rule-context.js';
import { list } from './partition-pairs.js';
import { answers, howEnded, span, splits } from './split-episodes.js';

export const checkFirewall: Rule = {
  code: C.checkFirewall,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v) || ctx.causeFor(v, [C.advertLoss])) continue;
      const steady = splits(ctx, v).filter((e) => (e.end ?? ctx.t.now) - e.start >= 2n * maxDown(v, e) && e.routers.every((a) => steadyIn(v, e, a, ctx.t.now) && !answers(ctx, v, e, a)));
      if (steady.length === 0) continue;
      const last = steady[steady.length - 1]!;
      const open = last.end === undefined;
      const iface = ifaceOf(v.segment);
      const good = healthyElsewhere(ctx, v);
      const goodNames = [...new Set(good.map((o) => ifaceOf(o.segment)))];
      const masters = list(last.routers.map((a) => ctx.who(v, a)));
      const local = last.routers.map((a) => v.routers.get(a)).find((r) => r?.local);
      const peer = last.routers.find((a) => a !== local?.address);
      // On a node's own capture (--ssh, a bundle) "this host" is that node.
      const me = ctx.clocks.nodeOf(v.segment) ?? 'this host';
      const head = goodNames.length
        ? `VRRP adverts ${open ? 'are' : 'were'} accepted on ${goodNames.join(', ')} but not on ${iface} — check the firewall on ${iface}`
        : `adverts ${open ? 'reach' : 'reached'} ${iface} from every router, yet none of them ${open ? 'hears' : 'heard'} the others — check the firewall on ${iface}`;
      const detail = local && peer
        ? `: ${me} (${local.address}) receives ${ctx.who(v, peer)}'s adverts there but keeps advertising as master, so its firewall (netfilter INPUT) drops them, and ${peer} does not hear ${me} either`
        : `: ${masters} ${open ? 'both advertise' : 'both advertised'} as master on ${iface} and neither ${open ? 'yields' : 'yielded'}`;
      const when = open ? '' : ` (${span(last)}; it ${howEnded(ctx, v, last)})`;
      out.push(
        ctx.finding(
          C.checkFirewall,
          'cause',
          open ? S.critical : S.warning,
          v,
          `${head}${detail}${when}`,
          [
            ...steady.slice(-3).map((e) => `${span(e)}: ${e.routers.map((a) => `${ctx.who(v, a)} sent ${e.adverts[a] ?? 0} adverts on time`).join(', ')} — each keeps advertising as master, so neither receives the other's`),
            ...good.slice(0, 3).map((o) => `${ctx.where(o)} has one master (${ctx.who(o, o.master)}): VRRP is received there`),
            'libpcap sees packets before the host firewall (netfilter INPUT) drops them, so this capture can show adverts that keepalived never gets.',
            ...(open ? [] : [`nothing was dropped after ${fmtTime(last.end!)}: if a rule was removed then, that was the fix`]),
          ],
          [...firewallAdviceFor(v.segment), `Apply it on ${local ? `both nodes, ${me} first` : 'both nodes'}.`],
          steady[0]!.start,
          last.end ?? ctx.t.now,
        ),
      );
    }
    return out;
  },
};

/** Virtual routers on other interfaces with one master and no split brain. */
export function healthyElsewhere(ctx: RuleContext, v: VridState): VridState[] {
  const iface = ifaceOf(v.segment);
  return ctx.vrids.filter((o) => o !== v && ifaceOf(o.segment) !== iface && ctx.single(o) && o.routers.size > 0 && o.master !== undefined && splits(ctx, o).length === 0);
}
