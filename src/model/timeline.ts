// The timeline: a reducer over packets and ticks whose only clock is packet time, so a replay and a
// live run of the same packets give the same timeline.
//
// Adverts go to the virtual router (partition) of their segment + VRID + family whose receive
// checks they pass (partition.ts); each partition's mastership is reduced by VirtualRouter. Gratuitous
// ARP / unsolicited NA for a virtual IP count as a claim by the router whose MAC sent it, and every
// MAC that announces a virtual IP is remembered, so an announcement by a host that is no router of
// that VRID can be found.

import type { Packet, VrrpPacket } from '../decode/packet.js';
import { pushBounded } from './bounded.js';
import { GAP_BINS, Limits, type DroppedEntries, type Episode, type Family, type Gap, type GarpExpectation, type GarpMissing, type MasterInterval, type NoMaster, type OnTimeTakeover, type RouterState, type Signature, type Silence, type Transition, type VipState, type VridState } from './model-types.js';
import { Caps } from './caps.js';
import { GapList } from './gap-list.js';
import { partitionLabel, sameSignature, signatureOf } from './partition.js';
import { GARP_GRACE_NS, newRouter, VirtualRouter } from './virtual-router.js';

export { compareAddress, claimingRouters } from './virtual-router.js';
export { GARP_GRACE_NS };

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

/** The partitions of one segment + VRID + family, and which partition each router is in. */
export type VridGroup = {
  readonly key: string;
  readonly parts: VridState[];
  readonly byRouter: Map<string, VridState>;
};

/** Untracked VRIDs and routers are told apart up to this many (then the counts are "at least"). */
export const UNTRACKED_COUNT = 65_536;

/** Gratuitous ARPs closer than this belong to one burst. */
const BURST_GAP_NS = 2_000_000_000n;

export class Timeline {
  /** Every virtual router, by `segment|vrid|family|part`. */
  readonly vrids = new Map<string, VridState>();
  /** Partitions by `segment|vrid|family`. */
  readonly groups = new Map<string, VridGroup>();
  readonly vips = new Map<string, VipState>();
  readonly counters: Counters = { packets: 0, adverts: 0, carp: 0, arp: 0, garps: 0, neighborAdverts: 0, malformed: 0, arpSegments: new Set(), malformedReasons: new Map() };
  /** The newest packet or tick (its time is the model clock), and the earliest packet. */
  private nowAt: { readonly ts: bigint } | undefined;
  private firstAt: { readonly ts: bigint } | undefined;

  /** The model clock: the newest packet or tick time. */
  get now(): bigint {
    return this.nowAt?.ts ?? 0n;
  }

  get first(): bigint | undefined {
    return this.firstAt?.ts;
  }
  /** VRIDs (partitions) seen but not tracked: the model's caps were reached (distinct, counted up to UNTRACKED_COUNT). */
  droppedVrids = 0;
  /** Routers seen but not tracked (past the per-VRID or the global cap; distinct, counted up to UNTRACKED_COUNT). */
  droppedRouters = 0;
  /** Adverts from untracked VRIDs or routers. */
  droppedAdverts = 0;
  /** Routers tracked across all virtual routers (bounded by Limits.routers). */
  private tracked = 0;
  private readonly untracked = new Set<string>();

  /** The untracked counts stopped at UNTRACKED_COUNT: they are lower bounds. */
  get untrackedCapped(): boolean {
    return this.untracked.size >= UNTRACKED_COUNT;
  }
  /** Partition groups by segment, then by vrid * 2 + (family === 6): no string key built per advert. */
  private readonly groupIndex = new Map<string, Map<number, VridGroup>>();
  /** Routers moved to another partition (a reload): remembered places may be stale. */
  private moves = 0;
  private lastSegment: string | undefined;
  private lastGroups: Map<number, VridGroup> | undefined;
  /** Transitions as they are decided, for streaming views; drained by the caller. */
  readonly newTransitions: { vrid: VridState; t: Transition }[] = [];
  /** Virtual IP → the groups whose adverts list it, per segment and family (`segment|family|ip`). */
  private readonly vipIndex = new Map<string, Set<VridGroup>>();
  /** List caps, shared out among what is tracked (caps.ts). */
  private readonly caps = new Caps();
  private readonly reducer = new VirtualRouter(
    (vrid, t) => {
      this.newTransitions.push({ vrid, t });
    },
    this.caps,
    () => this.epoch ?? 0n,
  );

  private resize(): void {
    this.caps.resize(this.vrids.size, this.tracked, this.vips.size);
  }

