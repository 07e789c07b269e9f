// Decoded packets made by hand for reducer tests: a VRRP advert or a gratuitous ARP on eth0, as
// the decoder would hand them to the model.

import type { ArpPacket, VrrpPacket } from '../../src/decode/packet.js';

export type AdvertSpec = { src: string; prio?: number; cs?: number; v?: 2 | 3; vips?: string[]; auth?: string; vrid?: number; mac?: string };

/** Seconds → ns since the epoch, exact to the microsecond. */
export const at = (sec: number): bigint => BigInt(Math.round(sec * 1e6)) * 1000n;

/** A stable MAC per router address (02:00:00:00:00:<last octet>). */
export const macOf = (src: string): string => `02:00:00:00:00:${(Number(src.split('.').pop()) % 256).toString(16).padStart(2, '0')}`;

function meta(t: number) {
  return { ts: at(t), input: 'synthetic', ifName: 'eth0', ifIndex: 0, direction: 'unknown' as const, frame: 0, caplen: 60, origlen: 60, linktype: 1 };
}

export function advert(s: AdvertSpec, t: number): VrrpPacket {
  const version = s.v ?? 2;
  const cs = s.cs ?? 100;
  const vips = s.vips ?? ['192.168.2.1'];
  return {
    kind: 'vrrp',
    ...meta(t),
    l2: { src: s.mac ?? macOf(s.src), dst: '01:00:5e:00:00:12', vlans: [] },
    ip: { family: 4, src: s.src, dst: '224.0.0.18', ttl: 255, proto: 112, multicast: true },
    vrrp: {
      version,
      type: 1,
      vrid: s.vrid ?? 51,
      priority: s.prio ?? 100,
      count: vips.length,
      authType: version === 2 ? (s.auth ? 1 : 0) : undefined,
      authText: version === 2 ? s.auth : undefined,
      interval: version === 2 ? cs / 100 : cs,
      intervalUnit: version === 2 ? 's' : 'cs',
      intervalCs: cs,
      checksum: 0,
      checksumStatus: 'good',
      checksumVariant: version === 2 ? 'v2-message' : 'v3-pseudo-header',
      addresses: vips,
      length: 20,
      virtualMac: false,
      viaAh: false,
    },
  };
}

export function garp(ip: string, mac: string, t: number): ArpPacket {
  return {
    kind: 'arp',
    ...meta(t),
    l2: { src: mac, dst: 'ff:ff:ff:ff:ff:ff', vlans: [] },
    arp: { htype: 1, ptype: 0x800, hlen: 6, plen: 4, op: 1, senderMac: mac, senderIp: ip, targetMac: '00:00:00:00:00:00', targetIp: ip, gratuitous: true, announcement: true, probe: false },
  };
}
