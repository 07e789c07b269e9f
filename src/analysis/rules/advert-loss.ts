// Cause: one router's adverts reach this capture point only in part — gaps of whole intervals, again
// and again, while other routers' adverts (or its own on another segment) arrive complete. That is
// loss on its link or the switch path from it: the delivery ratio names the culprit, and tells loss
// from a firewall (nothing arrives, or everything does), a stall (one long gap) or a crash (silence).

import type { RouterState, VridState } from '../../model/model-types.js';
import { pastableInterface } from '../advice.js';
import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, ifaceOf, pct, type RuleContext } from '../rule-context.js';
import { masterDownNs } from '../../model/vrrp-timing.js';

/** At least this many adverts implied before a ratio means anything. */
export const LOSS_MIN_EXPECTED = 10;
/** Share of implied adverts missing that makes loss. */
export const LOSS_SHARE = 0.1;
/** Short gaps (lost adverts within master-down) needed: loss is scattered, a stall is one gap. */
export const LOSS_MIN_GAPS = 3;
/** Another router counts as complete below this share lost. */
const COMPLETE_SHARE = 0.03;

export function lossOf(r: RouterState): number {
  const total = r.delivery.received + r.delivery.missing;
  return total > 0 ? r.delivery.missing / total : 0;
}

export function lossy(r: RouterState): boolean {
  const d = r.delivery;
  return d.received + d.missing >= LOSS_MIN_EXPECTED && lossOf(r) >= LOSS_SHARE && d.lossGaps - d.longGaps >= LOSS_MIN_GAPS;
}

export const advertLoss: Rule = {
  code: C.advertLoss,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      for (const r of v.routers.values()) {
        if (!lossy(r)) continue;
        const iface = ifaceOf(v.segment);
        const d = r.delivery;
        const total = d.received + d.missing;
        const complete = [...v.routers.values()].filter((o) => o !== r && o.delivery.received >= LOSS_MIN_EXPECTED / 2 && lossOf(o) < COMPLETE_SHARE);
        const elsewhere = otherSegments(ctx, v, r);
        const changes = v.transitions.filter((t) => t.reason !== 'preemption' && t.reason !== 'priority-zero-release').length;
        const msg = `${ctx.who(v, r.address)}'s adverts on ${iface} reach this capture point only in part: ${d.received} of ${total} (${pct(lossOf(r))} lost) — packet loss on ${r.address}'s ${iface} link or the switch path from it${elsewhere ? `; ${elsewhere}` : ''}`;
        ctx.explain(v, r.address, C.advertLoss);
        out.push(
          ctx.finding(
            C.advertLoss,
            'cause',
            changes > 0 && lossOf(r) >= 0.3 ? S.critical : S.warning,
            v,
            msg,
            [
              `${d.lossGaps} gap(s) of two or more intervals while it claimed mastership, ${d.missing} advert(s) missing`,
              ...complete.map((o) => `${ctx.who(v, o.address)}'s adverts on ${iface} arrive complete (${o.delivery.received} received)`),
              ...(changes > 0 ? [`${atLeast(changes, v.dropped.transitions)} change(s) of master followed: backups time out when three adverts in a row are lost`] : []),
            ],
            [
              `Check the link from ${r.address}: on that node  ip -s link show dev ${pastableInterface(v.segment) ?? '<interface>'}  (errors, dropped) and  ethtool -S ${pastableInterface(v.segment) ?? '<interface>'} ; then the switch port and cabling. A firewall rule does not fix loss.`,
            ],
            r.firstSeen,
            r.lastAdvert,
          ),
        );
      }
      out.push(...missesNowAndThen(ctx, v));
    }
    return out;
  },
};

/**
 * The other face of loss, seen from the master's side: a router that claims mastership for a moment
 * while the master's adverts arrive on time here, then hears them again and yields — again and
 * again. It misses some of the master's adverts: loss on the path towards it. A firewall would drop
 * them all (a lasting split brain or takeover), not now and then.
 */
