// Link layers down to the network protocol. Filled into one reusable LinkView per frame, so a frame
// that turns out to be uninteresting costs a few byte reads and no allocation.
//
// Ethernet II (IEEE 802.3):           802.1Q / 802.1ad tag (nested, outermost first):
//   +--------+--------+------+           +------+------------------+
//   | dst(6) | src(6) | type |           | TPID | PCP|DEI| VID(12)|  then the next type
//   +--------+--------+------+           +------+------------------+
// 802.1ah (PBB, type 0x88E7): I-TAG (4) then the customer dst(6) src(6) and type.
// Linux cooked v1 (LINKTYPE_LINUX_SLL, 16 bytes):
//   | pkttype(2) | hatype(2) | halen(2) | addr(8) | protocol(2) |
// Linux cooked v2 (LINKTYPE_LINUX_SLL2, 20 bytes, what `tcpdump -i any` writes now):
//   | protocol(2) | reserved(2) | ifindex(4) | hatype(2) | pkttype(1) | halen(1) | addr(8) |
// Raw IP (101/12, 228, 229), BSD NULL/LOOP (4-byte family), IP over InfiniBand (4-byte header),
// IP over InfiniBand (44-byte pseudo-header), Frame Relay (Q.922 address, then a Cisco ethertype
// or UI + NLPID).

import { LinkType } from '../capture/link-types.js';

export const EtherType = { ipv4: 0x0800, arp: 0x0806, rarp: 0x8035, ipv6: 0x86dd } as const;

/** SLL packet type "sent by us". */
export const PACKET_OUTGOING = 4;

export class LinkView {
  /** Network protocol (an EtherType), or -1 when the link layer has none we know. */
  proto = -1;
  /** Where the network header starts. */
  at = 0;
  /** Offsets of the MACs, -1 when the link layer has none. */
  srcAt = -1;
  srcLen = 6;
  dstAt = -1;
  vlanCount = 0;
  readonly vlans = [0, 0, 0, 0, 0, 0, 0, 0];
  /** From SLL/SLL2: true when the frame was sent by the capturing host. */
  outgoing = false;
  /** SLL2 interface index, -1 otherwise. */
  ifindex = -1;
  /** True when the link header itself was cut short. */
  truncated = false;

  vlanList(): readonly number[] {
    return this.vlanCount === 0 ? NO_VLANS : this.vlans.slice(0, this.vlanCount);
  }
}

/** Shared by every untagged frame (no array per packet). */
const NO_VLANS: readonly number[] = Object.freeze([]);

/** Fills `v` for the frame b[start, end). Returns false for link types we do not know. */
export function parseLink(b: Uint8Array, start: number, end: number, linktype: number, v: LinkView): boolean {
  v.proto = -1;
  v.srcAt = -1;
  v.srcLen = 6;
  v.dstAt = -1;
  v.vlanCount = 0;
  v.outgoing = false;
  v.ifindex = -1;
  v.truncated = false;
  switch (linktype) {
    case LinkType.ethernet:
      if (end - start < 14) return trunc(v);
      v.dstAt = start;
      v.srcAt = start + 6;
      return ethertype(b, start + 12, end, v);
    case LinkType.linuxSll: {
      if (end - start < 16) return trunc(v);
      v.outgoing = ((b[start]! << 8) | b[start + 1]!) === PACKET_OUTGOING;
      const halen = (b[start + 4]! << 8) | b[start + 5]!;
      if (halen > 0 && halen <= 8) {
        v.srcAt = start + 6;
        v.srcLen = halen;
      }
      return ethertype(b, start + 14, end, v);
    }
    case LinkType.linuxSll2: {
      if (end - start < 20) return trunc(v);
      v.ifindex = sll2Ifindex(b, start);
      v.outgoing = b[start + 10] === PACKET_OUTGOING;
      const halen = b[start + 11]!;
      if (halen > 0 && halen <= 8) {
        v.srcAt = start + 12;
        v.srcLen = halen;
      }
      v.proto = (b[start]! << 8) | b[start + 1]!;
      v.at = start + 20;
      return vlanChain(b, end, v);
    }
    case LinkType.raw:
    case LinkType.rawAlt:
    case LinkType.ipv4:
    case LinkType.ipv6:
      if (end - start < 1) return trunc(v);
      v.at = start;
      v.proto = b[start]! >> 4 === 6 ? EtherType.ipv6 : EtherType.ipv4;
      return true;
    case LinkType.null:
    case LinkType.loop: {
      if (end - start < 4) return trunc(v);
      const fam =
        linktype === LinkType.loop
          ? ((b[start]! << 24) | (b[start + 1]! << 16) | (b[start + 2]! << 8) | b[start + 3]!) >>> 0
          : Math.max(b[start]! | (b[start + 1]! << 8), (b[start + 2]! << 8) | b[start + 3]!);
      v.at = start + 4;
      v.proto = fam === 2 ? EtherType.ipv4 : fam === 24 || fam === 28 || fam === 30 ? EtherType.ipv6 : -1;
      return true;
    }
    case LinkType.ipoib:
      // libpcap's IPoIB pseudo-header: 16 bytes, the 20-byte source hardware address, then the
      // RFC 4391 encapsulation header (type, reserved).
      if (end - start < 44) return trunc(v);
      v.proto = (b[start + 40]! << 8) | b[start + 41]!;
      v.at = start + 44;
      return true;
    case LinkType.frameRelay:
      return frameRelay(b, start, end, v);
    default:
      return false;
  }
}

