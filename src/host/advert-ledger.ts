// Who advertised when, per segment + VRID, and which addresses spoke on each segment: what the
// host correlation needs to compare the wire with keepalived's counters over a time window. Bounded:
// past `limit` entries the oldest half is let go (counters are sampled every few seconds, so only
// the recent past is ever asked about).

import type { Packet } from '../decode/packet.js';

type Entry = { readonly ts: bigint; readonly src: string; readonly prio: number };

export class AdvertLedger {
  private readonly adverts = new Map<string, Entry[]>();
  private readonly speakers = new Map<string, Set<string>>();
  /** segment|vrid|family|src → how its adverts last came: destination (unicast peers) and AH. */
  private readonly how = new Map<string, { dst: string; ah: boolean }>();
  private size = 0;

  constructor(private readonly limit = 400_000) {}

  /** Feed every packet with its segment. */
  add(p: Packet, segment: string): void {
    if (p.kind === 'vrrp') {
      const key = `${segment}|${p.vrrp.vrid}|${p.ip.family}`;
      let list = this.adverts.get(key);
      if (!list) this.adverts.set(key, (list = []));
      list.push({ ts: p.ts, src: p.ip.src, prio: p.vrrp.priority });
      const hk = `${key}|${p.ip.src}`;
      const h = this.how.get(hk);
      if (h === undefined) {
        if (this.how.size < 65_536) this.how.set(hk, { dst: p.ip.dst, ah: p.vrrp.viaAh });
      } else if (h.dst !== p.ip.dst || h.ah !== p.vrrp.viaAh) {
        h.dst = p.ip.dst;
        h.ah = p.vrrp.viaAh;
      }
      if (++this.size > this.limit) this.trim();
      this.speaker(segment, p.ip.src);
    } else if (p.kind === 'arp' && p.arp.senderIp !== undefined && p.arp.senderIp !== '0.0.0.0') this.speaker(segment, p.arp.senderIp);
    else if (p.kind === 'na') this.speaker(segment, p.ip.src);
  }

  /** Adverts per source address on segment/VRID/family with from < ts ≤ to. */
  count(segment: string, vrid: number, family: 4 | 6, from: bigint, to: bigint): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of this.adverts.get(`${segment}|${vrid}|${family}`) ?? []) {
      if (e.ts > from && e.ts <= to) out.set(e.src, (out.get(e.src) ?? 0) + 1);
    }
    return out;
  }

  /** src's adverts (time, priority) on segment/VRID/family with from < ts ≤ to, oldest first. */
  times(segment: string, vrid: number, family: 4 | 6, src: string, from: bigint, to: bigint): { readonly ts: bigint; readonly prio: number }[] {
    const out: { ts: bigint; prio: number }[] = [];
    for (const e of this.adverts.get(`${segment}|${vrid}|${family}`) ?? []) if (e.src === src && e.ts > from && e.ts <= to) out.push({ ts: e.ts, prio: e.prio });
    return out;
  }

  /** Where src's latest advert went (its destination address) and whether it came inside AH. */
  delivery(segment: string, vrid: number, family: 4 | 6, src: string): { readonly dst: string; readonly ah: boolean } | undefined {
    return this.how.get(`${segment}|${vrid}|${family}|${src}`);
  }

  /** The first and last advert time on segment/VRID/family, if any. */
  span(segment: string, vrid: number, family: 4 | 6): [bigint, bigint] | undefined {
    const l = this.adverts.get(`${segment}|${vrid}|${family}`);
    return l && l.length > 0 ? [l[0]!.ts, l[l.length - 1]!.ts] : undefined;
  }

  /** Whether `ip` sent anything (VRRP, ARP, NA) on the segment. */
  spoke(segment: string, ip: string): boolean {
    return this.speakers.get(segment)?.has(ip) ?? false;
  }

  segments(): string[] {
    return [...this.speakers.keys()];
  }

  private speaker(segment: string, ip: string): void {
    let s = this.speakers.get(segment);
    if (!s) this.speakers.set(segment, (s = new Set()));
    if (s.size < 4096) s.add(ip);
  }

  private trim(): void {
    for (const list of this.adverts.values()) {
      const drop = Math.floor(list.length / 2);
      list.splice(0, drop);
      this.size -= drop;
    }
  }
}
