// The exporter's metrics, filled from a ModelSnapshot at every scrape (the server calls update()).
// Gauges are rebuilt from the snapshot each time; counters of events the model keeps only a window
// of (master changes, flaps, missing GARPs, advert gaps) are counted here, by record identity, so
// they stay monotonic. Series of VRIDs and routers silent for longer than `expireNs` (model clock)
// are dropped with their state: cardinality follows what is on the wire now, not all history.

import { Counter, Gauge, Histogram, type Registry, type RegistryContentType } from 'prom-client';
import type { ModelSnapshot, VridRecord } from './model-snapshot.js';

export type CaptureInputHealth = {
  /** Interface or input name. */
  readonly name: string;
  /** Capturing / being read now. */
  readonly up: boolean;
  /** Frames delivered to vrrpscope. */
  readonly frames: number;
  /** Frames the kernel dropped (ring full), when known. */
  readonly dropped: number | undefined;
};

export type MetricsFeed = {
  /** The model now, through the adapter (model-snapshot.ts). */
  snapshot(): ModelSnapshot;
  /** The inputs' state: live interfaces, or the files / stream being read. */
  capture(): readonly CaptureInputHealth[];
};

/** Default: series of a VRID or router silent this long (packet time) go away. */
export const DEFAULT_EXPIRE_NS = 3_600_000_000_000n;

/** Advert-gap buckets in seconds: around the usual 1 s interval and the 3.x s master-down. */
export const GAP_BUCKETS = [0.1, 0.25, 0.5, 1, 1.25, 1.5, 2, 3, 3.5, 4, 5, 10, 30, 60];

const VRID_LABELS = ['segment', 'intf', 'vrid', 'family', 'part', 'iname'] as const;
type VridLabel = (typeof VRID_LABELS)[number];
type Labels = Record<string, string>;

type VridCounters = {
  readonly seen: WeakSet<object>;
  readonly changes: Map<string, number>;
  flaps: number;
  garpMissing: number;
  /** Label set the gap histogram was last observed under (removed when the VRID expires or relabels). */
  histLabels: Labels | undefined;
};

const NS = 1e9;

export class VrrpMetrics {
  private readonly state = new Map<string, VridCounters>();
  private readonly vridGauges: Gauge<VridLabel>[] = [];

