// The per-VRID timeline: a reducer over packets and ticks whose only clock is packet time, so a
// replay and a live run of the same packets give the same timeline.
//
// Mastership as seen from the wire: a router claims mastership from its first advert (or
// gratuitous ARP for a virtual IP) after being silent, and keeps the claim while its adverts keep
// coming within the master-down interval (RFC 3768 §6.1, RFC 5798 §6.1). The master is the latest
// claimant; when its claim ends (priority 0, or silence past master-down) the mastership falls to the
// best router still claiming (RFC order: higher priority, then higher address), or to nobody.
// Two claims at once for longer than a hand-over is a split brain.

import type { Packet, VrrpPacket } from '../decode/packet.js';
import { pushBounded } from './bounded.js';
import {
  ChangeReason,
  GAP_BINS,
  Limits,
  type Family,
  type RouterState,
  type Transition,
  type VipState,
  type VridState,
} from './model-types.js';
import { intervalNs, masterDownNs } from './vrrp-timing.js';

export type ModelEvent = { readonly kind: 'packet'; readonly segment: string; readonly packet: Packet } | { readonly kind: 'tick'; readonly ts: bigint };

export type Counters = {
  packets: number;
  adverts: number;
  carp: number;
  arp: number;
  garps: number;
  neighborAdverts: number;
  malformed: number;
  /** Segments where ARP or NA frames were seen at all (so the capture filter let them in). */
  readonly arpSegments: Set<string>;
  readonly malformedReasons: Map<string, number>;
};

/** How long after taking over a new master is expected to have announced its virtual IPs. */
export const GARP_GRACE_NS = 6_000_000_000n;
/** Gratuitous ARPs closer than this belong to one burst. */
const BURST_GAP_NS = 2_000_000_000n;
/** A master whose last advert is this many intervals old is still "on time". */
const ON_TIME_INTERVALS = 1.5;

export class Timeline {
  readonly vrids = new Map<string, VridState>();
  readonly vips = new Map<string, VipState>();
  readonly counters: Counters = { packets: 0, adverts: 0, carp: 0, arp: 0, garps: 0, neighborAdverts: 0, malformed: 0, arpSegments: new Set(), malformedReasons: new Map() };
  /** The model clock: the newest packet or tick time. */
  now = 0n;
  first: bigint | undefined;
  droppedVrids = 0;
  /** Transitions as they are decided, for streaming views; drained by the caller. */
  readonly newTransitions: { vrid: VridState; t: Transition }[] = [];

  apply(e: ModelEvent): void {
    const ts = e.kind === 'tick' ? e.ts : e.packet.ts;
    if (ts > this.now) this.now = ts;
    if (this.first === undefined || ts < this.first) this.first = ts;
    if (e.kind === 'tick') return this.expireAll(ts);
    const p = e.packet;
    this.counters.packets++;
    switch (p.kind) {
      case 'vrrp':
        return this.advert(e.segment, p);
      case 'carp':
        this.counters.carp++;
        return;
      case 'arp': {
        this.counters.arp++;
        this.counters.arpSegments.add(e.segment);
        const a = p.arp;
        if (a.senderIp === undefined) return;
        if (a.gratuitous) this.counters.garps++;
        // A gratuitous ARP or a reply both say "this IP is at this MAC".
        if (a.gratuitous || a.op === 2) this.announce(e.segment, 4, a.senderIp, a.senderMac, p.ts, a.gratuitous ? 'garp' : 'arp-reply');
        return;
      }
      case 'na':
        this.counters.neighborAdverts++;
        this.counters.arpSegments.add(e.segment);
        if (!p.na.solicited) this.counters.garps++;
        this.announce(e.segment, 6, p.na.target, p.na.targetMac ?? p.l2.src ?? '?', p.ts, p.na.solicited ? 'arp-reply' : 'na');
        return;
      case 'malformed': {
        this.counters.malformed++;
        const r = `${p.protocol}: ${p.reason}`;
        this.counters.malformedReasons.set(r, (this.counters.malformedReasons.get(r) ?? 0) + 1);
        return;
      }
    }
  }

