// Ethernet frames of VRRP adverts (v2 and v3, IPv4 and IPv6, checksums right: RFC 3768 §5.3.8,
// RFC 5798 §5.2.8 with the IPv6 pseudo-header) and gratuitous ARP, and classic pcap files of them,
// for the dashboard's end-to-end tests (files, and a writer that streams at wall-clock time).

import { pcapFile, type PcapRecord } from './capture-writer.js';

export type Advert = { src: string; vrid: number; prio: number; vips: string[]; v?: 2 | 3; cs?: number };

function sum(b: readonly number[], start = 0): number {
  let s = start;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const fold = (s: number): number => ~s & 0xffff;
const v4 = (a: string): number[] => a.split('.').map(Number);
function v6(a: string): number[] {
  const [h, t] = a.split('::') as [string, string | undefined];
  const hs = h ? h.split(':') : [];
  const ts = t !== undefined && t !== '' ? t.split(':') : [];
  const groups = [...hs, ...new Array(8 - hs.length - ts.length).fill('0'), ...ts];
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}
const mac = (vrid: number, six: boolean): number[] => [0, 0, 0x5e, 0, six ? 2 : 1, vrid];

export function advertFrame(a: Advert): Uint8Array {
  const six = a.src.includes(':');
  const v = six ? 3 : (a.v ?? 2);
  const cs = a.cs ?? 100;
  const addrs = a.vips.flatMap((x) => (six ? v6(x) : v4(x)));
  const vrrp =
    v === 2
      ? [0x21, a.vrid, a.prio, a.vips.length, 0, Math.round(cs / 100), 0, 0, ...addrs, 0, 0, 0, 0, 0, 0, 0, 0]
      : [0x31, a.vrid, a.prio, a.vips.length, (cs >> 8) & 0x0f, cs & 0xff, 0, 0, ...addrs];
  if (six) {
    const src = v6(a.src);
    const dst = v6('ff02::12');
    const pseudo = [...src, ...dst, 0, 0, (vrrp.length >> 8) & 0xff, vrrp.length & 0xff, 0, 0, 0, 112];
    const c = fold(sum(vrrp, sum(pseudo)));
    vrrp[6] = c >> 8;
    vrrp[7] = c & 0xff;
    const ip = [0x6e, 0, 0, 0, (vrrp.length >> 8) & 0xff, vrrp.length & 0xff, 112, 255, ...src, ...dst];
    return Uint8Array.from([0x33, 0x33, 0, 0, 0, 0x12, ...mac(a.vrid, true), 0x86, 0xdd, ...ip, ...vrrp]);
  }
  const src = v4(a.src);
  const dst = [224, 0, 0, 18];
  const c = v === 2 ? fold(sum(vrrp)) : fold(sum(vrrp, sum([...src, ...dst, 0, 112, (vrrp.length >> 8) & 0xff, vrrp.length & 0xff])));
  vrrp[6] = c >> 8;
  vrrp[7] = c & 0xff;
  const ip = [0x45, 0xc0, 0, 20 + vrrp.length, 0, 0, 0, 0, 255, 112, 0, 0, ...src, ...dst];
  const ic = fold(sum(ip));
  ip[10] = ic >> 8;
  ip[11] = ic & 0xff;
  return Uint8Array.from([1, 0, 0x5e, 0, 0, 0x12, ...mac(a.vrid, false), 0x08, 0x00, ...ip, ...vrrp]);
}

/** A gratuitous ARP request for `ip` from the VRID's virtual MAC. */
export function garpFrame(ip: string, vrid: number): Uint8Array {
  const m = mac(vrid, false);
  return Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...m, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, ...m, ...v4(ip), 0, 0, 0, 0, 0, 0, ...v4(ip), ...new Array(18).fill(0)]);
}

export type Timed = { t: number; frame: Uint8Array };

export function record(t: number, frame: Uint8Array): PcapRecord {
  const sec = Math.floor(t);
  return { sec, frac: Math.round((t - sec) * 1e6), data: frame };
}

export function pcapOf(frames: readonly Timed[]): Uint8Array {
  return pcapFile({ le: true, records: [...frames].sort((a, b) => a.t - b.t).map((f) => record(f.t, f.frame)) });
}

/** The 24-byte classic pcap header alone (for a stream), and one record. */
export function pcapHeader(): Uint8Array {
  return pcapFile({ le: true, records: [] });
}
export function pcapRecord(t: number, frame: Uint8Array): Uint8Array {
  return pcapFile({ le: true, records: [record(t, frame)] }).subarray(24);
}

/** Twenty VRIDs, each with one master advertising every second for `seconds`; VRID `split` also has a second master from half-way. */
export function twentyVrids(t0: number, seconds: number, split: number): Timed[] {
  const out: Timed[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let vrid = 1; vrid <= 20; vrid++) {
      out.push({ t: t0 + s + vrid / 1000, frame: advertFrame({ src: `10.20.${vrid}.11`, vrid, prio: 150, vips: [`10.20.${vrid}.1`] }) });
      if (vrid === split && s >= seconds / 2) out.push({ t: t0 + s + 0.5, frame: advertFrame({ src: `10.20.${vrid}.12`, vrid, prio: 100, vips: [`10.20.${vrid}.1`] }) });
    }
  }
  return out;
}
