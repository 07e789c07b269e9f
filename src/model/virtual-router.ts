// One virtual router's mastership as seen from the wire, on packet time.
//
// A router claims mastership from its first advert (or gratuitous ARP for a virtual IP) after being
// quiet, and keeps the claim while its adverts keep coming within the master-down interval (RFC 3768
// §6.1, RFC 5798 §6.1). The master is the latest claimant; when its claim ends (priority 0, or silence
// past master-down) the mastership falls to the best router still claiming (higher priority, then
// higher address — RFC 5798 §6.4.3), or to nobody. Two claims at once for longer than a hand-over is
// a split brain; it ends when all but one stop, and how it ended (who yielded to whom, and why) is
// kept with it.
//
// Change reasons are decided in evidence order: a priority comparison first (preemption, or the
// master's priority dropped), then whether the old master was still advertising (the new one did not
// hear it) or had fallen silent.

import type { VrrpPacket } from '../decode/packet.js';
import { pushBounded } from './bounded.js';
import {
  ChangeReason,
  GAP_BINS,
  Limits,
  type Role,
  type RouterState,
  type SplitOutcome,
  type Transition,
  type VridState,
} from './model-types.js';
import { intervalNs, masterDownNs } from './vrrp-timing.js';
import { Caps } from './caps.js';
import { durationText } from '../util/duration-text.js';
import { flatText } from '../util/flat-text.js';

/** How long after taking over a new master is expected to have announced its virtual IPs. */
export const GARP_GRACE_NS = 6_000_000_000n;
const GARP_GRACE_N = Number(GARP_GRACE_NS);
/** A master whose last advert is this many intervals old is still "on time". */
const ON_TIME_INTERVALS = 1.5;
/** Gaps longer than this many master-down intervals are a silence, not lost adverts. */
const LOSS_GAP_DOWNS = 3;
/** A priority drop this recent (in master-down intervals) explains a preemption. */
const DROP_WINDOW_DOWNS = 5n;
/** recentN's length is a power of two: an index is masked, not divided. */
const RECENT_MASK = Limits.recentAdverts - 1;
if ((Limits.recentAdverts & RECENT_MASK) !== 0) throw new Error('Limits.recentAdverts must be a power of two');
/** An advert this soon after another claimant's answers it. */
const REPLY_NS = 50_000_000;

export type TransitionSink = (v: VridState, t: Transition) => void;

export function newRouter(p: VrrpPacket, ts: bigint): RouterState {
  const r = new RouterRecord(p, ts);
  retime(r);
  return r;
}

/**
 * A router's state. A class: its last advert's time is read from that advert (`lastAdvertAt`), so
 * an advert that nobody asks the BigInt time of never makes one (decode/advert-packet.ts).
 */
class RouterRecord implements RouterState {
  readonly address: string;
  macs: string[] = [];
  // The advert's settings: set by takeSettings in the constructor.
  priority = 0;
  readonly priorityChanges: RouterState['priorityChanges'] = [];
  priorityChangesDropped = 0;
  intervalCs = 0;
  version = 0;
  authType: number | undefined = undefined;
  authText: string | undefined = undefined;
  vips: readonly string[] = [];
  ttl = 0;
  badTtl = 0;
  badChecksum = 0;
  checksumVariant: string | undefined = undefined;
  unicast = false;
  dst = '';
  virtualMac = false;
  local = false;
  readonly firstSeen: bigint;
  lastAdvertAt: { readonly ts: bigint };
  lastGarp: bigint | undefined = undefined;
  lastAdvertN = -Infinity;
  lastGarpN = -Infinity;
  adverts = 0;
  spellStart: bigint | undefined = undefined;
  released = false;
  readonly recentN = new Float64Array(Limits.recentAdverts);
  recentCount = 0;
  lastMac: string | undefined = undefined;
  silenceOpen = false;
  masterAtLast = false;
  claimAtLast = false;
  role: Role = 'backup';
  readonly roles: RouterState['roles'] = [];
  readonly delivery = { received: 0, missing: 0, lossGaps: 0, longGaps: 0 };
  seen: RouterState['seen'] = undefined;
  seenIp: RouterState['seenIp'] = undefined;
  downNs = 0n;
  downN = 0;
  intervalN = 0;

