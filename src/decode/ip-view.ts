// IPv4 (RFC 791) and IPv6 (RFC 8200) headers, read into one reusable IpView: where the payload
// starts, how long the IP header says it is, and the upper protocol after extension headers.
//
// IPv4:                                           IPv6:
//   |Ver| IHL |  TOS  |   Total Length   |          |Ver| Traffic Class |     Flow Label      |
//   |  Identification |Flags| Frag Offset|          |  Payload Length   | Next Hdr | Hop Limit|
//   |  TTL  | Protocol|  Header Checksum |          |        Source Address (16)              |
//   |        Source Address              |          |      Destination Address (16)           |
//   |      Destination Address           |
//
// The payload length comes from the IP header, never the frame: Ethernet pads a 54-byte VRRP
// advert to 60, and those pad bytes are not VRRP.

export class IpView {
  family: 4 | 6 = 4;
  /** Upper-layer protocol (after IPv6 extension headers and, when present, AH). */
  proto = -1;
  /** Protocol field of the IP header itself (51 when VRRP rides in AH). */
  outerProto = -1;
  viaAh = false;
  srcAt = 0;
  dstAt = 0;
  ttl = 0;
  payloadAt = 0;
  payloadLen = 0;
  /** A non-first fragment: the payload is not an upper-layer header. */
  fragment = false;
  /** Set when the header could not be read; `reason` says why. */
  bad = false;
  reason = '';
}

const AH = 51;

/** Reads the IPv4 header at `at`; `end` is the end of the captured frame. */
export function parseIpv4(b: Uint8Array, at: number, end: number, v: IpView): void {
  v.family = 4;
  v.bad = false;
  v.fragment = false;
  v.viaAh = false;
  if (end - at < 20) return bad(v, 'IPv4 header truncated');
  const ihl = (b[at]! & 0x0f) * 4;
  if (b[at]! >> 4 !== 4) return bad(v, `IP version ${b[at]! >> 4} in an IPv4 frame`);
  if (ihl < 20) return bad(v, `IPv4 header length ${ihl} < 20`);
  const total = (b[at + 2]! << 8) | b[at + 3]!;
  v.outerProto = v.proto = b[at + 9]!;
  v.ttl = b[at + 8]!;
  v.srcAt = at + 12;
  v.dstAt = at + 16;
  // Any fragment, the first one too (More Fragments set): a VRRP message split by fragmentation is
  // not a VRRP message we can read or checksum, so it is reported, not decoded (as tshark does).
  v.fragment = (((b[at + 6]! & 0x3f) << 8) | b[at + 7]!) !== 0;
  if (total < ihl) return bad(v, `IPv4 total length ${total} < header length ${ihl}`);
  v.payloadAt = at + ihl;
  v.payloadLen = total - ihl;
  if (v.proto === AH) skipAh(b, end, v);
}

export function parseIpv6(b: Uint8Array, at: number, end: number, v: IpView): void {
  v.family = 6;
  v.bad = false;
  v.fragment = false;
  v.viaAh = false;
  if (end - at < 40) return bad(v, 'IPv6 header truncated');
  if (b[at]! >> 4 !== 6) return bad(v, `IP version ${b[at]! >> 4} in an IPv6 frame`);
  const plen = (b[at + 4]! << 8) | b[at + 5]!;
  let nh = b[at + 6]!;
  v.outerProto = nh;
  v.ttl = b[at + 7]!;
  v.srcAt = at + 8;
  v.dstAt = at + 24;
  const payloadEnd = plen === 0 ? end : at + 40 + plen; // 0 = jumbogram: trust the capture.
  let p = at + 40;
  for (let hops = 0; hops < 16; hops++) {
    if (nh === 0 || nh === 43 || nh === 60 || nh === 135 || nh === 139 || nh === 140) {
      if (end - p < 2) return bad(v, 'IPv6 extension header truncated');
      const next = b[p]!;
      p += (b[p + 1]! + 1) * 8;
      nh = next;
    } else if (nh === 44) {
      if (end - p < 8) return bad(v, 'IPv6 fragment header truncated');
      if ((((b[p + 2]! << 8) | b[p + 3]!) & 0xfff8) !== 0) v.fragment = true;
      nh = b[p]!;
      p += 8;
    } else if (nh === AH) {
      if (end - p < 12) return bad(v, 'AH header truncated');
      v.viaAh = true;
      const next = b[p]!;
      p += (b[p + 1]! + 2) * 4;
      nh = next;
    } else {
      break;
    }
  }
  v.proto = nh;
  v.payloadAt = p;
  v.payloadLen = payloadEnd - p;
  if (v.payloadLen < 0) return bad(v, 'IPv6 extension headers run past the payload length');
}

/** VRRP authentication type 2 (RFC 2338): the advert follows an IP Authentication Header. */
function skipAh(b: Uint8Array, end: number, v: IpView): void {
  const p = v.payloadAt;
  if (end - p < 12) return bad(v, 'AH header truncated');
  const ahLen = (b[p + 1]! + 2) * 4;
  v.viaAh = true;
  v.proto = b[p]!;
  v.payloadAt = p + ahLen;
  v.payloadLen -= ahLen;
  if (v.payloadLen < 0) return bad(v, 'AH header longer than the IP payload');
}

function bad(v: IpView, reason: string): void {
  v.bad = true;
  v.reason = reason;
}
