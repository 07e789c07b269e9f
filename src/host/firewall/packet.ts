// The advert as the firewall sees it: family, protocol, addresses, interface, packet type, address
// types and the conntrack states it can be in. Plus the small address arithmetic the matches need.

import type { VrrpInputQuery } from './types.js';

/** Three-valued match result: 'maybe' when the ruleset depends on something the dump does not show. */
export type Tri = 'yes' | 'no' | 'maybe';
/** `ct`: the result hinges on the conntrack state (worth telling when an ACCEPT is skipped for it). */
export type MatchResult = { readonly tri: Tri; readonly why?: string; readonly ct?: boolean };

export const YES: MatchResult = { tri: 'yes' };
/** A reason quotes the rule's values: a hostile ruleset's megabyte-long list must not be quoted whole. */
const MAX_WHY = 600;
const cut = (why: string): string => (why.length <= MAX_WHY ? why : `${why.slice(0, MAX_WHY)}… (cut: ${why.length} characters)`);
export const no = (why: string): MatchResult => ({ tri: 'no', why: cut(why) });
export const maybe = (why: string): MatchResult => ({ tri: 'maybe', why: cut(why) });
export const tri = (b: boolean, whyNot: string): MatchResult => (b ? YES : no(whyNot));
/** `!` in front of a match. */
export function negate(r: MatchResult, what: string): MatchResult {
  if (r.tri === 'maybe') return r;
  return r.tri === 'yes' ? { ...no(`! ${what} excludes it`), ...(r.ct ? { ct: true } : {}) } : YES;
}

export type CtState = 'new' | 'established' | 'related' | 'invalid' | 'untracked';

export type AdvertPacket = {
  readonly family: 4 | 6;
  readonly proto: number;
  readonly protoName: 'vrrp' | 'ah';
  readonly src: string;
  readonly dst: string;
  readonly iface: string;
  readonly multicast: boolean;
  /** States the conntrack entry can be in (set after the raw-table pass). */
  ctStates: ReadonlySet<CtState>;
  /** Why the states are what they are. */
  ctWhy: string;
};

/** IANA protocol numbers for the names iptables-save / nft print (Debian's /etc/protocols). */
export const PROTOCOLS: Readonly<Record<string, number>> = {
  ip: 0, hopopt: 0, icmp: 1, igmp: 2, ggp: 3, ipencap: 4, ipip: 4, st: 5, tcp: 6, egp: 8, igp: 9, pup: 12, udp: 17,
  hmp: 20, 'xns-idp': 22, rdp: 27, 'iso-tp4': 29, dccp: 33, xtp: 36, ddp: 37, 'idpr-cmtp': 38, ipv6: 41,
  'ipv6-route': 43, 'ipv6-frag': 44, idrp: 45, rsvp: 46, gre: 47, esp: 50, ah: 51, skip: 57, 'ipv6-icmp': 58,
  icmpv6: 58, 'icmp6': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, rspf: 73, vmtp: 81, eigrp: 88, ospf: 89, 'ax.25': 93,
  etherip: 97, encap: 98, pim: 103, ipcomp: 108, comp: 108, vrrp: 112, carp: 112, l2tp: 115, isis: 124, sctp: 132, fc: 133,
  'mobility-header': 135, mh: 135, udplite: 136, 'mpls-in-ip': 137, manet: 138, hip: 139, shim6: 140, wesp: 141, rohc: 142,
  ethernet: 143, mptcp: 262,
};

/** Protocol number of a name or number string, undefined when unknown. */
export function protoNumber(s: string): number | undefined {
  const t = s.toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  return PROTOCOLS[t];
}

export const VRRP_GROUP_V4 = '224.0.0.18';
export const VRRP_GROUP_V6 = 'ff02::12';

export function familyOf(addr: string): 4 | 6 | undefined {
  if (parseV4(addr) !== undefined) return 4;
  if (parseV6(addr) !== undefined) return 6;
  return undefined;
}

