// VRRP advertisements, versions 2 (RFC 3768 §5.1) and 3 (RFC 5798 §5.1).
//
// Version 2 (IPv4 only):
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   Auth Type   |   Adver Int   |          Checksum             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         IP Address (1)                        |
//   |                            ...                                |
//   |                     Authentication Data (1)                   |
//   |                     Authentication Data (2)                   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   Adver Int in seconds. Checksum over the VRRP message only.
//
// Version 3 (IPv4 and IPv6):
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
//   |(rsvd) |     Max Adver Int     |          Checksum             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                    IPvX Address(es) ...                       |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   Max Adver Int: 12 bits of centiseconds. Checksum with the IP pseudo-header (RFC 5798 §5.2.8);
//   some peers leave the pseudo-header out for IPv4, so both are tried and the one that matched is
//   reported. A message cut short by the capture has an "unknown" checksum, not a bad one.

import { pseudoSum, verifies } from './checksum.js';
import { DecodeError, need } from './decode-error.js';
import { ipv4, ipv6, latin1 } from './format.js';
import { ChecksumStatus, ChecksumVariant, type Vrrp } from './packet.js';

export const VRRP_PROTO = 112;
export const VRRP_ADVERTISEMENT = 1;

export type VrrpContext = {
  readonly family: 4 | 6;
  /** Offsets of the IP source and destination addresses, for the v3 pseudo-header. */
  readonly ipSrcAt: number;
  readonly ipDstAt: number;
  /** Offset and length of the source MAC, srcMacAt -1 when unknown. */
  readonly srcMacAt: number;
  readonly srcMacLen: number;
  readonly viaAh: boolean;
};

/**
 * Decodes the VRRP message at b[at, at + len) of which b[at, capEnd) was captured. Fields read so
 * far are left in `partial`, so a malformed packet still shows what could be read.
 */
export function decodeVrrp(b: Uint8Array, at: number, len: number, capEnd: number, ctx: VrrpContext, partial: Record<string, unknown>): Vrrp {
  const end = Math.min(at + len, capEnd);
  need('vrrp', at, 1, end);
  const version = b[at]! >> 4;
  const type = b[at]! & 0x0f;
  const v3 = version === 3;
  // A message cut short still shows the fields it has, one by one, as tcpdump and tshark show them.
  const have = end - at;
  partial['version'] = version;
  partial['type'] = type;
  if (have >= 2) partial['vrid'] = b[at + 1]!;
  if (have >= 3) partial['priority'] = b[at + 2]!;
  if (have >= 4) partial['count'] = b[at + 3]!;
  if (have >= 5 && !v3) partial['authType'] = b[at + 4]!;
  if (have >= 6) {
    partial['interval'] = v3 ? ((b[at + 4]! & 0x0f) << 8) | b[at + 5]! : b[at + 5]!;
    partial['intervalUnit'] = v3 ? 'cs' : 's';
  }
  need('vrrp', at, 8, end);
  const vrid = b[at + 1]!;
  const priority = b[at + 2]!;
  const count = b[at + 3]!;
  // Unknown versions are read with the v2 layout, as Wireshark does, then refused.
  const authType = v3 ? undefined : b[at + 4]!;
  const interval = v3 ? ((b[at + 4]! & 0x0f) << 8) | b[at + 5]! : b[at + 5]!;
  const checksum = (b[at + 6]! << 8) | b[at + 7]!;
  partial['checksum'] = checksum;
  // The checksum covers the whole message the IP header describes, whatever Count says, so it is
  // known (good or bad) even when the addresses or the auth data run past the end.
  const status = checksumOf(b, at, len, capEnd, v3, ctx);
  partial['checksumStatus'] = status.status;

  const addrLen = v3 && ctx.family === 6 ? 16 : 4;
  const addresses: string[] = [];
  partial['addresses'] = addresses;
  let p = at + 8;
  for (let i = 0; i < count; i++, p += addrLen) {
    need('vrrp', p, addrLen, end);
    addresses.push(addrLen === 4 ? ipv4(b, p) : ipv6(b, p));
  }
  let authText: string | undefined;
  // Authentication Data is read only when it means something: several stacks (and tcpdump, tshark)
  // accept a no-auth v2 advert that leaves those 8 bytes out.
  if (!v3) {
    if (authType === 1) {
      need('vrrp', p, 8, end);
      let n = 8;
      while (n > 0 && b[p + n - 1] === 0) n--;
      authText = latin1(b, p, n);
      partial['authText'] = authText;
    }
  }
  if (version !== 2 && version !== 3) throw new DecodeError('vrrp', at, 1, 1, `unknown VRRP version ${version}`);
  if (version === 2 && ctx.family === 6) throw new DecodeError('vrrp', at, 1, 1, 'VRRPv2 over IPv6');
  if (type !== VRRP_ADVERTISEMENT) throw new DecodeError('vrrp', at, 1, 1, `unknown VRRP type ${type}`);

  return {
    version,
    type,
    vrid,
    priority,
    count,
    authType,
    authText,
    interval,
    intervalUnit: v3 ? 'cs' : 's',
    intervalCs: v3 ? interval : interval * 100,
    checksum,
    checksumStatus: status.status,
    checksumVariant: status.variant,
    addresses,
    length: len,
    virtualMac: isVirtualMac(b, ctx.srcMacAt, ctx.srcMacLen, ctx.family, vrid),
    viaAh: ctx.viaAh,
  };
}

type ChecksumResult = { readonly status: ChecksumStatus; readonly variant: ChecksumVariant | undefined };
// One object per outcome, not per advert.
const UNKNOWN: ChecksumResult = { status: ChecksumStatus.unknown, variant: undefined };
const BAD: ChecksumResult = { status: ChecksumStatus.bad, variant: undefined };
const GOOD_V2: ChecksumResult = { status: ChecksumStatus.good, variant: ChecksumVariant.v2 };
const GOOD_V3_PSEUDO: ChecksumResult = { status: ChecksumStatus.good, variant: ChecksumVariant.v3Pseudo };
const GOOD_V3_MESSAGE: ChecksumResult = { status: ChecksumStatus.good, variant: ChecksumVariant.v3Message };

function checksumOf(b: Uint8Array, at: number, len: number, capEnd: number, v3: boolean, ctx: VrrpContext): ChecksumResult {
  if (at + len > capEnd) return UNKNOWN;
  if (!v3) return verifies(b, at, len) ? GOOD_V2 : BAD;
  const pseudo = pseudoSum(b, ctx.ipSrcAt, ctx.ipDstAt, ctx.family === 4 ? 4 : 16, len, VRRP_PROTO);
  if (verifies(b, at, len, pseudo)) return GOOD_V3_PSEUDO;
  if (ctx.family === 4 && verifies(b, at, len)) return GOOD_V3_MESSAGE;
  return BAD;
}

/** 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6 (RFC 5798 §7.3). */
export function isVirtualMac(b: Uint8Array, at: number, len: number, family: 4 | 6, vrid: number): boolean {
  return at >= 0 && len === 6 && b[at] === 0 && b[at + 1] === 0 && b[at + 2] === 0x5e && b[at + 3] === 0 && b[at + 4] === (family === 4 ? 1 : 2) && b[at + 5] === vrid;
}
