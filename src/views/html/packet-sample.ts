// A bounded sample of the packets behind the timeline's marks, so hovering a takeover or a GARP on
// the page shows the packet itself. The model keeps no packets; this keeps only the ones that can
// start a mark — a router's first advert, one after a pause, a changed or zero priority, the first
// gratuitous ARP / NA of a burst — and of those only the newest LIMIT (the model's lists keep the
// newest too), so a day-long capture costs a fixed amount of memory.

import type { Packet } from '../../decode/packet.js';
import { formatPacket } from '../packet-line.js';

const LIMIT = 4096;
/** Per-sender state kept to spot those packets; cleared wholesale past this many senders. */
const SENDERS = 65_536;
/** A pause longer than this many advert intervals may end in a new claim. */
const PAUSE_INTERVALS = 1.5;
const BURST_GAP_NS = 2_000_000_000n;

type Sender = { last: bigint; prio: number };

export class PacketSample {
  private readonly kept = new Map<string, { who: string; line: string }[]>();
  private readonly senders = new Map<string, Sender>();
  private size = 0;

  add(p: Packet, segment: string): void {
    if (p.kind === 'vrrp') {
      const key = `v|${segment}|${p.vrrp.vrid}|${p.ip.src}`;
      const s = this.senders.get(key);
      const pause = s !== undefined && Number(p.ts - s.last) > p.vrrp.intervalCs * 1e7 * PAUSE_INTERVALS;
      if (!s || pause || s.prio !== p.vrrp.priority || p.vrrp.priority === 0) this.keep(segment, p.ts, p.ip.src, p);
      this.sender(key, p.ts, p.vrrp.priority);
    } else if ((p.kind === 'arp' && p.arp.gratuitous) || (p.kind === 'na' && !p.na.solicited)) {
      const mac = p.kind === 'arp' ? p.arp.senderMac : (p.na.targetMac ?? p.l2.src ?? '?');
      const ip = p.kind === 'arp' ? p.arp.senderIp : p.na.target;
      const key = `g|${segment}|${ip}|${mac}`;
      const s = this.senders.get(key);
      if (!s || p.ts - s.last > BURST_GAP_NS) this.keep(segment, p.ts, mac, p);
      this.sender(key, p.ts, 0);
    }
  }

  /** The --packets line (and where to find the frame) of the packet from `who` at `ts`, if kept. */
  find(segment: string, ts: bigint, who: string | undefined): string | undefined {
    const list = this.kept.get(`${segment}|${ts}`);
    return (list?.find((e) => e.who === who) ?? list?.[0])?.line;
  }

  private sender(key: string, ts: bigint, prio: number): void {
    if (this.senders.size >= SENDERS && !this.senders.has(key)) this.senders.clear();
    this.senders.set(key, { last: ts, prio });
  }

  private keep(segment: string, ts: bigint, who: string, p: Packet): void {
    const key = `${segment}|${ts}`;
    const line = `${formatPacket(p, segment)} — frame ${p.frame} of ${p.input}`;
    const list = this.kept.get(key);
    if (list) list.push({ who, line });
    else this.kept.set(key, [{ who, line }]);
    if (++this.size <= LIMIT) return;
    // Maps iterate in insertion order: the first key is the oldest.
    const oldest = this.kept.keys().next().value as string;
    this.size -= this.kept.get(oldest)!.length;
    this.kept.delete(oldest);
  }
}
