// From a captured frame to a Packet, or to nothing for the (vast) rest of the traffic. The fast
// path reads a handful of bytes and allocates nothing; only VRRP, CARP, ARP and neighbour adverts
// are decoded in full. A DecodeError never escapes: it becomes a `malformed` packet.

import { Direction, type Frame } from '../capture/frame.js';
import { AdvertPacket } from './advert-packet.js';
import { ipv4MayMatter, ipv6MayMatter } from './at-a-glance.js';
import { LinkType } from '../capture/link-types.js';
import { decodeArp } from './arp.js';
import { decodeCarp, looksLikeCarp } from './carp.js';
import { DecodeError } from './decode-error.js';
import { ipv4, ipv6, mac } from './format.js';
import { IpView, parseIpv4, parseIpv6 } from './ip-view.js';
import { EtherType, LinkView, PACKET_OUTGOING, parseLink, sll2Ifindex } from './link.js';
import { decodeNeighborAdvert, ICMPV6_NEIGHBOR_ADVERT } from './neighbor-advert.js';
import type { FrameMeta, IpHeader, L2, MalformedPacket, Packet, Vrrp } from './packet.js';
import { AdvertCache, DecodedAdvert } from './advert-cache.js';
import { decodeVrrp, VRRP_PROTO, type VrrpContext } from './vrrp.js';

const link = new LinkView();
/** What decodeVrrp read of a good advert: written, never read. */
const scratch: Record<string, unknown> = {};
/** Reused for every advert: decodeVrrp reads it and keeps nothing of it. */
const ctx: { -readonly [K in keyof VrrpContext]: VrrpContext[K] } = { family: 4, ipSrcAt: 0, ipDstAt: 0, srcMacAt: -1, srcMacLen: 6, viaAh: false };
const ipv = new IpView();
/** Adverts decoded a moment ago, shared by the ones that repeat them. */
const adverts = new AdvertCache();
const ICMPV6 = 58;
const VLAN_TAG = 0x8100;
const ATMARP_HW = 19;

const supported = new Set<number>(Object.values(LinkType));

export function supportsLinkType(linktype: number): boolean {
  return supported.has(linktype);
}