  /**
   * The first event's time. The reducer's arithmetic runs on nanoseconds after it as plain numbers
   * (exact for 104 days): bigint arithmetic allocates, and dense input does it for every advert.
   */
  private epoch: bigint | undefined;
  /** The epoch as the decoder's two numbers (seconds, nanoseconds). */
  private epochSec = 0;
  private epochNsec = 0;
  private nowN = -Infinity;
  private firstN = Infinity;

  /** Packet time on the number clock. */
  private clock(ts: bigint): number {
    if (this.epoch === undefined) this.setEpoch(ts);
    return Number(ts - this.epoch!);
  }

  /** A packet's time on the number clock: from its two numbers when it has them (no BigInt). */
  private clockOf(p: Packet): number {
    const s = p.tsSec;
    const n = p.tsNsec;
    if (s === undefined || n === undefined) return this.clock(p.ts);
    if (this.epoch === undefined) this.setEpoch(p.ts);
    // Exact as long as Number(ts - epoch) is: both are integers below 2^53.
    return (s - this.epochSec) * 1e9 + (n - this.epochNsec);
  }

  private setEpoch(ts: bigint): void {
    this.epoch = ts;
    const sec = ts / 1_000_000_000n;
    this.epochSec = Number(sec);
    this.epochNsec = Number(ts - sec * 1_000_000_000n);
  }

  apply(e: ModelEvent): void {
    if (e.kind === 'packet') return this.packet(e.segment, e.packet);
    const tn = this.advance(e, this.clock(e.ts));
    this.expireAt(e.ts, tn);
  }

  /** Moves the clock to `at`, at `tn` on the number clock (it never goes back). */
  private advance(at: { readonly ts: bigint }, tn: number): number {
    if (tn > this.nowN) {
      this.nowAt = at;
      this.nowN = tn;
    }
    if (tn < this.firstN) {
      this.firstAt = at;
      this.firstN = tn;
    }
    return tn;
  }

  /** apply() of a packet, without an event object per packet (the batch of analyze-captures). */
  packet(segment: string, p: Packet): void {
    const tn = this.advance(p, this.clockOf(p));
    this.counters.packets++;
    switch (p.kind) {
      case 'vrrp':
        return this.advert(segment, p, tn);
      case 'carp':
        this.counters.carp++;
        return;
      case 'arp': {
        this.counters.arp++;
        this.counters.arpSegments.add(segment);
        const a = p.arp;
        if (a.senderIp === undefined) return;
        if (a.gratuitous) this.counters.garps++;
        // A gratuitous ARP or a reply both say "this IP is at this MAC".
        if (a.gratuitous || a.op === 2) this.announce(segment, 4, a.senderIp, a.senderMac, p.ts, tn, a.gratuitous ? 'garp' : 'arp-reply');
        return;
      }
      case 'na':
        this.counters.neighborAdverts++;
        this.counters.arpSegments.add(segment);
        if (!p.na.solicited) this.counters.garps++;
        this.announce(segment, 6, p.na.target, p.na.targetMac ?? p.l2.src ?? '?', p.ts, tn, p.na.solicited ? 'arp-reply' : 'na');
        return;
      case 'malformed': {
        this.counters.malformed++;
        const r = `${p.protocol}: ${p.reason}`;
        this.counters.malformedReasons.set(r, (this.counters.malformedReasons.get(r) ?? 0) + 1);
        return;
      }
    }
  }

  /** Advances every virtual router's clock to `ts` (ends claims that went silent). */
  expireAll(ts: bigint): void {
    this.expireAt(ts, this.clock(ts));
  }

  private expireAt(ts: bigint, tn: number): void {
    for (const v of this.vrids.values()) this.reducer.expire(v, ts, tn);
  }

  /** The other partitions on the same segment + VRID + family. */
  siblings(v: VridState): VridState[] {
    return (this.groups.get(v.groupKey)?.parts ?? []).filter((o) => o !== v);
  }