/** The interface index of the SLL2 header at `start` (bytes 4–7, unsigned). */
export function sll2Ifindex(b: Uint8Array, start: number): number {
  return ((b[start + 4]! << 24) | (b[start + 5]! << 16) | (b[start + 6]! << 8) | b[start + 7]!) >>> 0;
}

function trunc(v: LinkView): boolean {
  v.truncated = true;
  return true;
}

function ethertype(b: Uint8Array, p: number, end: number, v: LinkView): boolean {
  v.proto = (b[p]! << 8) | b[p + 1]!;
  v.at = p + 2;
  return vlanChain(b, end, v);
}

/** Follows VLAN tags, 802.1ah and 802.2 SNAP until a network protocol. */
function vlanChain(b: Uint8Array, end: number, v: LinkView): boolean {
  for (;;) {
    const t = v.proto;
    const p = v.at;
    if (t === 0x8100 || t === 0x88a8 || t === 0x9100) {
      if (end - p < 4) return trunc(v);
      if (v.vlanCount < v.vlans.length) v.vlans[v.vlanCount++] = ((b[p]! << 8) | b[p + 1]!) & 0x0fff;
      v.proto = (b[p + 2]! << 8) | b[p + 3]!;
      v.at = p + 4;
    } else if (t === 0x88e7) {
      // 802.1ah I-TAG, then the customer frame's own MACs: those are the ones VRRP speaks of.
      if (end - p < 18) return trunc(v);
      v.dstAt = p + 4;
      v.srcAt = p + 10;
      v.srcLen = 6;
      v.proto = (b[p + 16]! << 8) | b[p + 17]!;
      v.at = p + 18;
    } else if (t <= 1500 && end - p >= 8 && b[p] === 0xaa && b[p + 1] === 0xaa && b[p + 2] === 0x03) {
      v.proto = (b[p + 6]! << 8) | b[p + 7]!;
      v.at = p + 8;
    } else {
      return true;
    }
  }
}

function frameRelay(b: Uint8Array, start: number, end: number, v: LinkView): boolean {
  // Q.922 address: 2 to 4 octets, the last with its EA bit set.
  let p = start;
  while (p < end && p - start < 4 && (b[p]! & 1) === 0) p++;
  p++;
  if (end - p < 2) return trunc(v);
  if (b[p] === 0x03) {
    // UI frame with an NLPID (RFC 2427).
    const nlpid = b[p + 1];
    v.at = p + 2;
    v.proto = nlpid === 0xcc ? EtherType.ipv4 : nlpid === 0x8e ? EtherType.ipv6 : -1;
    return true;
  }
  // Cisco encapsulation: an EtherType follows the address.
  v.proto = (b[p]! << 8) | b[p + 1]!;
  v.at = p + 2;
  return true;
}