  /** Advances every VRID's clock to `ts` (ends claims that went silent). */
  expireAll(ts: bigint): void {
    for (const v of this.vrids.values()) this.expire(v, ts);
  }

  private vrid(segment: string, vrid: number, family: Family, ts: bigint): VridState | undefined {
    const key = `${segment}|${vrid}|${family}`;
    let v = this.vrids.get(key);
    if (v) return v;
    if (this.vrids.size >= Limits.vrids) {
      this.droppedVrids++;
      return undefined;
    }
    v = {
      key,
      segment,
      vrid,
      family,
      routers: new Map(),
      master: undefined,
      history: [],
      transitions: [],
      gaps: [],
      gapHistogram: new Array<number>(GAP_BINS.length + 1).fill(0),
      maxGapNs: 0n,
      lateGaps: 0,
      overDownGaps: 0,
      adverts: 0,
      splitBrains: [],
      openSplit: undefined,
      silences: [],
      noMaster: [],
      onTimeTakeovers: [],
      garpPending: [],
      garpMissing: [],
      firstSeen: ts,
      lastSeen: ts,
      droppedRouters: 0,
    };
    this.vrids.set(key, v);
    return v;
  }

  private advert(segment: string, p: VrrpPacket): void {
    this.counters.adverts++;
    const a = p.vrrp;
    const ts = p.ts;
    const v = this.vrid(segment, a.vrid, p.ip.family, ts);
    if (!v) return;
    this.expire(v, ts);
    v.adverts++;
    v.lastSeen = ts;
    let r = v.routers.get(p.ip.src);
    if (!r) {
      if (v.routers.size >= Limits.routersPerVrid) {
        v.droppedRouters++;
        return;
      }
      r = {
        address: p.ip.src,
        macs: [],
        priority: a.priority,
        priorityChanges: [],
        intervalCs: a.intervalCs,
        version: a.version,
        authType: a.authType,
        authText: a.authText,
        vips: [],
        ttl: p.ip.ttl,
        badTtl: 0,
        badChecksum: 0,
        checksumVariant: a.checksumVariant,
        unicast: !p.ip.multicast,
        dst: p.ip.dst,
        virtualMac: a.virtualMac,
        local: false,
        firstSeen: ts,
        lastAdvert: ts,
        lastGarp: undefined,
        adverts: 0,
        spellStart: undefined,
        released: false,
        recent: [],
        masterAtLast: false,
      };
      v.routers.set(p.ip.src, r);
    }
    // Gap between this router's consecutive adverts while it was the master (even when the gap
    // was long enough to end its claim: that is exactly the silence to report).
    if (r.adverts > 0 && r.masterAtLast) this.gap(v, r, ts - r.lastAdvert, ts);
    if (a.priority !== r.priority && a.priority !== 0 && r.priority !== 0) pushBounded(r.priorityChanges, { ts, from: r.priority, to: a.priority }, Limits.history);
    r.priority = a.priority;
    r.intervalCs = a.intervalCs;
    r.version = a.version;
    r.authType = a.authType;
    r.authText = a.authText;
    r.vips = a.addresses;
    r.ttl = p.ip.ttl;
    if (p.ip.ttl !== 255) r.badTtl++;
    if (a.checksumStatus === 'bad') r.badChecksum++;
    if (a.checksumVariant) r.checksumVariant = a.checksumVariant;
    r.unicast = !p.ip.multicast;
    r.dst = p.ip.dst;
    r.virtualMac = a.virtualMac;
    if (p.direction === 'out') r.local = true;
    const mac = p.l2.src;
    if (mac !== undefined && !r.macs.includes(mac) && r.macs.length < 8) r.macs.push(mac);
    r.lastAdvert = ts;
    r.adverts++;
    r.recent.push(ts);
    if (r.recent.length > Limits.recentAdverts) r.recent.shift();
    this.countSplit(v, r);

    if (a.priority === 0) {
      // Graceful shutdown (RFC 5798 §6.4.3): the claim ends now.
      r.released = true;
      if (r.spellStart !== undefined) this.endClaim(v, r, ts, ChangeReason.released);
    } else {
      r.released = false;
      if (r.spellStart === undefined) this.startClaim(v, r, ts);
    }
    r.masterAtLast = v.master === r.address;
  }

