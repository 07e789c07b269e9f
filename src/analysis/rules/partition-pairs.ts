// The partitions of one VRID taken pairwise, with what sets them apart and what each did while both
// were on the wire: the shared evidence of the mismatch and conflict rules.

import type { RouterState, VridState } from '../../model/model-types.js';
import { diffSignatures, sameSignature, type SignatureDiff } from '../../model/partition.js';
import { intervalNs } from '../../model/vrrp-timing.js';
import { inert } from '../../util/inert.js';
import { fmtSpan, type RuleContext } from '../rule-context.js';

export type Primary = 'conflict' | 'version' | 'auth' | 'interval' | 'vips';

export type PartitionPair = {
  readonly a: VridState;
  readonly b: VridState;
  readonly diff: SignatureDiff;
  readonly primary: Primary;
  /** Both partitions were on the wire from `from` to `to`. */
  readonly from: bigint;
  readonly to: bigint;
  /** Both held mastership at some time while both were on the wire: two masters. */
  readonly bothMaster: boolean;
};

/**
 * A partition that is a copy of a VRID on another segment: the same routers with the same settings.
 * `tcpdump -i any` records a VLAN's frames on the parent device too, without their tag (the cooked
 * header has no room for it), so eth0 shows eth0.100's adverts as well: no second cluster.
 */
export function vlanCopy(ctx: RuleContext, v: VridState): VridState | undefined {
  const mine = [...v.routers.keys()].sort().join(',');
  return ctx.vrids.find((o) => o !== v && o.segment !== v.segment && o.vrid === v.vrid && o.family === v.family && sameSignature(o.signature, v.signature) && [...o.routers.keys()].sort().join(',') === mine);
}

export function partitionPairs(ctx: RuleContext): PartitionPair[] {
  const out: PartitionPair[] = [];
  for (const g of ctx.t.groups.values()) {
    const parts = g.parts.filter((p) => p.routers.size > 0 && !vlanCopy(ctx, p));
    for (let i = 0; i < parts.length; i++)
      for (let j = i + 1; j < parts.length; j++) {
        const a = parts[i]!;
        const b = parts[j]!;
        const diff = diffSignatures(a.signature, b.signature);
        const primary: Primary = diff.disjointVips ? 'conflict' : diff.version ? 'version' : diff.auth ? 'auth' : diff.interval ? 'interval' : 'vips';
        const from = a.firstSeen > b.firstSeen ? a.firstSeen : b.firstSeen;
        const to = a.lastSeen < b.lastSeen ? a.lastSeen : b.lastSeen;
        out.push({ a, b, diff, primary, from, to: to > from ? to : from, bothMaster: masterDuring(a, from, to) && masterDuring(b, from, to) });
      }
  }
  return out;
}

function masterDuring(v: VridState, from: bigint, to: bigint): boolean {
  return v.history.some((h) => h.master !== undefined && h.start <= to && (h.end ?? to) >= from);
}

export function routersOf(v: VridState): RouterState[] {
  return [...v.routers.values()].filter((r) => r.adverts > 0);
}

export function names(ctx: RuleContext, v: VridState): string {
  return list(routersOf(v).map((r) => ctx.who(v, r.address)));
}

export function list(xs: readonly string[]): string {
  if (xs.length <= 1) return xs[0] ?? '';
  return `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** Gratuitous ARP / NA a partition's routers sent for its virtual addresses. */
export function announcements(ctx: RuleContext, v: VridState): number {
  const macs = new Set(routersOf(v).flatMap((r) => r.macs));
  let n = 0;
  for (const ip of v.signature.vips) {
    const vip = ctx.t.vips.get(`${v.segment}|${ip}`);
    for (const a of vip?.announcers ?? []) if (macs.has(a.mac) && a.kind !== 'arp-reply') n += a.count;
  }
  return n;
}

/** One line per partition: who, what it sends, what it did. */
export function partitionEvidence(ctx: RuleContext, v: VridState, what: (r: RouterState) => string): string {
  const rs = routersOf(v);
  const masters = v.history.filter((h) => h.master !== undefined);
  const spans = masters.slice(-2).map((h) => `${h.master} master ${fmtSpan(h.start, h.end)}`);
  const g = announcements(ctx, v);
  return `${rs.map((r) => `${ctx.who(v, r.address)}: ${what(r)}, ${r.adverts} advert${r.adverts === 1 ? '' : 's'}`).join('; ')}${spans.length ? `; ${spans.join(', ')}` : ''}; ${g} gratuitous ARP/NA for ${v.signature.vips.join(', ') || 'no address'}`;
}

/** Routers that sent far fewer adverts than their interval implies while holding the VIPs (a master whose timer the other side keeps resetting). */
export function nearlySilent(ctx: RuleContext, v: VridState): RouterState[] {
  return routersOf(v).filter((r) => {
    const iv = intervalNs(r.intervalCs);
    const span = ctx.t.now - r.firstSeen;
    if (iv <= 0n || span <= 0n) return false;
    const expected = Number(span) / Number(iv);
    return expected >= 5 && r.adverts < expected * 0.3 && announcements(ctx, v) > 0;
  });
}

export function authOf(r: RouterState): string {
  if (r.version === 3) return 'no authentication (VRRPv3)';
  if (r.authType === 1) return `auth_pass "${inert(r.authText ?? '')}"`;
  if (r.authType === 2) return 'auth_type AH';
  return 'no authentication';
}
