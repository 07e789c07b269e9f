// Replay state for the dashboard: every decoded packet is kept (with its segment) so the model can
// be rebuilt at any earlier position; the timeline holds exactly the packets up to `position`.
// Default: follow the end of what was read (a file opens at its end; standard input grows as it
// arrives). With a speed, the position advances with the wall clock × speed (0 = as fast as the
// model can take, a time slice per frame). The model's clock stays packet time throughout.

import type { Finding } from '../analysis/finding.js';
import type { Packet } from '../decode/packet.js';
import { AdvertLedger } from '../host/advert-ledger.js';
import type { HostSet } from '../host/host-evidence.js';
import { Timeline } from '../model/timeline.js';
import { masterDownNs } from '../model/vrrp-timing.js';
import { withHost } from './host-analysis.js';

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 0] as const;

/**
 * How many packets are kept for scrubbing back. Beyond it the oldest half is let go (the model
 * keeps its own bounded history), so an endless `-r -` stream does not grow memory without limit.
 */
export const REPLAY_KEEP = 400_000;

export class Replay {
  private readonly packets: { readonly p: Packet; readonly segment: string }[] = [];
  /** Packets let go from the front of the buffer; scrubbing back cannot reach before them. */
  dropped = 0;
  /** When the capture stopped, if it says so (pcapng isb_endtime): silence until then counts. */
  captureEnd: bigint | undefined;
  private applied = 0;
  private version = 0;
  private analysed = -1;
  private cachedFindings: Finding[] = [];
  timeline = new Timeline();
  /** Capture time the model has reached; undefined before the first packet. */
  position: bigint | undefined;
  /** Position tracks the newest packet read. */
  follow: boolean;
  paused = false;
  loading = true;

  /** Host evidence (keepalived, firewall) to correlate with the wire; the ledger remembers who advertised when. */
  host: HostSet | undefined;
  readonly ledger = new AdvertLedger();
  /** Live: remember the wire for correlation only when there is something to correlate with. */
  ledgerWanted: () => boolean = () => true;

  constructor(public speed: number | undefined) {
    this.follow = speed === undefined;
  }

  get first(): bigint | undefined {
    return this.packets[0]?.p.ts;
  }

  get end(): bigint | undefined {
    const last = this.packets[this.packets.length - 1]?.p.ts;
    return last !== undefined && this.captureEnd !== undefined && this.captureEnd > last ? this.captureEnd : last;
  }

  get lastPacket(): bigint | undefined {
    return this.packets[this.packets.length - 1]?.p.ts;
  }

  /** Bumps when mastership changed, a VRID appeared or a master's adverts became overdue: worth a frame at once. */
  significant = 0;

  /** Packets the model has taken in so far (a tick moves the clock without changing this). */
  get appliedCount(): number {
    return this.applied + this.dropped;
  }

  get count(): number {
    return this.packets.length;
  }

  add(p: Packet, segment: string): void {
    this.packets.push({ p, segment });
    if (this.ledgerWanted()) this.ledger.add(p, segment);
    if (this.packets.length > REPLAY_KEEP && this.applied > REPLAY_KEEP / 2) {
      const n = REPLAY_KEEP / 2;
      this.packets.splice(0, n);
      this.applied -= n;
      this.dropped += n;
    }
    if (this.position === undefined && !this.follow) this.position = p.ts;
    if (this.follow && !this.paused) this.applyUpTo(p.ts);
  }

  /** Live: the clock moved on without a packet; in follow mode the model sees the silence. */
  tick(ts: bigint): void {
    if (this.captureEnd === undefined || ts > this.captureEnd) this.captureEnd = ts;
    if (this.follow && !this.paused && this.lastPacket !== undefined) this.applyUpTo(this.end!);
  }

