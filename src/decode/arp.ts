// ARP (RFC 826), with the RFC 5227 readings of probe and announcement.
//
//   +----------------+----------------+--------+--------+----------------+
//   | hw type (2)    | proto type (2) | hlen(1)| plen(1)| opcode (2)     |
//   +----------------+----------------+--------+--------+----------------+
//   | sender hw (hlen) | sender proto (plen) | target hw (hlen) | target proto (plen) |
//
// Gratuitous ARP: sender and target protocol addresses are equal, in a request or a reply; this
// is how a new VRRP master tells the segment that the virtual IP now lives at its MAC.

import { need } from './decode-error.js';
import { ipv4, mac } from './format.js';
import type { Arp } from './packet.js';

export function decodeArp(b: Uint8Array, at: number, capEnd: number, partial: Record<string, unknown>): Arp {
  need('arp', at, 8, capEnd);
  const htype = (b[at]! << 8) | b[at + 1]!;
  const ptype = (b[at + 2]! << 8) | b[at + 3]!;
  const hlen = b[at + 4]!;
  const plen = b[at + 5]!;
  const op = (b[at + 6]! << 8) | b[at + 7]!;
  Object.assign(partial, { htype, ptype, hlen, plen, op });
  need('arp', at + 8, 2 * hlen + 2 * plen, capEnd);
  const sha = at + 8;
  const spa = sha + hlen;
  const tha = spa + plen;
  const tpa = tha + hlen;
  const ip = ptype === 0x0800 && plen === 4;
  const senderIp = ip ? ipv4(b, spa) : undefined;
  const targetIp = ip ? ipv4(b, tpa) : undefined;
  const sameIp = plen > 0 && equal(b, spa, tpa, plen);
  const zeroTha = allZero(b, tha, hlen);
  const zeroSpa = allZero(b, spa, plen);
  const gratuitous = (op === 1 || op === 2) && sameIp && !zeroSpa;
  return {
    htype,
    ptype,
    hlen,
    plen,
    op,
    senderMac: hlen > 0 ? mac(b, sha, hlen) : '',
    senderIp,
    targetMac: hlen > 0 ? mac(b, tha, hlen) : '',
    targetIp,
    gratuitous,
    announcement: op === 1 && gratuitous && zeroTha,
    probe: op === 1 && zeroSpa && zeroTha && !sameIp,
  };
}

function equal(b: Uint8Array, p: number, q: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[p + i] !== b[q + i]) return false;
  return true;
}

function allZero(b: Uint8Array, p: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (b[p + i] !== 0) return false;
  return true;
}