  constructor(p: VrrpPacket, ts: bigint) {
    this.address = p.ip.src;
    takeSettings(this, p);
    this.firstSeen = ts;
    this.lastAdvertAt = { ts };
  }

  get lastAdvert(): bigint {
    return this.lastAdvertAt.ts;
  }
}

/** The settings an advert announces, as the router's own (a checksum variant once known is kept). */
function takeSettings(r: RouterState, p: VrrpPacket): void {
  const a = p.vrrp;
  r.priority = a.priority;
  r.intervalCs = a.intervalCs;
  r.version = a.version;
  r.authType = a.authType;
  r.authText = a.authText;
  r.vips = a.addresses;
  r.ttl = p.ip.ttl;
  if (a.checksumVariant) r.checksumVariant = a.checksumVariant;
  r.unicast = !p.ip.multicast;
  r.dst = p.ip.dst;
  r.virtualMac = a.virtualMac;
}

export function downOf(r: RouterState): bigint {
  return r.downNs;
}

/** Sets the timers a router's settings imply (after its priority, interval or version changed). */
function retime(r: RouterState): void {
  r.downNs = masterDownNs(r.version, r.intervalCs, r.priority || 1);
  r.downN = Number(r.downNs);
  r.intervalN = r.intervalCs * 10_000_000;
}

/** RFC 5798 §6.4.3 order: higher priority wins, then the higher primary address. */
export function better(a: RouterState, b: RouterState): boolean {
  return a.priority > b.priority || (a.priority === b.priority && compareAddress(a.address, b.address) > 0);
}

/** Why `loser` gives way to `winner`, in words. */
export function yieldReason(loser: RouterState, winner: RouterState): string {
  if (winner.priority > loser.priority) return `priority ${loser.priority} < ${winner.priority}`;
  if (winner.priority === loser.priority) return `equal priority ${loser.priority}, ${winner.address} has the higher address`;
  return `priority ${loser.priority} > ${winner.priority}, yet it stopped`;
}

export class VirtualRouter {
  constructor(
    private readonly sink: TransitionSink,
    private readonly caps: Caps,
    /** The model's epoch: number-clock times (recentN) back to packet time, and packet time to them. */
    private readonly epoch: () => bigint,
  ) {}

  /** Packet time on the number clock (for the rare paths that compare with recentN). */
  private n(ts: bigint): number {
    return Number(ts - this.epoch());
  }

