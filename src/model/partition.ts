// Which routers of one VRID can hear each other. keepalived (vrrp.c vrrp_in_chk) drops an advert
// whose version, authentication type or password, VRRPv2 interval, or virtual address list differ
// from its own, and RFC 3768 §7.1 / RFC 5798 §7.1 say the same of version, auth and interval. Routers
// that differ in any of these are separate virtual routers on one VRID: two clusters (a VRID conflict:
// different addresses) or one cluster that cannot hear itself (a mismatch: same addresses).

import type { VrrpPacket } from '../decode/packet.js';
import type { Relation, Signature, VridState } from './model-types.js';

export function signatureOf(p: VrrpPacket): Signature {
  const a = p.vrrp;
  return {
    version: a.version,
    authType: a.version === 3 ? undefined : a.authType,
    authText: a.version === 3 || a.authType !== 1 ? undefined : a.authText,
    intervalCs: a.version === 3 ? undefined : a.intervalCs,
    vips: [...a.addresses].sort(),
  };
}

export function sameSignature(a: Signature, b: Signature): boolean {
  return a.version === b.version && a.authType === b.authType && a.authText === b.authText && a.intervalCs === b.intervalCs && a.vips.length === b.vips.length && a.vips.every((x, i) => x === b.vips[i]);
}

/** What sets two partitions apart, field by field. */
export type SignatureDiff = { version: boolean; auth: boolean; interval: boolean; vips: boolean; disjointVips: boolean };

export function diffSignatures(a: Signature, b: Signature): SignatureDiff {
  const vips = a.vips.length !== b.vips.length || a.vips.some((x, i) => x !== b.vips[i]);
  return {
    version: a.version !== b.version,
    auth: a.authType !== b.authType || a.authText !== b.authText,
    interval: a.intervalCs !== b.intervalCs,
    vips,
    disjointVips: vips && a.vips.length > 0 && b.vips.length > 0 && !a.vips.some((x) => b.vips.includes(x)),
  };
}

/** Two clusters on one VRID (no address in common), or one cluster whose routers disagree. */
export function relationOf(parts: readonly VridState[]): Relation {
  const live = parts.filter((p) => p.routers.size > 0);
  if (live.length < 2) return 'single';
  for (let i = 0; i < live.length; i++) for (let j = i + 1; j < live.length; j++) if (!diffSignatures(live[i]!.signature, live[j]!.signature).disjointVips) return 'mismatch';
  return 'conflict';
}

/** A short name that tells a partition from its siblings ("v3", "auth \"b\"", "int 2 s", "VIPs 192.168.2.50"). */
export function partitionLabel(v: VridState, siblings: readonly VridState[]): string {
  if (siblings.length === 0) return '';
  const s = v.signature;
  const d = siblings.map((o) => diffSignatures(s, o.signature));
  if (d.some((x) => x.version)) return `v${s.version}`;
  if (d.some((x) => x.vips)) return `VIPs ${s.vips.join(',') || 'none'}`;
  if (d.some((x) => x.auth)) return s.authType === 1 ? `auth "${s.authText ?? ''}"` : s.authType === 2 ? 'auth AH' : 'no auth';
  if (d.some((x) => x.interval)) return `int ${(s.intervalCs ?? 0) / 100} s`;
  return `#${v.part}`;
}