  /** Moves the replay on by `wallMs` of wall-clock time; `budgetMs` caps the work for speed 0. */
  advance(wallMs: number, budgetMs = 40): void {
    if (this.paused) return;
    if (this.follow) {
      if (this.end !== undefined) this.applyUpTo(this.end);
      return;
    }
    if (this.speed === undefined || this.position === undefined) return;
    if (this.speed === 0) {
      const stop = Date.now() + budgetMs;
      while (this.applied < this.packets.length && Date.now() < stop) {
        const next = this.packets[Math.min(this.packets.length - 1, this.applied + 499)]!.p.ts;
        this.applyUpTo(next);
      }
      // Every packet in: on to the capture's recorded end (its last silence counts too).
      if (this.applied >= this.packets.length && this.end !== undefined && this.position < this.end) this.applyUpTo(this.end);
    } else {
      const target = this.position + BigInt(Math.round(wallMs * 1e6 * this.speed));
      this.applyUpTo(this.end !== undefined && target > this.end ? this.end : target);
    }
    // At the end (not merely past the last packet: a pcapng may record a silence after it) it stops.
    if (!this.loading && this.applied >= this.packets.length && this.end !== undefined && this.position >= this.end) this.paused = true;
  }

  /** Seeks to capture time `ts` (clamped to what was read); going back rebuilds the model. */
  seek(ts: bigint): void {
    const first = this.first;
    const end = this.end;
    if (first === undefined || end === undefined) return;
    const to = ts < first ? first : ts > end ? end : ts;
    if (this.position !== undefined && to < this.position) {
      // Rebuilt from the oldest packet still kept (all of them unless a stream outgrew REPLAY_KEEP).
      this.timeline = new Timeline();
      this.applied = 0;
      this.position = undefined;
    }
    this.applyUpTo(to);
    this.follow = to >= end && this.speed === undefined;
  }

  setSpeed(s: number | undefined): void {
    this.speed = s;
    if (s !== undefined) this.follow = false;
  }

  findings(): Finding[] {
    if (this.analysed !== this.version) {
      this.cachedFindings = withHost(this.timeline, this.ledger, this.host);
      this.analysed = this.version;
    }
    return this.cachedFindings;
  }

  /** Bumps whenever the model changed, so views know to redraw. */
  get changes(): number {
    return this.version;
  }

  private applyUpTo(ts: bigint): void {
    let changed = this.position === undefined || ts !== this.position;
    while (this.applied < this.packets.length && this.packets[this.applied]!.p.ts <= ts) {
      const { p, segment } = this.packets[this.applied++]!;
      const vrids = this.timeline.vrids.size;
      this.timeline.apply({ kind: 'packet', segment, packet: p });
      if (this.timeline.newTransitions.length > 0 || this.timeline.vrids.size !== vrids) this.significant++;
      this.timeline.newTransitions.length = 0;
      changed = true;
    }
    if (this.timeline.first !== undefined && ts > this.timeline.now) {
      this.timeline.apply({ kind: 'tick', ts });
      // Silence past master-down ends a claim (no packet says so), and a master whose adverts are
      // overdue turns its row red: both are worth a frame at once. (Checked on the clock's ticks,
      // a few a second, not per packet.)
      const unwell = this.unwell();
      if (this.timeline.newTransitions.length > 0 || unwell !== this.unwellSeen) this.significant++;
      this.timeline.newTransitions.length = 0;
      this.unwellSeen = unwell;
    }
    if (changed) this.version++;
    this.position = ts;
  }

  private unwellSeen = '';

  /** Which VRIDs have no master, and which masters' last adverts are older than master-down. */
  private unwell(): string {
    const now = this.timeline.now;
    let out = '';
    for (const v of this.timeline.vrids.values()) {
      const m = v.master !== undefined ? v.routers.get(v.master) : undefined;
      if (m === undefined) out += `${v.key} none\n`;
      else if (now - m.lastAdvert > masterDownNs(m.version, m.intervalCs, m.priority || 1)) out += `${v.key} late\n`;
    }
    return out;
  }
}