  /** An advert from r; `tn` is its time on the model's number clock (ns after the epoch, timeline.ts). */
  advert(v: VridState, r: RouterState, p: VrrpPacket, tn: number): void {
    const a = p.vrrp;
    // p.ts (a BigInt) is asked for only where something changes: most adverts need numbers only.
    // Nothing can have run out (on dense input, nearly every advert): the three bounds say so.
    if (tn > v.expiryAt || tn > v.garpDue || v.noMasterOpen) this.expire(v, p.ts, tn);
    v.adverts++;
    v.lastSeenAt = p;
    if (r.adverts > 0) {
      const gapN = tn - r.lastAdvertN;
      // Gap between this router's consecutive adverts while it was the master (even when the gap was
      // long enough to end its claim: that is exactly the silence to report).
      if (r.masterAtLast) this.gap(v, r, gapN, p, tn);
      if (r.claimAtLast) this.deliver(r, gapN);
    }
    // The same records as its last advert's: the same settings (the common case), nothing to write.
    const changed = a !== r.seen || p.ip !== r.seenIp;
    if (changed) {
      if (a.priority !== r.priority && a.priority !== 0 && r.priority !== 0) r.priorityChangesDropped += pushBounded(r.priorityChanges, { ts: p.ts, from: r.priority, to: a.priority }, this.caps.priorityChanges);
      takeSettings(r, p);
      r.seen = a;
      r.seenIp = p.ip;
      retime(r);
    }
    if (p.ip.ttl !== 255) r.badTtl++;
    if (a.checksumStatus === 'bad') r.badChecksum++;
    if (p.direction === 'out') r.local = true;
    const mac = p.l2.src;
    if (mac !== undefined && mac !== r.lastMac) {
      r.lastMac = mac;
      if (!r.macs.includes(mac) && r.macs.length < 8) r.macs.push(mac);
    }
    r.lastAdvertAt = p;
    r.lastAdvertN = tn;
    r.adverts++;
    r.recentN[r.recentCount++ & RECENT_MASK] = tn;
    const s = v.openSplit;
    if (s && s.routers.includes(r.address)) {
      s.adverts[r.address] = (s.adverts[r.address] ?? 0) + 1;
      for (const a of s.routers) {
        const o = a !== r.address ? v.routers.get(a) : undefined;
        if (o && o.adverts > 0 && o.lastAdvertN <= tn && tn - o.lastAdvertN <= REPLY_NS) {
          s.replies[r.address] = (s.replies[r.address] ?? 0) + 1;
          break;
        }
      }
    }
    if (r.silenceOpen) this.closeSilence(v, r, p.ts);
    if (v.openSplit && v.master !== r.address) this.notAPreemption(v, r);

    if (a.priority === 0) {
      // Graceful shutdown (RFC 5798 §6.4.3): the claim ends now.
      r.released = true;
      setRole(r, 'resigned', p.ts, this.caps.roles);
      if (r.spellStart !== undefined) this.endClaim(v, r, p.ts, ChangeReason.released);
    } else {
      r.released = false;
      if (r.spellStart === undefined) this.startClaim(v, r, p.ts, tn);
      r.delivery.received++;
    }
    r.masterAtLast = v.master === r.address;
    r.claimAtLast = r.spellStart !== undefined;
    // The sole claimant (no split brain open: at most one claims) sets the bound exactly; otherwise
    // a renewed claim only moves its deadline later (the bound holds), and new timers may move it earlier.
    if (v.openSplit === undefined && r.spellStart !== undefined) v.expiryAt = (r.lastGarpN > r.lastAdvertN ? r.lastGarpN : r.lastAdvertN) + r.downN;
    else if (changed) boundExpiry(v, r);
  }

  /**
   * A preempted master yields at once (it hears the better advert); one that keeps advertising did
   * not hear it, so the takeover was no preemption: the new master did not hear the old one.
   */
  private notAPreemption(v: VridState, r: RouterState): void {
    const i = v.transitions.length - 1;
    const t = v.transitions[i];
    if (!t || t.from !== r.address || t.to !== v.master || (t.reason !== ChangeReason.preemption && t.reason !== ChangeReason.priorityDrop)) return;
    // Only the old master's claim that went on through the takeover counts, not a later new claim.
    if (r.spellStart === undefined || r.spellStart > t.ts) return;
    let after = 0;
    const tN = this.n(t.ts);
    for (let i = recentFrom(r); i < r.recentCount; i++) if (recentAt(r, i) > tN) after++;
    if (after < 2) return;
    v.transitions[i] = { ...t, reason: ChangeReason.takeoverWhileAdvertising, evidence: flatText(`${r.address} kept advertising after ${t.to} claimed (${t.evidence}): not a preemption — ${t.to} did not hear it`) };
    v.dropped.onTimeTakeovers += pushBounded(v.onTimeTakeovers, { ts: t.ts, by: t.to, from: r.address, ageNs: 0n, intervalNs: intervalNs(r.intervalCs) }, this.caps.episodes);
  }

  /** A gratuitous ARP/NA for one of this virtual router's addresses from router `r`'s MAC. */
  announce(v: VridState, r: RouterState, ip: string, ts: bigint, tn: number): void {
    this.expire(v, ts, tn);
    r.lastGarp = ts;
    r.lastGarpN = tn;
    const back = v.silences[v.silences.length - 1];
    if (back && back.router === r.address && back.end !== undefined && ts - back.end <= 1_000_000_000n && ts >= back.end) back.garpOnReturn = true;
    for (const g of v.garpPending) if (g.router === r.address) g.missing.delete(ip);
    // A router that announces the virtual IPs is claiming mastership, even if it barely advertises.
    if (r.spellStart === undefined && !r.released) {
      this.startClaim(v, r, ts, tn);
      // The announcement that made the claim also fulfils it.
      for (const g of v.garpPending) if (g.router === r.address) g.missing.delete(ip);
    }
    boundExpiry(v, r);
  }