  constructor(
    registry: Registry<RegistryContentType>,
    private readonly feed: MetricsFeed,
    private readonly expireNs: bigint = DEFAULT_EXPIRE_NS,
  ) {
    const reg = [registry];
    const vg = (name: string, help: string): Gauge<VridLabel> => {
      const g = new Gauge({ name, help, labelNames: VRID_LABELS, registers: reg });
      this.vridGauges.push(g);
      return g;
    };
    const g = {
      masters: vg('vrrpscope_vrid_masters', 'Routers advertising as master now (2 or more: split brain).'),
      routers: vg('vrrpscope_vrid_routers', 'Routers seen advertising on this VRID (not yet expired).'),
      split: vg('vrrpscope_vrid_split_brain', '1 while two or more routers advertise as master at the same time for longer than a hand-over.'),
      noMaster: vg('vrrpscope_vrid_no_master', '1 while no router advertises as master.'),
      conflict: vg('vrrpscope_vrid_conflict', '1 while unrelated routers with different virtual addresses use this VRID (vrid-conflict).'),
      garp: vg('vrrpscope_vrid_garp_missing', '1 while a new master that sent no gratuitous ARP / NA for its virtual IPs is reported (garp-missing).'),
      suspected: vg('vrrpscope_vrid_host_drop_suspected', '1 while the wire shows adverts that the routers do not receive (check-firewall).'),
      confirmed: vg('vrrpscope_vrid_host_drop_confirmed', "1 while host evidence (keepalived's counters, the firewall) shows adverts dropped on this host (adverts-dropped-on-host)."),
      age: vg('vrrpscope_vrid_master_advert_age_seconds', "Time since the master's (or the latest master's) last advert, by packet time."),
      down: vg('vrrpscope_vrid_master_down_seconds', "The master's master-down interval (3 x interval + skew)."),
      margin: vg('vrrpscope_vrid_master_down_margin_seconds', "Master-down minus the time since the master's last advert: negative once backups should have taken over."),
    };
    const mismatch = new Gauge({ name: 'vrrpscope_vrid_mismatch', help: 'Routers of this VRID disagree on a setting (kind: auth, version, interval, vip); 0/1.', labelNames: [...VRID_LABELS, 'kind'], registers: reg });
    const info = new Gauge({ name: 'vrrpscope_vrid_master_info', help: 'The current master: its address and MAC (value 1).', labelNames: [...VRID_LABELS, 'address', 'mac'], registers: reg });
    const changes = new Counter({ name: 'vrrpscope_vrid_master_changes_total', help: 'Changes of master, by reason.', labelNames: [...VRID_LABELS, 'reason'], registers: reg });
    const flaps = new Counter({ name: 'vrrpscope_vrid_flaps_total', help: 'Changes of master back to a router that was master before (A to B to A).', labelNames: VRID_LABELS, registers: reg });
    const garpMissing = new Counter({ name: 'vrrpscope_vrid_takeovers_without_garp_total', help: 'Takeovers after which the new master announced not all of its virtual IPs within 6 s.', labelNames: VRID_LABELS, registers: reg });
    const late = new Counter({ name: 'vrrpscope_vrid_late_adverts_total', help: "Master adverts more than 1.5 intervals after the previous one, within master-down.", labelNames: VRID_LABELS, registers: reg });
    const exceeded = new Counter({ name: 'vrrpscope_vrid_master_down_exceeded_total', help: "Gaps in the master's adverts longer than master-down.", labelNames: VRID_LABELS, registers: reg });
    const gaps = new Histogram({ name: 'vrrpscope_vrid_advert_gap_seconds', help: "Gaps between the master's consecutive adverts.", labelNames: VRID_LABELS, buckets: GAP_BUCKETS, registers: reg });
    const RL = [...VRID_LABELS, 'address'];
    const adverts = new Counter({ name: 'vrrpscope_router_adverts_total', help: 'Adverts received from this router.', labelNames: RL, registers: reg });
    const priority = new Gauge({ name: 'vrrpscope_router_priority', help: 'Priority in the router\'s latest advert (0 = resigning).', labelNames: RL, registers: reg });
    const interval = new Gauge({ name: 'vrrpscope_router_advert_interval_seconds', help: 'Advertisement interval in the router\'s latest advert.', labelNames: RL, registers: reg });
    const version = new Gauge({ name: 'vrrpscope_router_vrrp_version', help: 'VRRP version of the router\'s latest advert (2 or 3).', labelNames: RL, registers: reg });
    const claiming = new Gauge({ name: 'vrrpscope_router_claiming_master', help: '1 while this router advertises as master.', labelNames: RL, registers: reg });
    const VL = ['segment', 'intf', 'address'];
    const vipGarps = new Counter({ name: 'vrrpscope_vip_gratuitous_total', help: 'Gratuitous ARPs / unsolicited neighbour adverts for this virtual IP.', labelNames: VL, registers: reg });
    const vipMoves = new Counter({ name: 'vrrpscope_vip_owner_changes_total', help: 'Announcements of this virtual IP from another MAC than the previous one (clients follow each).', labelNames: VL, registers: reg });
    const vipOwner = new Gauge({ name: 'vrrpscope_vip_owner_info', help: 'The MAC that announced this virtual IP last (value 1).', labelNames: [...VL, 'mac'], registers: reg });
    const packets = new Counter({ name: 'vrrpscope_packets_total', help: 'Packets decoded, by kind (vrrp, carp, arp, na, malformed).', labelNames: ['kind'], registers: reg });
    const gratuitous = new Counter({ name: 'vrrpscope_gratuitous_total', help: 'Gratuitous ARPs and unsolicited neighbour adverts.', registers: reg });
    const findings = new Gauge({ name: 'vrrpscope_findings', help: 'Active findings (evidence in the last 5 min of packet time) by code and severity; VRID labels empty for input-wide ones.', labelNames: ['code', 'severity', 'segment', 'intf', 'vrid', 'family', 'iname'], registers: reg });
    const clock = new Gauge({ name: 'vrrpscope_model_time_seconds', help: 'The model clock: time of the newest packet or tick (Unix seconds).', registers: reg });
    const vrids = new Gauge({ name: 'vrrpscope_vrids', help: 'Virtual routers exported (seen, not expired).', registers: reg });
    const dropped = new Counter({ name: 'vrrpscope_model_dropped_vrids_total', help: 'VRIDs the model did not keep (beyond its limit).', registers: reg });
    const up = new Gauge({ name: 'vrrpscope_capture_up', help: '1 while the input is captured / read; 0 when it ended, failed or went down.', labelNames: ['input'], registers: reg });
    const frames = new Counter({ name: 'vrrpscope_capture_frames_total', help: 'Frames delivered to vrrpscope.', labelNames: ['input'], registers: reg });
    const kdrops = new Counter({ name: 'vrrpscope_capture_kernel_drops_total', help: 'Frames the kernel dropped because the capture buffer was full (live capture, when known).', labelNames: ['input'], registers: reg });

    const all = [...this.vridGauges, mismatch, info, changes, flaps, garpMissing, late, exceeded, adverts, priority, interval, version, claiming, vipGarps, vipMoves, vipOwner, packets, gratuitous, findings, clock, vrids, dropped, up, frames, kdrops];
    this.fill = (): void => {
      for (const m of all) m.reset();
      const snap = this.feed.snapshot();
      const now = snap.now;
      const live = now === undefined ? [] : snap.vrids.filter((v) => now - v.lastSeen <= this.expireNs);
      const keep = new Set(live.map((v) => v.key));
      for (const [key, s] of this.state) {
        if (keep.has(key)) continue;
        if (s.histLabels) gaps.remove(s.histLabels);
        this.state.delete(key);
      }
      vrids.set(live.length);
      if (now !== undefined) clock.set(Number(now) / NS);
      for (const v of live) {
        const l = vridLabels(v);
        const routers = v.routers.filter((r) => now! - r.lastAdvert <= this.expireNs);
        g.masters.set(l, v.claiming.length);
        g.routers.set(l, routers.length);
        g.split.set(l, v.splitBrain ? 1 : 0);
        g.noMaster.set(l, v.noMaster ? 1 : 0);
        g.conflict.set(l, v.conflict ? 1 : 0);
        g.garp.set(l, v.garpMissingActive ? 1 : 0);
        g.suspected.set(l, v.hostDropSuspected ? 1 : 0);
        g.confirmed.set(l, v.hostDropConfirmed ? 1 : 0);
        for (const kind of ['auth', 'version', 'interval', 'vip'] as const) mismatch.set({ ...l, kind }, v.mismatches.has(kind) ? 1 : 0);
        if (v.master) info.set({ ...l, address: v.master.address, mac: v.master.mac }, 1);
        if (v.lastMaster) {
          const ageNs = now! - v.lastMaster.lastAdvert;
          g.age.set(l, Number(ageNs) / NS);
          g.down.set(l, Number(v.lastMaster.masterDownNs) / NS);
          g.margin.set(l, Number(v.lastMaster.masterDownNs - ageNs) / NS);
        }
        const s = this.counted(v, l, gaps);
        for (const [reason, n] of s.changes) changes.inc({ ...l, reason }, n);
        flaps.inc(l, s.flaps);
        garpMissing.inc(l, s.garpMissing);
        late.inc(l, v.lateAdverts);
        exceeded.inc(l, v.masterDownExceeded);
        for (const r of routers) {
          const rl = { ...l, address: r.address };
          adverts.inc(rl, r.adverts);
          priority.set(rl, r.priority);
          interval.set(rl, r.intervalSeconds);
          version.set(rl, r.version);
          claiming.set(rl, r.claiming ? 1 : 0);
        }
      }
      const vipKeys = new Set<string>();
      for (const x of snap.vips) {
        if (now === undefined || x.lastSeen === undefined || now - x.lastSeen > this.expireNs) continue;
        vipKeys.add(x.key);
        const vl = { segment: x.segment, intf: x.intf, address: x.address };
        vipGarps.inc(vl, x.gratuitous);
        if (x.owner !== undefined) vipOwner.set({ ...vl, mac: x.owner }, 1);
        vipMoves.inc(vl, this.countedMoves(x.key, x.moves));
      }
      for (const k of this.vipState.keys()) if (!vipKeys.has(k)) this.vipState.delete(k);
      for (const [kind, n] of Object.entries(snap.packets)) if (kind !== 'gratuitous') packets.inc({ kind }, n);
      gratuitous.inc(snap.packets.gratuitous);
      for (const f of snap.findings) findings.inc({ code: f.code, severity: f.severity, segment: f.segment, intf: f.intf, vrid: f.vrid, family: f.family, iname: f.iname });
      dropped.inc(snap.droppedVrids);
      for (const c of this.feed.capture()) {
        up.set({ input: c.name }, c.up ? 1 : 0);
        frames.inc({ input: c.name }, c.frames);
        if (c.dropped !== undefined) kdrops.inc({ input: c.name }, c.dropped);
      }
    };
  }