  private gap(v: VridState, r: RouterState, gapNs: bigint, ts: bigint): void {
    const iv = intervalNs(r.intervalCs);
    const down = masterDownNs(r.version, r.intervalCs, r.priority);
    pushBounded(v.gaps, { ts, gapNs, router: r.address, downNs: down, intervalNs: iv }, Limits.gaps);
    if (gapNs > v.maxGapNs) v.maxGapNs = gapNs;
    const ratio = iv > 0n ? Number(gapNs) / Number(iv) : 0;
    let bin = GAP_BINS.findIndex((b) => ratio < b);
    if (bin < 0) bin = GAP_BINS.length;
    v.gapHistogram[bin]!++;
    if (gapNs > down) {
      v.overDownGaps++;
      const open = v.silences[v.silences.length - 1];
      if (open && open.router === r.address && open.end === undefined) {
        open.end = ts;
        open.gapNs = gapNs;
      } else pushBounded(v.silences, { router: r.address, start: ts - gapNs, end: ts, downNs: down, gapNs }, Limits.episodes);
    } else if (ratio > ON_TIME_INTERVALS) v.lateGaps++;
  }

  private startClaim(v: VridState, r: RouterState, ts: bigint): void {
    r.spellStart = ts;
    const prev = v.master !== undefined ? v.routers.get(v.master) : undefined;
    let reason: ChangeReason;
    const down = masterDownNs(r.version, r.intervalCs, r.priority);
    if (v.history.length === 0) reason = ChangeReason.firstSeen;
    else if (!prev || prev.spellStart === undefined) {
      const last = v.history[v.history.length - 1];
      reason = last && last.master === undefined && last.reason === ChangeReason.released ? ChangeReason.released : ChangeReason.takeoverAfterSilence;
    } else if (r.adverts > 1 && r.recent.length >= 2 && ts - r.recent[r.recent.length - 2]! <= 2n * down) {
      // Back after a short gap: it never stopped, its adverts were lost on the way here.
      reason = ChangeReason.resumed;
    } else if (r.priority > prev.priority) {
      const drop = prev.priorityChanges[prev.priorityChanges.length - 1];
      const recentDrop = drop !== undefined && drop.to < drop.from && drop.from >= r.priority && ts - drop.ts < 5n * masterDownNs(prev.version, prev.intervalCs, prev.priority);
      reason = recentDrop ? ChangeReason.priorityDrop : ChangeReason.preemption;
    } else {
      const age = ts - prev.lastAdvert;
      const iv = intervalNs(prev.intervalCs);
      if (Number(age) <= Number(iv) * ON_TIME_INTERVALS) {
        reason = ChangeReason.takeoverWhileAdvertising;
        pushBounded(v.onTimeTakeovers, { ts, by: r.address, from: prev.address, ageNs: age, intervalNs: iv }, Limits.episodes);
      } else reason = ChangeReason.takeoverAfterSilence;
    }
    this.setMaster(v, r.address, ts, reason);
    if (reason !== ChangeReason.firstSeen && reason !== ChangeReason.resumed) this.expectGarp(v, r, ts);
    this.updateSplit(v, ts);
  }