  /** Advances the clock to `ts` (`tn` on the number clock): ends claims that went silent past master-down. */
  expire(v: VridState, ts: bigint, tn: number): void {
    // Claims that ran out, ended in the order they ran out (who was still claiming when each ended
    // decides whether it yielded or fell silent).
    let ended: { r: RouterState; at: bigint }[] | undefined;
    // The routers are scanned only when some claim may have run out (on dense input, once in a few
    // adverts rather than on every one); the scan sets the next bound.
    if (tn > v.expiryAt) {
      let bound = Infinity;
      for (const r of v.routers.values()) {
        if (r.spellStart === undefined) continue;
        const garp = r.lastGarpN > r.lastAdvertN;
        const deadline = (garp ? r.lastGarpN : r.lastAdvertN) + r.downN;
        if (tn <= deadline) {
          if (deadline < bound) bound = deadline;
          continue;
        }
        (ended ??= []).push({ r, at: garp ? r.lastGarp! : r.lastAdvert });
      }
      // With no claimant left (Infinity), the next claim (startClaim via advert or announce) sets the bound.
      v.expiryAt = bound;
    }
    if (ended) {
      if (ended.length > 1) ended.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      for (const { r, at } of ended) this.endClaim(v, r, at, ChangeReason.masterSilent);
    }
    if (v.master !== undefined && v.noMasterOpen) {
      const nm = v.noMaster[v.noMaster.length - 1];
      if (nm && nm.end === undefined) nm.end = v.history[v.history.length - 1]?.start ?? ts;
      v.noMasterOpen = false;
    }
    if (tn > v.garpDue) {
      while (v.garpPending.length > 0 && tn - v.garpPending[0]!.sinceN > GARP_GRACE_N) {
        const g = v.garpPending.shift()!;
        if (g.missing.size > 0) pushBounded(v.garpMissing, { router: g.router, since: g.since, vips: [...g.missing] }, this.caps.episodes);
      }
      garpDue(v);
    }
  }

  private gap(v: VridState, r: RouterState, gapN: number, p: VrrpPacket, tn: number): void {
    const iv = r.intervalN;
    v.gapList.push(tn, gapN, r.address, r.downN, iv);
    if (gapN > v.maxGapN) {
      v.maxGapN = gapN;
      v.maxGapNs = p.ts - r.lastAdvert;
    }
    const ratio = iv > 0 ? gapN / iv : 0;
    let bin = 0;
    while (bin < GAP_BINS.length && !(ratio < GAP_BINS[bin]!)) bin++;
    v.gapHistogram[bin]!++;
    if (gapN > r.downN) v.overDownGaps++;
    else if (ratio > ON_TIME_INTERVALS) v.lateGaps++;
  }

  /** Counts the adverts a claiming router's interval implies between two received ones. */
  private deliver(r: RouterState, gapN: number): void {
    const iv = r.intervalN;
    // Under one and a half intervals (nearly every gap) rounds to one slot: nothing missing, no division.
    if (iv <= 0 || gapN < 1.5 * iv || gapN > LOSS_GAP_DOWNS * r.downN) return;
    const slots = Math.round(gapN / iv);
    if (slots >= 2) {
      r.delivery.missing += slots - 1;
      r.delivery.lossGaps++;
      if (gapN > r.downN) r.delivery.longGaps++;
    }
  }

  private closeSilence(v: VridState, r: RouterState, ts: bigint): void {
    r.silenceOpen = false;
    for (let i = v.silences.length - 1; i >= 0 && i >= v.silences.length - 4; i--) {
      const s = v.silences[i]!;
      if (s.router !== r.address || s.end !== undefined) continue;
      s.end = ts;
      s.gapNs = ts - s.start;
      return;
    }
  }