  private advert(segment: string, p: VrrpPacket, tn: number): void {
    this.counters.adverts++;
    const a = p.vrrp;
    // The decoder shares the records of adverts that repeat (decode/advert-cache.ts): the same
    // record on the same segment, its router still on it, is the same router in the same partition.
    const shared = p.shared;
    if (shared !== undefined && shared.model === this && shared.segment === segment && shared.moves === this.moves) {
      // Only this model writes its own notes, and only these two types (below).
      const r = shared.router as RouterState;
      if (r.seen === a && r.seenIp === p.ip) return this.reducer.advert(shared.vrid as VridState, r, p, tn);
    }
    const ts = p.ts;
    const src = p.ip.src;
    // Most adverts come on the segment the last one came on.
    let bySeg = segment === this.lastSegment ? this.lastGroups : this.groupIndex.get(segment);
    if (!bySeg) this.groupIndex.set(segment, (bySeg = new Map()));
    this.lastSegment = segment;
    this.lastGroups = bySeg;
    const gk = a.vrid * 2 + (p.ip.family === 6 ? 1 : 0);
    let g = bySeg.get(gk);
    if (!g) {
      if (this.vrids.size >= Limits.vrids) return this.untrack(`${segment}|${a.vrid}|${p.ip.family}`, false);
      const groupKey = `${segment}|${a.vrid}|${p.ip.family}`;
      g = { key: groupKey, parts: [], byRouter: new Map() };
      this.groups.set(groupKey, g);
      bySeg.set(gk, g);
    }
    let v = g.byRouter.get(src);
    let r = v?.routers.get(src);
    // A router whose receive-relevant settings changed (a reload) moves to the partition it now fits.
    if (v && r && !fits(r, p)) {
      const sig = signatureOf(p);
      if (!sameSignature(v.signature, sig)) {
        v.routers.delete(src);
        g.byRouter.delete(src);
        this.tracked--;
        this.moves++;
        v = undefined;
        r = undefined;
      }
    }
    if (!v) {
      const sig = signatureOf(p);
      v = g.parts.find((x) => sameSignature(x.signature, sig));
      if (!v) {
        if (g.parts.length >= Limits.partitionsPerVrid || this.vrids.size >= Limits.vrids) return this.untrack(`${g.key}|${sigText(sig)}`, false);
        v = newVrid(segment, a.vrid, p.ip.family, g.parts.length, sig, ts, this.epoch!);
        g.parts.push(v);
        this.vrids.set(v.key, v);
        this.resize();
        for (const x of g.parts) x.label = partitionLabel(x, g.parts.filter((o) => o !== x));
      }
    }
    if (!r) {
      if (v.routers.size >= Limits.routersPerVrid || this.tracked >= Limits.routers) {
        v.droppedRouters++;
        return this.untrack(`${v.key}|${src}`, true);
      }
      r = newRouter(p, ts);
      v.routers.set(src, r);
      g.byRouter.set(src, v);
      this.tracked++;
      this.resize();
      for (const ip of a.addresses) this.indexVip(segment, p.ip.family, ip, g);
    } else if (r.vips !== a.addresses && !sameList(r.vips, a.addresses)) for (const ip of a.addresses) this.indexVip(segment, p.ip.family, ip, g);
    // Noted on the decoder's shared records once they repeat (a flood of adverts that never do adds nothing).
    if (shared !== undefined && r.seen === a && r.seenIp === p.ip) {
      shared.model = this;
      shared.segment = segment;
      shared.moves = this.moves;
      shared.vrid = v;
      shared.router = r;
    }
    this.reducer.advert(v, r, p, tn);
  }

  /** An advert the caps keep out of the model: counted, and its VRID or router counted once. */
  private untrack(key: string, router: boolean): void {
    this.droppedAdverts++;
    if (this.untracked.size >= UNTRACKED_COUNT || this.untracked.has(key)) return;
    this.untracked.add(key);
    if (router) this.droppedRouters++;
    else this.droppedVrids++;
  }

  private indexVip(segment: string, family: Family, ip: string, g: VridGroup): void {
    const k = `${segment}|${family}|${ip}`;
    let set = this.vipIndex.get(k);
    if (!set) {
      if (this.vipIndex.size >= Limits.vips) return;
      set = new Set();
      this.vipIndex.set(k, set);
    }
    set.add(g);
  }