export function decodeFrame(f: Frame, input: string): Packet | undefined {
  // The probe below looked in the advert cache and missed: ipPacket does not look again.
  let probed = false;
  const b = f.buf;
  const end = f.offset + f.caplen;
  const o = f.offset;
  // Where an IPv4 header would start, for the advert cache's probe below; -1: no probe.
  let ipAt = -1;
  let ifindex = -1;
  let outgoing = false;
  // Fast reject for most of the traffic: untagged Ethernet IPv4/IPv6 whose protocol byte rules out
  // everything below (the same tests as the cases below, without filling the LinkView first).
  if (f.linktype === LinkType.ethernet && f.caplen >= 24) {
    const type = (b[o + 12]! << 8) | b[o + 13]!;
    if (type === EtherType.ipv4) {
      if (!ipv4MayMatter(b[o + 23])) return undefined;
      ipAt = 14;
    } else if (type === EtherType.ipv6) {
      if (!ipv6MayMatter(b[o + 20])) return undefined;
    } else if (type === VLAN_TAG && b[o + 16] === 0x08 && b[o + 17] === 0x00) {
      // One 802.1Q tag (VRRP on a VLAN, captured on the trunk): the tag is among the bytes compared.
      ipAt = 18;
    }
  } else if (f.linktype === LinkType.linuxSll2 && f.caplen >= 20 && b[o] === 0x08 && b[o + 1] === 0x00) {
    // `tcpdump -i any -y LINUX_SLL2` (and --ssh): the interface index and packet type are among the
    // bytes compared, so a hit is the same interface and direction.
    ipAt = 20;
    ifindex = sll2Ifindex(b, o);
    outgoing = b[o + 10] === PACKET_OUTGOING;
  } else if (f.linktype === LinkType.linuxSll && f.caplen >= 16 && b[o + 14] === 0x08 && b[o + 15] === 0x00) {
    // Plain `tcpdump -i any` (Linux cooked v1): the packet type is among the bytes compared.
    ipAt = 16;
    outgoing = ((b[o]! << 8) | b[o + 1]!) === PACKET_OUTGOING;
  }
  // A repeat of an advert decoded a moment ago (no IP options; the common case on a VRRP segment):
  // its records, before parsing anything. The bytes compared, from the frame's first, include the
  // link header and the IP header's lengths, so they fix where the message ends exactly as the
  // full parse would.
  if (ipAt >= 0 && f.caplen >= ipAt + 24 && b[o + ipAt] === 0x45 && b[o + ipAt + 9] === VRRP_PROTO) {
    const ip = o + ipAt;
    const used = Math.min(end, ip + ((b[ip + 2]! << 8) | b[ip + 3]!));
    const hit = adverts.get(AdvertCache.slot(b, o, used, ip + 16, ip + 20), b, o, used, ipAt);
    if (hit !== undefined) return advertPacket(f, input, hit, hit.l2, hit.ip, hit.vrrp, ifindex, outgoing);
    probed = true;
  }
  if (!parseLink(b, f.offset, end, f.linktype, link) || link.truncated) return undefined;
  const at = link.at;
  switch (link.proto) {
    case EtherType.ipv4: {
      // Fast reject on the protocol byte before reading anything else.
      if (end - at < 10) return undefined;
      if (!ipv4MayMatter(b[at + 9])) return undefined;
      parseIpv4(b, at, end, ipv);
      if (!ipv.bad && ipv.proto !== VRRP_PROTO) return undefined;
      return ipPacket(f, input, b, end, probed);
    }
    case EtherType.ipv6: {
      if (end - at < 7) return undefined;
      if (!ipv6MayMatter(b[at + 6])) return undefined;
      parseIpv6(b, at, end, ipv);
      if (ipv.bad) return ipPacket(f, input, b, end, false);
      if (ipv.proto === ICMPV6) {
        if (ipv.fragment || end - ipv.payloadAt < 1 || b[ipv.payloadAt] !== ICMPV6_NEIGHBOR_ADVERT) return undefined;
      } else if (ipv.proto !== VRRP_PROTO) return undefined;
      return ipPacket(f, input, b, end, false);
    }
    case EtherType.arp:
    case EtherType.rarp: {
      // Hardware type 19 is ATMARP (RFC 2225), a different layout that tcpdump and tshark read as
      // such; it says nothing about VRRP, so it is not decoded (and not read as plain ARP).
      if (end - at >= 2 && b[at] === 0 && b[at + 1] === ATMARP_HW) return undefined;
      const partial: Record<string, unknown> = {};
      const l2 = l2Of(b);
      try {
        return { kind: 'arp', ...meta(f, input), l2, arp: decodeArp(b, at, end, partial) };
      } catch (e) {
        return malformed(f, input, e, 'arp', l2, undefined, partial);
      }
    }
    default:
      return undefined;
  }
}

function ipPacket(f: Frame, input: string, b: Uint8Array, end: number, probed: boolean): Packet {
  const isNa = ipv.proto === ICMPV6;
  // The hot path: an advert that repeats one seen a moment ago (the common case by far).
  const known = !isNa && !ipv.bad && !ipv.fragment && ipv.proto === VRRP_PROTO;
  // Only the bytes up to the end of the VRRP message mean anything (the rest is padding).
  const used = Math.min(end, ipv.payloadAt + ipv.payloadLen);
  const ip4 = ipv.family === 4 ? link.at - f.offset : -1;
  const slot = known ? AdvertCache.slot(b, f.offset, used, ipv.dstAt, ipv.payloadAt) : 0;
  if (known && !probed) {
    const hit = adverts.get(slot, b, f.offset, used, ip4);
    if (hit !== undefined) return advertPacket(f, input, hit, hit.l2, hit.ip, hit.vrrp, link.ifindex, link.outgoing);
  }
  const l2 = l2Of(b);
  if (ipv.bad) return malformed(f, input, new DecodeError('ip', link.at, 0, 0, ipv.reason), isNa ? 'na' : 'vrrp', l2, undefined, {});
  const ip: IpHeader = {
    family: ipv.family,
    src: ipv.family === 4 ? ipv4(b, ipv.srcAt) : ipv6(b, ipv.srcAt),
    dst: ipv.family === 4 ? ipv4(b, ipv.dstAt) : ipv6(b, ipv.dstAt),
    ttl: ipv.ttl,
    proto: ipv.outerProto,
    multicast: ipv.family === 4 ? b[ipv.dstAt]! >> 4 === 0xe : b[ipv.dstAt] === 0xff,
  };
  if (ipv.fragment) return malformed(f, input, new DecodeError('ip', link.at, 0, 0, 'IP fragment (not reassembled)'), isNa ? 'na' : 'vrrp', l2, ip, {});
  const partial: Record<string, unknown> = {};
  const at = ipv.payloadAt;
  const len = ipv.payloadLen;
  if (isNa) {
    try {
      return { kind: 'na', ...meta(f, input), l2, ip, na: decodeNeighborAdvert(b, at, len, end, partial) };
    } catch (e) {
      return malformed(f, input, e, 'na', l2, ip, partial);
    }
  }
  if (ipv.family === 4 && looksLikeCarp(b, at, len, end)) {
    try {
      return { kind: 'carp', ...meta(f, input), l2, ip, carp: decodeCarp(b, at, len, end, link.srcAt, link.srcLen, partial) };
    } catch (e) {
      return malformed(f, input, e, 'carp', l2, ip, partial);
    }
  }
  try {
    ctx.family = ipv.family;
    ctx.ipSrcAt = ipv.srcAt;
    ctx.ipDstAt = ipv.dstAt;
    ctx.srcMacAt = link.srcAt;
    ctx.srcMacLen = link.srcLen;
    ctx.viaAh = ipv.viaAh;
    let vrrp;
    try {
      // Fields read so far only matter when the advert turns out malformed: then it is decoded
      // again (decoding is pure) with a fresh record; good adverts write into one scratch record.
      vrrp = decodeVrrp(b, at, len, end, ctx, scratch);
    } catch {
      vrrp = decodeVrrp(b, at, len, end, ctx, partial);
    }
    let shared: DecodedAdvert | undefined;
    if (known && vrrp.checksumStatus !== 'unknown') adverts.set(slot, b, f.offset, used, ip4, (shared = new DecodedAdvert(l2, ip, vrrp)));
    return advertPacket(f, input, shared, l2, ip, vrrp, link.ifindex, link.outgoing);
  } catch (e) {
    return malformed(f, input, e, 'vrrp', l2, ip, partial);
  }
}