  private startClaim(v: VridState, r: RouterState, ts: bigint, tn: number): void {
    r.spellStart = ts;
    boundExpiry(v, r);
    setRole(r, 'master', ts, this.caps.roles);
    const prev = v.master !== undefined && v.master !== r.address ? v.routers.get(v.master) : undefined;
    let reason: ChangeReason;
    let evidence = '';
    if (v.history.length === 0) reason = ChangeReason.firstSeen;
    else if (prev && prev.spellStart !== undefined) {
      const age = ts - prev.lastAdvert;
      const prevIv = intervalNs(prev.intervalCs);
      const onTime = Number(age) <= Number(prevIv) * ON_TIME_INTERVALS;
      const back = v.silences[v.silences.length - 1];
      if (r.priority > prev.priority) {
        const drop = prev.priorityChanges[prev.priorityChanges.length - 1];
        const recentDrop = drop !== undefined && drop.to < drop.from && drop.from >= r.priority && ts - drop.ts < DROP_WINDOW_DOWNS * downOf(prev);
        reason = recentDrop ? ChangeReason.priorityDrop : ChangeReason.preemption;
        evidence = recentDrop ? `${prev.address}'s priority dropped from ${drop!.from} to ${drop!.to}; ${r.address} has ${r.priority}` : `priority ${r.priority} > ${prev.priority}`;
      } else if (!better(r, prev)) {
        // A worse router claims while the master advertises: it does not hear the master. The master
        // stays the master (it will not yield to a worse router); the overlap is a split brain.
        if (onTime) v.dropped.onTimeTakeovers += pushBounded(v.onTimeTakeovers, { ts, by: r.address, from: prev.address, ageNs: age, intervalNs: prevIv }, this.caps.episodes);
        this.updateSplit(v, ts, undefined);
        return;
      } else if (back && back.router === r.address && back.end === ts && back.takenOverBy === prev.address) {
        reason = ChangeReason.resumed;
        evidence = `${r.address}'s adverts came back after ${secs(back.gapNs ?? 0n)}; ${prev.address} had taken over meanwhile`;
      } else if (onTime) {
        reason = ChangeReason.takeoverWhileAdvertising;
        evidence = `${prev.address}'s last advert was ${secs(age)} earlier (interval ${secs(prevIv)}); equal priority ${r.priority}, ${r.address} has the higher address`;
        v.dropped.onTimeTakeovers += pushBounded(v.onTimeTakeovers, { ts, by: r.address, from: prev.address, ageNs: age, intervalNs: prevIv }, this.caps.episodes);
      } else {
        reason = ChangeReason.takeoverAfterSilence;
        evidence = `${prev.address}'s adverts were ${secs(age)} late`;
      }
    } else {
      const last = v.history[v.history.length - 1];
      const lastMaster = lastMasterOf(v);
      if (last && last.master === undefined && last.reason === ChangeReason.released) {
        reason = ChangeReason.released;
        evidence = `${lastMaster ?? 'the master'} resigned with priority 0`;
      } else {
        reason = ChangeReason.takeoverAfterSilence;
        const gone = lastMaster !== undefined ? v.routers.get(lastMaster) : undefined;
        evidence = gone ? `${gone.address} silent for ${secs(ts - gone.lastAdvert)} (master-down ${secs(downOf(gone))})` : 'no master before';
      }
    }
    const s = v.silences[v.silences.length - 1];
    if (s && s.end === undefined && s.router !== r.address && s.takenOverBy === undefined) s.takenOverBy = r.address;
    this.setMaster(v, r.address, ts, reason, evidence);
    if (reason !== ChangeReason.firstSeen && r.vips.length > 0) {
      pushBounded(v.garpPending, { router: r.address, since: ts, sinceN: tn, missing: new Set(r.vips) }, this.caps.episodes);
      garpDue(v);
    }
    this.updateSplit(v, ts, undefined);
  }

