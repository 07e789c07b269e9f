// What the decoders produce: one readonly record per interesting frame, a discriminated union on
// `kind`. Frames that are neither VRRP, CARP, ARP nor a neighbour advertisement produce nothing.

import type { Direction } from '../capture/frame.js';
import type { DecodedAdvert } from './advert-cache.js';

export type FrameMeta = {
  /** Nanoseconds since the epoch (packet time; the only clock the model knows). */
  readonly ts: bigint;
  /**
   * The same time as two exact numbers, ts = tsSec × 10^9 + tsNsec, when the decoder made them
   * (adverts: decode/advert-packet.ts); the model's clock then needs no BigInt. A packet built from
   * another with a new `ts` must not carry the old ones.
   */
  readonly tsSec?: number;
  readonly tsNsec?: number;
  /** The input this came from: the -r label or file name, or the live interface. */
  readonly input: string;
  /** Interface name when the capture knows it (pcapng if_name, live capture). */
  readonly ifName: string | undefined;
  /** pcapng interface number, or the SLL2 interface index. */
  readonly ifIndex: number | undefined;
  /** The receiving interface's ifindex from the SLL2 header (`-i any`), whatever the file format. */
  readonly linkIfIndex?: number;
  readonly direction: Direction;
  /** 1-based frame number in its input. */
  readonly frame: number;
  readonly caplen: number;
  readonly origlen: number;
  readonly linktype: number;
};

export type L2 = {
  /** Source MAC (for 802.1ah, the inner customer source address). */
  readonly src: string | undefined;
  readonly dst: string | undefined;
  /** 802.1Q / 802.1ad VLAN IDs, outermost first. */
  readonly vlans: readonly number[];
};

export type IpHeader = {
  readonly family: 4 | 6;
  readonly src: string;
  readonly dst: string;
  /** TTL (IPv4) or hop limit (IPv6). */
  readonly ttl: number;
  /** The protocol that carried the payload (112, 51 for AH, 58 for ICMPv6). */
  readonly proto: number;
  readonly multicast: boolean;
};

export const ChecksumStatus = { good: 'good', bad: 'bad', unknown: 'unknown' } as const;
export type ChecksumStatus = (typeof ChecksumStatus)[keyof typeof ChecksumStatus];

/** Which computation made a VRRP checksum come out right. */
export const ChecksumVariant = {
  v2: 'v2-message',
  v3Pseudo: 'v3-pseudo-header',
  v3Message: 'v3-message-only',
} as const;
export type ChecksumVariant = (typeof ChecksumVariant)[keyof typeof ChecksumVariant];

export const AuthType = { none: 0, simple: 1, ah: 2 } as const;

export type Vrrp = {
  readonly version: number;
  readonly type: number;
  readonly vrid: number;
  readonly priority: number;
  readonly count: number;
  /** v2 only: 0 none, 1 simple text, 2 IP AH. */
  readonly authType: number | undefined;
  /** v2 simple-text password as sent (latin1, up to 8 bytes, trailing NULs removed). */
  readonly authText: string | undefined;
  /** The interval field as sent: seconds in v2, centiseconds in v3. */
  readonly interval: number;
  readonly intervalUnit: 's' | 'cs';
  /** The interval in centiseconds whatever the version. */
  readonly intervalCs: number;
  readonly checksum: number;
  readonly checksumStatus: ChecksumStatus;
  readonly checksumVariant: ChecksumVariant | undefined;
  readonly addresses: readonly string[];
  /** Length of the VRRP message per the IP header. */
  readonly length: number;
  /** Source MAC is 00-00-5E-00-01-{VRID} (IPv4) or 00-00-5E-00-02-{VRID} (IPv6). */
  readonly virtualMac: boolean;
  /** Carried inside an IP Authentication Header (RFC 2338 auth type 2). */
  readonly viaAh: boolean;
};

export type Carp = {
  readonly version: number;
  readonly type: number;
  readonly vhid: number;
  readonly advskew: number;
  readonly authLen: number;
  readonly demotion: number;
  readonly advbase: number;
  readonly counter: bigint;
  readonly checksumStatus: ChecksumStatus;
  readonly virtualMac: boolean;
};

export type Arp = {
  readonly htype: number;
  readonly ptype: number;
  readonly hlen: number;
  readonly plen: number;
  /** 1 request, 2 reply, 3/4 RARP. */
  readonly op: number;
  readonly senderMac: string;
  readonly senderIp: string | undefined;
  readonly targetMac: string;
  readonly targetIp: string | undefined;
  /** Sender IP equals target IP (and is not 0.0.0.0): the host announces its own mapping. */
  readonly gratuitous: boolean;
  /** RFC 5227 announcement: a gratuitous request with an all-zero target MAC. */
  readonly announcement: boolean;
  /** RFC 5227 probe: a request from 0.0.0.0 with an all-zero target MAC. */
  readonly probe: boolean;
};

export type NeighborAdvert = {
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: string;
  /** Target link-layer address option (type 2), when present. */
  readonly targetMac: string | undefined;
};

/** `shared`: the advert cache's entry when the records are shared with the advert's repeats (advert-cache.ts). */
export type VrrpPacket = FrameMeta & { readonly kind: 'vrrp'; readonly l2: L2; readonly ip: IpHeader; readonly vrrp: Vrrp; readonly shared?: DecodedAdvert | undefined };
export type CarpPacket = FrameMeta & { readonly kind: 'carp'; readonly l2: L2; readonly ip: IpHeader; readonly carp: Carp };
export type ArpPacket = FrameMeta & { readonly kind: 'arp'; readonly l2: L2; readonly arp: Arp };
export type NaPacket = FrameMeta & { readonly kind: 'na'; readonly l2: L2; readonly ip: IpHeader; readonly na: NeighborAdvert };

/** A frame of a protocol we watch that could not be decoded; `partial` holds what was read before the damage. */
export type MalformedPacket = FrameMeta & {
  readonly kind: 'malformed';
  readonly protocol: 'vrrp' | 'carp' | 'arp' | 'na' | 'ip';
  readonly layer: string;
  readonly reason: string;
  readonly l2: L2 | undefined;
  readonly ip: IpHeader | undefined;
  readonly partial: Readonly<Record<string, unknown>>;
};

export type Packet = VrrpPacket | CarpPacket | ArpPacket | NaPacket | MalformedPacket;
export type PacketKind = Packet['kind'];