export function makePacket(q: VrrpInputQuery): AdvertPacket {
  const family = familyOf(q.src) ?? (q.dst !== undefined ? familyOf(q.dst) : undefined);
  if (family === undefined) throw new Error(`firewall query: "${q.src}" is not an IPv4 or IPv6 address`);
  const dst = q.dst ?? (family === 4 ? VRRP_GROUP_V4 : VRRP_GROUP_V6);
  if (familyOf(dst) !== family) throw new Error(`firewall query: ${q.src} and ${dst} are not of the same address family`);
  const protoName = q.protocol ?? 'vrrp';
  if (protoName === 'ah' && family === 6) throw new Error('firewall query: AH authentication exists only for VRRPv2 over IPv4');
  const multicast = isMulticast(dst);
  return {
    family,
    proto: protoName === 'ah' ? 51 : 112,
    protoName,
    src: q.src,
    dst,
    iface: q.iface,
    multicast,
    ctStates: new Set<CtState>(multicast ? ['new'] : ['new', 'established']),
    ctWhy: multicast
      ? 'multicast VRRP is NEW to conntrack on every packet (no reply ever comes from the group address)'
      : 'unicast VRRP is NEW, or ESTABLISHED once this host has itself advertised to the peer within the conntrack timeout (nf_conntrack_generic_timeout, 600 s)',
  };
}

// ---- addresses ----

export function parseV4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export function parseV6(s: string): bigint | undefined {
  if (!s.includes(':')) return undefined;
  let str = s.toLowerCase().split('%')[0] ?? '';
  // embedded IPv4 tail
  const v4tail = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(str);
  if (v4tail) {
    const n = parseV4(v4tail[2] ?? '');
    if (n === undefined) return undefined;
    str = `${v4tail[1]}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function isMulticast(addr: string): boolean {
  const v4 = parseV4(addr);
  if (v4 !== undefined) return v4 >>> 28 === 0xe;
  const v6 = parseV6(addr);
  return v6 !== undefined && v6 >> 120n === 0xffn;
}

/**
 * Does `addr` lie in `spec` (address, address/len, or iptables' address/dotted-mask)?
 * undefined when `spec` cannot be read or is of the other family.
 */
export function inPrefix(addr: string, spec: string): boolean | undefined {
  const [base = '', mask] = spec.split('/');
  const a4 = parseV4(addr);
  if (a4 !== undefined) {
    const b = parseV4(base);
    if (b === undefined) return undefined;
    let m: number;
    if (mask === undefined) m = 0xffffffff;
    else if (/^\d+$/.test(mask)) {
      const len = Number(mask);
      if (len > 32) return undefined;
      m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    } else {
      const mm = parseV4(mask);
      if (mm === undefined) return undefined;
      m = mm;
    }
    return ((a4 & m) >>> 0) === ((b & m) >>> 0);
  }
  const a6 = parseV6(addr);
  const b6 = parseV6(base);
  if (a6 === undefined || b6 === undefined) return undefined;
  let m6: bigint;
  const all = (1n << 128n) - 1n;
  if (mask === undefined) m6 = all;
  else if (/^\d+$/.test(mask)) {
    const len = Number(mask);
    if (len > 128) return undefined;
    m6 = len === 0 ? 0n : (all << BigInt(128 - len)) & all;
  } else {
    const mm = parseV6(mask);
    if (mm === undefined) return undefined;
    m6 = mm;
  }
  return (a6 & m6) === (b6 & m6);
}

/** addr within the inclusive range lo-hi (same family), undefined when unreadable. */
export function inRange(addr: string, lo: string, hi: string): boolean | undefined {
  const a4 = parseV4(addr);
  if (a4 !== undefined) {
    const l = parseV4(lo);
    const h = parseV4(hi);
    return l === undefined || h === undefined ? undefined : a4 >= l && a4 <= h;
  }
  const a6 = parseV6(addr);
  const l6 = parseV6(lo);
  const h6 = parseV6(hi);
  return a6 === undefined || l6 === undefined || h6 === undefined ? undefined : a6 >= l6 && a6 <= h6;
}

/** iptables interface match: `eth+` is a prefix wildcard. nft iifname uses `eth*` (handled by the caller). */
export function ifaceMatches(pattern: string, iface: string, wildcard: '+' | '*'): boolean {
  if (pattern.endsWith(wildcard) && !pattern.endsWith(`\\${wildcard}`)) return iface.startsWith(pattern.slice(0, -1));
  return iface === pattern.replace(`\\${wildcard}`, wildcard);
}