  /** Ends r's claim at `at` (its last advert, or now for priority 0). */
  private endClaim(v: VridState, r: RouterState, at: bigint, reason: ChangeReason): void {
    // A claim made by gratuitous ARP and a stray advert is no master that stopped advertising.
    let advertised = 0;
    if (r.spellStart !== undefined) {
      const since = this.n(r.spellStart);
      for (let i = recentFrom(r); i < r.recentCount; i++) if (recentAt(r, i) >= since) advertised++;
    }
    r.spellStart = undefined;
    const wasMaster = v.master === r.address;
    // Who is still claiming, best first.
    let best: RouterState | undefined;
    for (const o of v.routers.values()) if (o !== r && o.spellStart !== undefined && (!best || better(o, best))) best = o;
    if (reason !== ChangeReason.released) {
      // Quiet because a better router claims: a backup (it yielded or was preempted). Quiet with
      // nobody better claiming: gone (crash, stall, or its adverts stopped reaching us).
      const yielded = best !== undefined && better(best, r);
      setRole(r, yielded ? 'backup' : 'gone', at, this.caps.roles);
      if (!yielded && advertised >= 2) {
        v.dropped.silences += pushBounded(v.silences, { router: r.address, start: at, end: undefined, downNs: downOf(r), gapNs: undefined, wasMaster, takenOverBy: best?.address, garpOnReturn: false }, this.caps.episodes);
        r.silenceOpen = true;
      }
    }
    this.updateSplit(v, at, r);
    if (!wasMaster) return;
    if (best) {
      let next = best.lastAdvert;
      const atN = this.n(at);
      for (let i = recentFrom(best); i < best.recentCount; i++)
        if (recentAt(best, i) > atN) {
          next = this.epoch() + BigInt(recentAt(best, i));
          break;
        }
      // Mastership goes back to the router r had taken it from, if that one kept advertising.
      const before = v.history.length >= 2 ? v.history[v.history.length - 2]!.master : undefined;
      const kind = reason === ChangeReason.released ? ChangeReason.released : better(best, r) ? ChangeReason.yielded : before === best.address ? ChangeReason.resumed : ChangeReason.takeoverAfterSilence;
      const why = kind === ChangeReason.released ? `${r.address} resigned with priority 0` : kind === ChangeReason.yielded ? `${r.address} yielded: ${yieldReason(r, best)}` : kind === ChangeReason.resumed ? `${r.address} fell silent; ${best.address} had kept advertising` : `${r.address} fell silent`;
      this.setMaster(v, best.address, next > at ? next : at, kind, why);
    } else {
      this.setMaster(v, undefined, at, reason === ChangeReason.released ? ChangeReason.released : ChangeReason.masterSilent, '');
      if (reason !== ChangeReason.released) pushBounded(v.noMaster, { router: r.address, start: at + downOf(r), end: undefined, downNs: downOf(r) }, this.caps.episodes);
      else pushBounded(v.noMaster, { router: r.address, start: at, end: undefined, downNs: downOf(r) }, this.caps.episodes);
      v.noMasterOpen = true;
    }
  }

  private setMaster(v: VridState, master: string | undefined, ts: bigint, reason: ChangeReason, evidence: string): void {
    const from = v.master;
    if (from === master && v.history.length > 0) return;
    const last = v.history[v.history.length - 1];
    if (last && last.end === undefined) last.end = ts;
    v.dropped.history += pushBounded(v.history, { start: ts, end: undefined, master, reason }, this.caps.history);
    v.master = master;
    if (reason === ChangeReason.firstSeen || master === undefined) return;
    const nm = v.noMaster[v.noMaster.length - 1];
    if (nm && nm.end === undefined) nm.end = ts;
    v.noMasterOpen = false;
    // The same master back after a stretch without one is not a change of master.
    const prior = from ?? lastMasterOf(v, 1);
    if (from === undefined && prior === master) return;
    const t: Transition = { ts, from: prior, to: master, reason, evidence: flatText(evidence) };
    v.dropped.transitions += pushBounded(v.transitions, t, this.caps.history);
    v.changes++;
    this.sink(v, t);
  }