  private readonly fill: () => void;

  /** Brings every series up to the model's present; call right before rendering a scrape. */
  update(): void {
    this.fill();
  }

  /** VRIDs and virtual IPs the exporter keeps state for (for the cardinality test). */
  get trackedState(): number {
    return this.state.size + this.vipState.size;
  }

  private readonly vipState = new Map<string, { readonly seen: WeakSet<object>; moves: number }>();

  /** A virtual IP's MAC moves so far, counting new ones by identity. */
  private countedMoves(key: string, moves: readonly object[]): number {
    let s = this.vipState.get(key);
    if (!s) this.vipState.set(key, (s = { seen: new WeakSet(), moves: 0 }));
    for (let i = moves.length - 1; i >= 0 && !s.seen.has(moves[i]!); i--) {
      s.seen.add(moves[i]!);
      s.moves++;
    }
    return s.moves;
  }

  /** Counts new events of a VRID by identity (newest first, stopping at the first already counted). */
  private counted(v: VridRecord, l: Labels, gaps: Histogram<string>): VridCounters {
    let s = this.state.get(v.key);
    if (!s) {
      s = { seen: new WeakSet(), changes: new Map(), flaps: 0, garpMissing: 0, histLabels: undefined };
      this.state.set(v.key, s);
    }
    const fresh = !s.histLabels || !sameLabels(s.histLabels, l);
    if (fresh && s.histLabels) gaps.remove(s.histLabels);
    s.histLabels = l;
    for (let i = v.changes.length - 1; i >= 0; i--) {
      const c = v.changes[i]!;
      if (s.seen.has(c)) break;
      s.seen.add(c);
      s.changes.set(c.reason, (s.changes.get(c.reason) ?? 0) + 1);
      if (c.flap) s.flaps++;
    }
    for (let i = v.garpMissing.length - 1; i >= 0; i--) {
      const g = v.garpMissing[i]!;
      if (s.seen.has(g)) break;
      s.seen.add(g);
      s.garpMissing++;
    }
    // Present from the first scrape (zero observations), so rate() and increase() work at once.
    if (fresh) gaps.zero(l);
    for (let i = v.gaps.length - 1; i >= 0; i--) {
      const x = v.gaps[i]!;
      if (s.seen.has(x)) break;
      s.seen.add(x);
      gaps.observe(l, x.seconds);
    }
    return s;
  }
}

function vridLabels(v: VridRecord): Record<VridLabel, string> {
  return { segment: v.segment, intf: v.intf, vrid: String(v.vrid), family: String(v.family), part: v.part, iname: v.iname };
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