/** The advert is the hot path: one object, its time as numbers (the BigInt is made when asked for). */
function advertPacket(f: Frame, input: string, shared: DecodedAdvert | undefined, l2: L2, ip: IpHeader, vrrp: Vrrp, ifindex: number, outgoing: boolean): Packet {
  const sll = f.linktype === LinkType.linuxSll || f.linktype === LinkType.linuxSll2;
  const ifIndex = f.ifIndex >= 0 ? f.ifIndex : ifindex >= 0 ? ifindex : undefined;
  const linkIfIndex = ifindex >= 0 ? ifindex : undefined;
  const direction = f.direction !== Direction.unknown ? f.direction : sll ? (outgoing ? Direction.out : Direction.in) : Direction.unknown;
  if (f.timeParts()) return new AdvertPacket(f.sec, f.nsec, input, f.ifName, ifIndex, linkIfIndex, direction, f.number, f.caplen, f.origlen, f.linktype, l2, ip, vrrp, shared);
  // pcapng units that numbers cannot hold exactly: BigInt arithmetic, then split.
  const ts = f.timestampNs();
  const sec = ts / 1_000_000_000n;
  return new AdvertPacket(Number(sec), Number(ts - sec * 1_000_000_000n), input, f.ifName, ifIndex, linkIfIndex, direction, f.number, f.caplen, f.origlen, f.linktype, l2, ip, vrrp, shared, ts);
}

function meta(f: Frame, input: string): FrameMeta {
  const sll = f.linktype === LinkType.linuxSll || f.linktype === LinkType.linuxSll2;
  const direction = f.direction !== Direction.unknown ? f.direction : sll ? (link.outgoing ? Direction.out : Direction.in) : Direction.unknown;
  return {
    ts: f.timestampNs(),
    input,
    ifName: f.ifName,
    ifIndex: f.ifIndex >= 0 ? f.ifIndex : link.ifindex >= 0 ? link.ifindex : undefined,
    linkIfIndex: link.ifindex >= 0 ? link.ifindex : undefined,
    direction,
    frame: f.number,
    caplen: f.caplen,
    origlen: f.origlen,
    linktype: f.linktype,
  };
}

function l2Of(b: Uint8Array): L2 {
  return {
    src: link.srcAt >= 0 ? mac(b, link.srcAt, link.srcLen) : undefined,
    dst: link.dstAt >= 0 ? mac(b, link.dstAt) : undefined,
    vlans: link.vlanList(),
  };
}

function malformed(f: Frame, input: string, e: unknown, protocol: MalformedPacket['protocol'], l2: L2 | undefined, ip: IpHeader | undefined, partial: Record<string, unknown>): MalformedPacket {
  if (!(e instanceof DecodeError)) throw e;
  return { kind: 'malformed', ...meta(f, input), protocol, layer: e.layer, reason: e.message, l2, ip, partial };
}