  private updateSplit(v: VridState, ts: bigint, leaving: RouterState | undefined): void {
    const claiming: string[] = [];
    for (const r of v.routers.values()) if (r.spellStart !== undefined) claiming.push(r.address);
    if (claiming.length >= 2) {
      if (!v.openSplit) {
        v.openSplit = { start: ts, end: undefined, routers: claiming, adverts: Object.fromEntries(claiming.map((a) => [a, 0])), replies: {}, outcome: undefined };
        v.dropped.splitBrains += pushBounded(v.splitBrains, v.openSplit, this.caps.episodes);
      } else {
        for (const a of claiming)
          if (!v.openSplit.routers.includes(a)) {
            v.openSplit.routers.push(a);
            v.openSplit.adverts[a] = 0;
          }
      }
    } else if (v.openSplit) {
      const e = v.openSplit;
      e.end = ts;
      v.openSplit = undefined;
      if (leaving) {
        const winner = claiming[0] !== undefined ? v.routers.get(claiming[0]) : undefined;
        e.outcome = splitOutcome(leaving, winner, ts);
      }
    }
  }
}

function splitOutcome(loser: RouterState, winner: RouterState | undefined, ts: bigint): SplitOutcome {
  if (loser.released) return { ts, kind: 'resigned', loser: loser.address, winner: winner?.address, why: 'it resigned with priority 0' };
  if (winner && better(winner, loser)) return { ts, kind: 'yield', loser: loser.address, winner: winner.address, why: yieldReason(loser, winner) };
  return { ts, kind: 'gone', loser: loser.address, winner: winner?.address, why: winner ? `it fell silent although ${yieldReason(loser, winner).replace(', yet it stopped', '')}` : 'it fell silent' };
}

/** Keeps v.expiryAt a lower bound once r's claim was renewed or started (its deadline may be the earliest). */
function boundExpiry(v: VridState, r: RouterState): void {
  if (r.spellStart === undefined) return;
  const deadline = (r.lastGarpN > r.lastAdvertN ? r.lastGarpN : r.lastAdvertN) + r.downN;
  if (deadline < v.expiryAt) v.expiryAt = deadline;
}

/** The oldest advert count still in r.recentN (walk recentFrom(r) … recentCount - 1, oldest first). */
function recentFrom(r: RouterState): number {
  return Math.max(0, r.recentCount - r.recentN.length);
}

/** The time of r's advert number i (recentFrom(r) <= i < recentCount), on the number clock. */
function recentAt(r: RouterState, i: number): number {
  return r.recentN[i & RECENT_MASK]!;
}

/** Sets v.garpDue from the oldest pending announcement. */
function garpDue(v: VridState): void {
  const g = v.garpPending[0];
  v.garpDue = g === undefined ? Infinity : g.sinceN + GARP_GRACE_N;
}

function setRole(r: RouterState, role: Role, ts: bigint, cap: number): void {
  if (r.role === role && r.roles.length > 0) return;
  r.role = role;
  pushBounded(r.roles, { ts, role }, cap);
}

/** The newest master in the history, skipping the newest `skip` intervals. */
function lastMasterOf(v: VridState, skip = 0): string | undefined {
  for (let i = v.history.length - 1 - skip; i >= 0; i--) {
    const m = v.history[i]!.master;
    if (m !== undefined) return m;
  }
  return undefined;
}

/** Routers advertising as master right now: the master, and any other claimant that advertised after the master's claim began (a split brain). */
export function claimingRouters(v: VridState): RouterState[] {
  const m = v.master !== undefined ? v.routers.get(v.master) : undefined;
  const since = v.history[v.history.length - 1]?.start ?? 0n;
  const out: RouterState[] = [];
  if (m && m.spellStart !== undefined) out.push(m);
  for (const r of v.routers.values()) if (r !== m && r.spellStart !== undefined && r.lastAdvert >= since && r.adverts > 0) out.push(r);
  return out;
}

function secs(ns: bigint): string {
  const s = Number(ns) / 1e9;
  return s >= 100 ? `${Math.round(s)}s` : durationText(s);
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
    const words = tail === undefined ? h : [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
    return words.reduce((acc, w) => (acc << 16n) | BigInt(parseInt(w || '0', 16) || 0), 0n);
  }
  return a.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o) || 0), 0n);
}
