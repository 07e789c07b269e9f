// CARP (OpenBSD / pfSense) shares IP protocol 112 and the version nibble 2 with VRRPv2.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version| Type  |     VHID      |    AdvSkew    |    AuthLen    |
//   |   Demotion    |    AdvBase    |          Checksum             |
//   |                         Counter (64 bits)                     |
//   |                    SHA-1 HMAC (20 bytes) ...                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A CARP advert is always 36 bytes with AuthLen 7 (32-bit words of counter + HMAC). A VRRPv2
// advert with Count 7 would be 44 bytes, so "36 bytes and byte 3 = 7" tells them apart.

import { verifies } from './checksum.js';
import { need } from './decode-error.js';
import { ChecksumStatus, type Carp } from './packet.js';
import { isVirtualMac } from './vrrp.js';

export const CARP_LENGTH = 36;

export function looksLikeCarp(b: Uint8Array, at: number, len: number, capEnd: number): boolean {
  return len === CARP_LENGTH && capEnd - at >= 4 && b[at] === 0x21 && b[at + 3] === 7;
}

export function decodeCarp(b: Uint8Array, at: number, len: number, capEnd: number, srcMacAt: number, srcMacLen: number, partial: Record<string, unknown>): Carp {
  const end = Math.min(at + len, capEnd);
  need('carp', at, 16, end);
  const vhid = b[at + 1]!;
  let counter = 0n;
  for (let i = 0; i < 8; i++) counter = (counter << 8n) | BigInt(b[at + 8 + i]!);
  const carp: Carp = {
    version: b[at]! >> 4,
    type: b[at]! & 0x0f,
    vhid,
    advskew: b[at + 2]!,
    authLen: b[at + 3]!,
    demotion: b[at + 4]!,
    advbase: b[at + 5]!,
    counter,
    checksumStatus: at + len > capEnd ? ChecksumStatus.unknown : verifies(b, at, len) ? ChecksumStatus.good : ChecksumStatus.bad,
    virtualMac: isVirtualMac(b, srcMacAt, srcMacLen, 4, vhid),
  };
  Object.assign(partial, carp);
  return carp;
}