  /** Ends r's claim at `at` (its last advert, or now for priority 0). */
  private endClaim(v: VridState, r: RouterState, at: bigint, reason: ChangeReason): void {
    r.spellStart = undefined;
    this.updateSplit(v, at);
    if (v.master !== r.address) return;
    // Mastership falls to the best router still claiming, from its first advert after `at`.
    let best: RouterState | undefined;
    for (const o of v.routers.values()) {
      if (o.spellStart === undefined) continue;
      if (!best || o.priority > best.priority || (o.priority === best.priority && compareAddress(o.address, best.address) > 0)) best = o;
    }
    if (best) {
      const next = best.recent.find((t) => t > at) ?? best.lastAdvert;
      this.setMaster(v, best.address, next > at ? next : at, ChangeReason.resumed);
    } else {
      this.setMaster(v, undefined, at, reason === ChangeReason.released ? ChangeReason.released : ChangeReason.masterSilent);
    }
  }

  private expire(v: VridState, ts: bigint): void {
    for (const r of v.routers.values()) {
      if (r.spellStart === undefined) continue;
      const lastClaim = r.lastGarp !== undefined && r.lastGarp > r.lastAdvert ? r.lastGarp : r.lastAdvert;
      const down = masterDownNs(r.version, r.intervalCs, r.priority);
      if (ts - lastClaim <= down) continue;
      const wasMaster = v.master === r.address;
      this.endClaim(v, r, lastClaim, ChangeReason.masterSilent);
      // A master that stops while another router still claims has yielded; only a master that
      // leaves nobody behind fell silent.
      if (wasMaster && v.master === undefined) {
        pushBounded(v.silences, { router: r.address, start: lastClaim, end: undefined, downNs: down, gapNs: undefined }, Limits.episodes);
        pushBounded(v.noMaster, { router: r.address, start: lastClaim + down, end: undefined, downNs: down, gapNs: undefined }, Limits.episodes);
      }
    }
    // Close the open silence/no-master records once someone claims again.
    if (v.master !== undefined) {
      const nm = v.noMaster[v.noMaster.length - 1];
      if (nm && nm.end === undefined) nm.end = v.history[v.history.length - 1]?.start ?? ts;
    }
    this.checkGarp(v, ts);
  }

  private setMaster(v: VridState, master: string | undefined, ts: bigint, reason: ChangeReason): void {
    const from = v.master;
    if (from === master && v.history.length > 0) return;
    const last = v.history[v.history.length - 1];
    if (last && last.end === undefined) last.end = ts;
    pushBounded(v.history, { start: ts, end: undefined, master, reason }, Limits.history);
    v.master = master;
    if (reason === ChangeReason.firstSeen) return;
    // The same master back after a stretch without one is not a change of master.
    const lastMaster = [...v.history].reverse().find((h, i) => i > 0 && h.master !== undefined)?.master;
    if (master !== undefined && from === undefined && lastMaster === master) return;
    // A stretch with no master followed by a takeover is one change, not two.
    const prior = from ?? [...v.history].reverse().find((h) => h.master !== undefined && h.master !== master)?.master;
    if (master === undefined) return;
    const t: Transition = { ts, from: prior, to: master, reason };
    pushBounded(v.transitions, t, Limits.history);
    this.newTransitions.push({ vrid: v, t });
    const nm = v.noMaster[v.noMaster.length - 1];
    if (nm && nm.end === undefined) nm.end = ts;
  }

  private updateSplit(v: VridState, ts: bigint): void {
    const claiming = [...v.routers.values()].filter((r) => r.spellStart !== undefined).map((r) => r.address);
    if (claiming.length >= 2) {
      if (!v.openSplit) {
        v.openSplit = { start: ts, end: undefined, routers: claiming, adverts: Object.fromEntries(claiming.map((a) => [a, 0])) };
        pushBounded(v.splitBrains, v.openSplit, Limits.episodes);
      } else {
        for (const a of claiming) if (!v.openSplit.routers.includes(a)) {
          v.openSplit.routers.push(a);
          v.openSplit.adverts[a] = 0;
        }
      }
    } else if (v.openSplit) {
      v.openSplit.end = ts;
      v.openSplit = undefined;
    }
  }