function missesNowAndThen(ctx: RuleContext, v: VridState) {
  const out = [];
  const by = new Map<string, { times: bigint[]; brief: number }>();
  for (const o of v.onTimeTakeovers) {
    const r = v.routers.get(o.by);
    if (!r || ctx.explainedBy(v, o.by)) continue;
    const back = r.roles.find((x) => x.ts > o.ts && x.role !== 'master');
    const brief = back !== undefined && back.role === 'backup' && back.ts - o.ts <= 2n * downOfR(r);
    // A claim still open when the capture ended may be brief too: the capture cannot tell.
    const open = back === undefined && r.spellStart !== undefined && ctx.t.now - o.ts <= 2n * downOfR(r);
    if (!brief && !open) continue;
    const e = by.get(o.by) ?? { times: [], brief: 0 };
    e.times.push(o.ts);
    if (brief) e.brief++;
    by.set(o.by, e);
  }
  for (const [addr, { times, brief }] of by) {
    if (times.length < 2 || brief < 1) continue;
    const r = v.routers.get(addr)!;
    const master = v.onTimeTakeovers.find((o) => o.by === addr)!.from;
    const iface = ifaceOf(v.segment);
    ctx.explain(v, addr, C.advertLoss);
    out.push(
      ctx.finding(
        C.advertLoss,
        'cause',
        S.warning,
        v,
        `${ctx.who(v, addr)} keeps missing ${ctx.who(v, master)}'s adverts on ${iface}: it claimed mastership ${atLeast(times.length, v.dropped.onTimeTakeovers)} times while they arrived on time here, each time only for a moment before it heard them again and yielded — packet loss on the path to ${addr} (its ${iface} link or the switch), not a firewall (which would drop them all)`,
        [...times.slice(-6).map((t) => `${new Date(Number(t / 1_000_000n)).toISOString().slice(11, 23)}: ${addr} claimed mastership, then went back to backup`), ...(r.delivery.lossGaps > 0 ? [`its own adverts show ${r.delivery.lossGaps} gap(s) of whole intervals here too`] : [])],
        [`Check the link of ${addr}: on that node  ip -s link show dev ${pastableInterface(v.segment) ?? '<interface>'}  (errors, dropped), then the switch port; a firewall rule does not fix loss.`],
        times[0]!,
        times[times.length - 1]!,
      ),
    );
  }
  return out;
}

function downOfR(r: RouterState): bigint {
  return masterDownNs(r.version, r.intervalCs, r.priority || 1);
}

/** What the same node's adverts look like on other segments, when the wire can tell. */
function otherSegments(ctx: RuleContext, v: VridState, r: RouterState): string | undefined {
  for (const o of ctx.vrids) {
    if (o.segment === v.segment) continue;
    const same = ctx.sameNode(r, o, v);
    if (same && same.delivery.received >= LOSS_MIN_EXPECTED / 2 && lossOf(same) < COMPLETE_SHARE) return `its adverts on ${segmentName(ctx, v, o)} (${same.address}) are complete`;
  }
  const clean = ctx.vrids.filter((o) => o.segment !== v.segment && [...o.routers.values()].some((x) => x.delivery.received >= LOSS_MIN_EXPECTED / 2) && [...o.routers.values()].every((x) => lossOf(x) < COMPLETE_SHARE));
  return clean.length ? `on ${[...new Set(clean.map((o) => segmentName(ctx, v, o)))].join(', ')} no advert is lost` : undefined;
}

/**
 * Another segment as this finding names it: its interface on the same capture, the whole name
 * (`node2/eth0`) on another node's. Delivery ratios are counts over each capture: they compare
 * across nodes without any clock.
 */
function segmentName(ctx: RuleContext, v: VridState, o: VridState): string {
  return ctx.clocks.sameClock(v.segment, o.segment) ? ifaceOf(o.segment) : o.segment;
}
