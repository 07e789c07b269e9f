// ICMPv6 Neighbor Advertisement (RFC 4861 §4.4): how an IPv6 VRRP master announces a virtual
// address (unsolicited: S clear, usually O set, to ff02::1).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |     Type      |     Code      |          Checksum             |
//   |R|S|O|                     Reserved                            |
//   |                       Target Address (16)                     |
//   |   Options ...  type 2 = Target Link-Layer Address             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

import { need } from './decode-error.js';
import { ipv6, mac } from './format.js';
import type { NeighborAdvert } from './packet.js';

export const ICMPV6_NEIGHBOR_ADVERT = 136;

export function decodeNeighborAdvert(b: Uint8Array, at: number, len: number, capEnd: number, partial: Record<string, unknown>): NeighborAdvert {
  const end = Math.min(at + len, capEnd);
  need('icmpv6-na', at, 24, end);
  const flags = b[at + 4]!;
  const router = (flags & 0x80) !== 0;
  const solicited = (flags & 0x40) !== 0;
  const override = (flags & 0x20) !== 0;
  const target = ipv6(b, at + 8);
  Object.assign(partial, { router, solicited, override, target });
  let targetMac: string | undefined;
  for (let p = at + 24; end - p >= 2; ) {
    const type = b[p]!;
    const units = b[p + 1]!;
    if (units === 0) break; // RFC 4861 §4.6: a zero length option ends parsing.
    need('icmpv6-na', p, units * 8, end);
    if (type === 2 && units === 1) targetMac = mac(b, p + 2);
    p += units * 8;
  }
  return { router, solicited, override, target, targetMac };
}