  private countSplit(v: VridState, r: RouterState): void {
    const s = v.openSplit;
    if (s && s.routers.includes(r.address)) s.adverts[r.address] = (s.adverts[r.address] ?? 0) + 1;
  }

  private expectGarp(v: VridState, r: RouterState, ts: bigint): void {
    if (r.vips.length === 0) return;
    pushBounded(v.garpPending, { router: r.address, since: ts, missing: new Set(r.vips) }, Limits.episodes);
  }

  private checkGarp(v: VridState, ts: bigint): void {
    while (v.garpPending.length > 0 && ts - v.garpPending[0]!.since > GARP_GRACE_NS) {
      const g = v.garpPending.shift()!;
      if (g.missing.size > 0) pushBounded(v.garpMissing, { router: g.router, since: g.since, vips: [...g.missing] }, Limits.episodes);
    }
  }

  /** "IP is at MAC", from a gratuitous ARP, an ARP reply or a neighbour advert. */
  private announce(segment: string, family: Family, ip: string, mac: string, ts: bigint, kind: 'garp' | 'na' | 'arp-reply'): void {
    const vrids = [...this.vrids.values()].filter((v) => v.segment === segment && v.family === family && [...v.routers.values()].some((r) => r.vips.includes(ip)));
    const gratuitous = kind !== 'arp-reply';
    // Only virtual IPs are tracked: addresses some advert lists (or that were tracked before).
    const key = `${segment}|${ip}`;
    let vip = this.vips.get(key);
    if (!vip && vrids.length === 0) {
      if (!gratuitous) return;
      // A gratuitous announcement before the first advert still counts once adverts name the IP.
    }
    if (!vip) {
      if (this.vips.size >= Limits.vips) return;
      vip = { segment, address: ip, bursts: [], owners: [], owner: undefined, garps: 0 };
      this.vips.set(key, vip);
    }
    if (gratuitous) {
      vip.garps++;
      const b = vip.bursts[vip.bursts.length - 1];
      if (b && b.mac === mac && b.kind === kind && ts - b.end <= BURST_GAP_NS) {
        b.end = ts;
        b.count++;
      } else pushBounded(vip.bursts, { mac, start: ts, end: ts, count: 1, kind }, Limits.bursts);
    }
    if (vip.owner !== mac) {
      vip.owner = mac;
      pushBounded(vip.owners, { ts, mac }, Limits.owners);
    }
    if (!gratuitous) return;
    for (const v of vrids) {
      this.expire(v, ts);
      const r = [...v.routers.values()].filter((x) => x.macs.includes(mac));
      for (const g of v.garpPending) if (r.some((x) => x.address === g.router)) g.missing.delete(ip);
      // A router that announces the virtual IPs is claiming mastership, even if it barely advertises.
      if (r.length === 1) {
        const router = r[0]!;
        router.lastGarp = ts;
        if (router.spellStart === undefined && !router.released) {
          this.startClaim(v, router, ts);
          // The announcement that made the claim also fulfils it.
          for (const g of v.garpPending) if (g.router === router.address) g.missing.delete(ip);
        }
      }
    }
  }
}

/** Orders IPv4/IPv6 text addresses numerically (RFC 5798 §6.4.3 tie-break on the primary address). */
export function compareAddress(a: string, b: string): number {
  const na = addressKey(a);
  const nb = addressKey(b);
  return na < nb ? -1 : na > nb ? 1 : 0;
}

function addressKey(a: string): bigint {
  if (a.includes(':')) {
    const [head, tail] = a.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const words = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
    return words.reduce((acc, w) => (acc << 16n) | BigInt(parseInt(w || '0', 16)), 0n);
  }
  return a.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}
