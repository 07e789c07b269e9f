// The frames decodeFrame drops from a few bytes, without parsing a header: Ethernet, untagged or
// with one 802.1Q tag, carrying IPv4 or IPv6 whose protocol can lead to neither VRRP nor a
// neighbour advert. Most of a busy segment's traffic. The reader asks this in its record loop
// (ReadControl.skip), so such frames are counted and numbered but never built into a Frame for
// the sink. decodeFrame's own fast path makes the untagged half of the same test with the same
// two predicates; tests/fuzz.test.ts checks that nothing skipped here is a frame it decodes.

import { LinkType } from '../capture/link-types.js';
import { EtherType } from './link.js';
import { VRRP_PROTO } from './vrrp.js';

const AH = 51;
const ICMPV6 = 58;
const ETHERNET = LinkType.ethernet;
const IPV4 = EtherType.ipv4;
const IPV6 = EtherType.ipv6;
const DOT1Q = 0x8100;

/** IPv4 protocols worth a closer look: VRRP, or AH that may carry it. */
export function ipv4MayMatter(proto: number | undefined): boolean {
  return proto === VRRP_PROTO || proto === AH;
}

/** IPv6 next headers worth a closer look: VRRP, ICMPv6 (neighbour adverts), AH, or an extension header that may lead to them. */
export function ipv6MayMatter(nh: number | undefined): boolean {
  return nh === VRRP_PROTO || nh === ICMPV6 || nh === AH || nh === 0 || nh === 43 || nh === 44 || nh === 60;
}

/** True for a frame (buf[offset, offset + caplen)) that decodeFrame would drop unread. */
export function ignoredAtAGlance(buf: Uint8Array, offset: number, caplen: number, linktype: number): boolean {
  if (linktype !== ETHERNET || caplen < 24) return false;
  // `ip` is where the IP header starts: after the MACs and the type, or the tag and its type.
  let type = (buf[offset + 12]! << 8) | buf[offset + 13]!;
  let ip = 14;
  if (type === DOT1Q) {
    type = (buf[offset + 16]! << 8) | buf[offset + 17]!;
    ip = 18;
  }
  // The same reads decodeFrame makes: IPv4's protocol (byte 9), IPv6's next header (byte 6).
  if (type === IPV4) return caplen >= ip + 10 && !ipv4MayMatter(buf[offset + ip + 9]);
  return type === IPV6 && caplen >= ip + 7 && !ipv6MayMatter(buf[offset + ip + 6]);
}