  /** "IP is at MAC", from a gratuitous ARP, an ARP reply or a neighbour advert. */
  private announce(segment: string, family: Family, ip: string, mac: string, ts: bigint, tn: number, kind: 'garp' | 'na' | 'arp-reply'): void {
    const groups = this.vipIndex.get(`${segment}|${family}|${ip}`);
    const gratuitous = kind !== 'arp-reply';
    // Only virtual IPs are tracked: addresses some advert lists, or gratuitous announcements before
    // the first advert (they count once adverts name the IP).
    const key = `${segment}|${ip}`;
    let vip = this.vips.get(key);
    if (!vip) {
      if (!groups && !gratuitous) return;
      if (this.vips.size >= Limits.vips) return;
      vip = { segment, family, address: ip, bursts: [], owners: [], ownersDropped: 0, announcers: [], owner: undefined, garps: 0 };
      this.vips.set(key, vip);
      this.resize();
    }
    const who = vip.announcers.find((x) => x.mac === mac && x.kind === kind);
    if (who) {
      who.last = ts;
      who.count++;
    } else if (vip.announcers.length < Limits.announcers) vip.announcers.push({ mac, first: ts, last: ts, count: 1, kind });
    if (gratuitous) {
      vip.garps++;
      const b = vip.bursts[vip.bursts.length - 1];
      if (b && b.mac === mac && b.kind === kind && ts - b.end <= BURST_GAP_NS) {
        b.end = ts;
        b.count++;
      } else pushBounded(vip.bursts, { mac, start: ts, end: ts, count: 1, kind }, this.caps.bursts);
    }
    if (vip.owner !== mac) {
      vip.owner = mac;
      vip.ownersDropped += pushBounded(vip.owners, { ts, mac }, this.caps.owners);
    }
    if (!gratuitous || !groups) return;
    for (const g of groups) {
      for (const v of g.parts) {
        if (!v.signature.vips.includes(ip)) continue;
        let found: RouterState | undefined;
        let n = 0;
        for (const r of v.routers.values())
          if (r.macs.includes(mac)) {
            found = r;
            n++;
          }
        if (n === 1) this.reducer.announce(v, found!, ip, ts, tn);
        else this.reducer.expire(v, ts, tn);
      }
    }
  }
}

function newVrid(segment: string, vrid: number, family: Family, part: number, signature: Signature, ts: bigint, epoch: bigint): VridState {
  return new VirtualRouterRecord(segment, vrid, family, part, signature, ts, epoch);
}

/**
 * A virtual router's state. A class, not an object literal: a literal with the `gaps` getter in it
 * gets dictionary properties in V8, and every advert reads and writes a dozen of them.
 */
class VirtualRouterRecord implements VridState {
  readonly key: string;
  readonly groupKey: string;
  label = '';
  readonly routers = new Map<string, RouterState>();
  master: string | undefined = undefined;
  readonly history: MasterInterval[] = [];
  readonly transitions: Transition[] = [];
  changes = 0;
  readonly gapList: GapList;
  readonly gapHistogram: number[] = new Array<number>(GAP_BINS.length + 1).fill(0);
  maxGapNs = 0n;
  maxGapN = 0;
  lateGaps = 0;
  overDownGaps = 0;
  adverts = 0;
  readonly splitBrains: Episode[] = [];
  openSplit: Episode | undefined = undefined;
  readonly silences: Silence[] = [];
  readonly noMaster: NoMaster[] = [];
  readonly onTimeTakeovers: OnTimeTakeover[] = [];
  readonly garpPending: GarpExpectation[] = [];
  garpDue = Infinity;
  noMasterOpen = false;
  readonly garpMissing: GarpMissing[] = [];
  readonly firstSeen: bigint;
  lastSeenAt: { readonly ts: bigint };
  droppedRouters = 0;
  readonly dropped: DroppedEntries = { history: 0, transitions: 0, splitBrains: 0, silences: 0, onTimeTakeovers: 0 };
  expiryAt = -Infinity;

  constructor(
    readonly segment: string,
    readonly vrid: number,
    readonly family: Family,
    readonly part: number,
    readonly signature: Signature,
    ts: bigint,
    epoch: bigint,
  ) {
    this.groupKey = `${segment}|${vrid}|${family}`;
    this.key = `${this.groupKey}|${part}`;
    this.gapList = new GapList(Limits.gaps, epoch);
    this.firstSeen = ts;
    this.lastSeenAt = { ts };
  }

  get lastSeen(): bigint {
    return this.lastSeenAt.ts;
  }

  get gaps(): readonly Gap[] {
    return this.gapList.list();
  }
}

/** The advert carries the same receive-relevant settings the router had (the common case: no work). */
function fits(r: RouterState, p: VrrpPacket): boolean {
  const a = p.vrrp;
  if (a.version !== r.version || a.authType !== r.authType || a.authText !== r.authText) return false;
  if (a.version !== 3 && a.intervalCs !== r.intervalCs) return false;
  return r.vips === a.addresses || sameList(r.vips, a.addresses);
}

function sigText(s: Signature): string {
  return `${s.version}|${s.authType}|${s.authText}|${s.intervalCs}|${s.vips.join(',')}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
