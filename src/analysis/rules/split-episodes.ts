// Split-brain episodes of a virtual router as findings read them: which were real (longer than a
// hand-over, both advertising), how each ended, and whether a router answered the other's adverts
// (a master that hears a lower-priority advert answers at once — "forcing new election" — so its
// advert rate rises above its interval: it hears the other side).

import type { Episode, VridState } from '../../model/model-types.js';
import { intervalNs } from '../../model/vrrp-timing.js';
import { fmtSpan, fmtTime, isSplit, secs, type RuleContext } from '../rule-context.js';

export function splits(ctx: RuleContext, v: VridState): Episode[] {
  return v.splitBrains.filter((e) => isSplit(v, e, ctx.t.now));
}

/** A router's adverts in the episode against what its interval implies (1 = on time; above 1.3 it answers someone). */
export function advertRate(ctx: RuleContext, v: VridState, e: Episode, addr: string): number {
  const r = v.routers.get(addr);
  if (!r) return 0;
  const iv = intervalNs(r.intervalCs);
  const dur = (e.end ?? ctx.t.now) - e.start;
  if (iv <= 0n || dur <= 0n) return 0;
  return (e.adverts[addr] ?? 0) / (Number(dur) / Number(iv) + 1);
}

/**
 * The router answers the other side's adverts: most of its adverts follow another claimant's within
 * 50 ms, or its advert rate is well above its interval. Two masters that drop each other's adverts
 * keep their own independent pace.
 */
export function answers(ctx: RuleContext, v: VridState, e: Episode, addr: string): boolean {
  const n = e.adverts[addr] ?? 0;
  const replies = e.replies[addr] ?? 0;
  return (n >= 3 && replies >= Math.max(3, n * 0.6)) || advertRate(ctx, v, e, addr) > 1.5;
}

/** "ended at 18:30:47 when peer 192.168.2.11 yielded (priority 100 < 110); 192.168.2.12 is master" */
export function howEnded(ctx: RuleContext, v: VridState, e: Episode): string {
  if (e.end === undefined) return `ongoing (since ${fmtTime(e.start)}, ${secs(ctx.t.now - e.start)})`;
  const o = e.outcome;
  const end = `ended at ${fmtTime(e.end)}`;
  if (!o) return end;
  const rest = o.winner !== undefined ? `; ${ctx.who(v, o.winner)} ${v.master === o.winner ? 'is' : 'was'} master` : '';
  if (o.kind === 'yield') return `${end} when ${ctx.who(v, o.loser)} yielded (${o.why})${rest}`;
  if (o.kind === 'resigned') return `${end} when ${ctx.who(v, o.loser)} resigned with priority 0${rest}`;
  return `${end} when ${ctx.who(v, o.loser)} fell silent${rest}`;
}

export function span(e: Episode): string {
  return fmtSpan(e.start, e.end);
}
