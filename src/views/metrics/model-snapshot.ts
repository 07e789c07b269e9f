// The exporter's only window on the model: a Timeline plus its findings in, plain records out, one
// per virtual router (a VRID's partition). Everything the collectors need is derived here (who
// claims mastership now, which verdicts of the analysis are ongoing or active), so a change of model
// or analysis touches this file only.
//
// Contract for the collectors: `changes`, `gaps`, `garpMissing` and a VIP's `moves` hold the SAME
// record objects from one call to the next for the same model event (the collectors count new
// events by identity, so counters stay monotonic although the model keeps only its newest events).

import type { Finding } from '../../analysis/finding.js';
import { flapTimes, ifaceOf } from '../../analysis/analyze.js';
import type { InstanceLink } from '../../host/correlate.js';
import type { Gap, GarpMissing, OwnerChange, RouterState, Transition, VridState } from '../../model/model-types.js';
import { claimingRouters, type Timeline } from '../../model/timeline.js';
import { masterDownNs } from '../../model/vrrp-timing.js';

/** A finding counts as active while its last evidence is at most this old (model clock). */
export const ACTIVE_FINDING_NS = 300_000_000_000n;

export type MismatchKind = 'auth' | 'version' | 'interval' | 'vip';

export type ChangeRecord = { readonly ts: bigint; readonly reason: string; readonly flap: boolean };
export type GapRecord = { readonly ts: bigint; readonly seconds: number };
export type GarpMissingRecord = { readonly ts: bigint };

export type RouterRecord = {
  readonly address: string;
  readonly mac: string;
  readonly priority: number;
  readonly intervalSeconds: number;
  readonly version: number;
  /** Adverts counted since the model began (monotonic). */
  readonly adverts: number;
  /** Advertising as master now. */
  readonly claiming: boolean;
  readonly lastAdvert: bigint;
};

export type VridRecord = {
  /** Stable identity of this virtual router (segment|vrid|family|part). */
  readonly key: string;
  readonly segment: string;
  /** The interface part of the segment (keepalived-exporter's `intf`). */
  readonly intf: string;
  readonly vrid: number;
  readonly family: 4 | 6;
  /** Tells partitions of one VRID apart: '' for the first, then '1', '2' … */
  readonly part: string;
  /** keepalived's instance name, when host evidence names it. */
  readonly iname: string;
  /** Routers advertising as master now. */
  readonly claiming: readonly string[];
  readonly master: { readonly address: string; readonly mac: string } | undefined;
  /** The current master, else the latest one: how late its adverts are against master-down. */
  readonly lastMaster: { readonly address: string; readonly lastAdvert: bigint; readonly masterDownNs: bigint } | undefined;
  readonly splitBrain: boolean;
  readonly noMaster: boolean;
  readonly conflict: boolean;
  readonly mismatches: ReadonlySet<MismatchKind>;
  /** The wire suggests the host drops adverts (check-firewall). */
  readonly hostDropSuspected: boolean;
  /** Host evidence (counters, firewall) confirms it (adverts-dropped-on-host). */
  readonly hostDropConfirmed: boolean;
  /** An active garp-missing finding. */
  readonly garpMissingActive: boolean;
  readonly changes: readonly ChangeRecord[];
  readonly gaps: readonly GapRecord[];
  readonly garpMissing: readonly GarpMissingRecord[];
  /** Master adverts more than 1.5 intervals apart but within master-down (monotonic). */
  readonly lateAdverts: number;
  /** Master adverts further apart than master-down (monotonic). */
  readonly masterDownExceeded: number;
  readonly routers: readonly RouterRecord[];
  readonly lastSeen: bigint;
};

export type MoveRecord = { readonly ts: bigint; readonly mac: string };

export type VipRecord = {
  readonly key: string;
  readonly segment: string;
  readonly intf: string;
  readonly address: string;
  readonly gratuitous: number;
  /** The MAC that announced it last. */
  readonly owner: string | undefined;
  /** Announcements from another MAC than the previous one (same identity contract as changes). */
  readonly moves: readonly MoveRecord[];
  readonly lastSeen: bigint | undefined;
};

export type FindingRecord = {
  readonly code: string;
  readonly severity: string;
  readonly segment: string;
  readonly intf: string;
  readonly vrid: string;
  readonly family: string;
  readonly iname: string;
};

export type ModelSnapshot = {
  /** The model clock (packet time); undefined before the first packet. */
  readonly now: bigint | undefined;
  readonly vrids: readonly VridRecord[];
  readonly vips: readonly VipRecord[];
  readonly packets: { readonly vrrp: number; readonly carp: number; readonly arp: number; readonly na: number; readonly malformed: number; readonly gratuitous: number };
  /** Active findings (see ACTIVE_FINDING_NS). */
  readonly findings: readonly FindingRecord[];
  /** VRIDs the model could not keep (its limit). */
  readonly droppedVrids: number;
};

/** Findings about a VRID as a whole: they count for each of its partitions. */
const GROUP_CODES = new Set<string>(['auth-mismatch', 'version-mismatch', 'interval-mismatch', 'vip-mismatch', 'vrid-conflict']);

const changeCache = new WeakMap<Transition, ChangeRecord>();
const gapCache = new WeakMap<Gap, GapRecord>();
const garpCache = new WeakMap<GarpMissing, GarpMissingRecord>();
const moveCache = new WeakMap<OwnerChange, MoveRecord>();

function cached<K extends object, V>(cache: WeakMap<K, V>, k: K, make: () => V): V {
  let v = cache.get(k);
  if (v === undefined) {
    v = make();
    cache.set(k, v);
  }
  return v;
}

export function snapshotModel(t: Timeline, findings: readonly Finding[], instances: readonly InstanceLink[] = []): ModelSnapshot {
  const now = t.first === undefined ? undefined : t.now;
  const active = now === undefined ? [] : findings.filter((f) => now - f.lastSeen <= ACTIVE_FINDING_NS);
  const inames = new Map<VridState, string>(instances.map((l) => [l.vrid, l.name]));
  // A finding names its virtual router (key, one partition of a VRID) or only segment + VRID; a
  // mismatch or a conflict is about the VRID as a whole, so it counts for every partition of it.
  const byKey = new Map<string, Finding[]>();
  const byGroup = new Map<string, Finding[]>();
  const add = (m: Map<string, Finding[]>, k: string, f: Finding): void => void m.set(k, [...(m.get(k) ?? []), f]);
  for (const f of active) {
    if (f.segment === undefined || f.vrid === undefined) continue;
    if (f.key !== undefined && !GROUP_CODES.has(f.code)) add(byKey, f.key, f);
    else add(byGroup, `${f.segment}|${f.vrid}|${f.family ?? 4}`, f);
  }
  const vrids = [...t.vrids.values()].map((v) => vridRecord(v, t.now, [...(byKey.get(v.key) ?? []), ...(byGroup.get(v.groupKey) ?? [])], inames.get(v) ?? ''));
  const inameOf = new Map<string, string>();
  for (const [v, name] of inames) if (!inameOf.has(v.groupKey)) inameOf.set(v.groupKey, name);
  return {
    now,
    vrids,
    vips: [...t.vips.entries()].map(([key, x]) => ({
      key,
      segment: x.segment,
      intf: ifaceOf(x.segment),
      address: x.address,
      gratuitous: x.garps,
      owner: x.owner,
      moves: x.owners.slice(1).map((o) => cached(moveCache, o, () => ({ ts: o.ts, mac: o.mac }))),
      lastSeen: x.bursts[x.bursts.length - 1]?.end ?? x.owners[x.owners.length - 1]?.ts,
    })),
    packets: { vrrp: t.counters.adverts, carp: t.counters.carp, arp: t.counters.arp, na: t.counters.neighborAdverts, malformed: t.counters.malformed, gratuitous: t.counters.garps },
    findings: active.map((f) => ({
      code: f.code,
      severity: f.severity,
      segment: f.segment ?? '',
      intf: f.segment !== undefined ? ifaceOf(f.segment) : '',
      vrid: f.vrid !== undefined ? String(f.vrid) : '',
      family: f.family !== undefined ? String(f.family) : '',
      iname: inameOf.get(`${f.segment}|${f.vrid}|${f.family ?? 4}`) ?? '',
    })),
    droppedVrids: t.droppedVrids,
  };
}

function vridRecord(v: VridState, now: bigint, fs: readonly Finding[], iname: string): VridRecord {
  const has = (...codes: string[]): boolean => fs.some((f) => codes.includes(f.code));
  const claiming = claimingRouters(v).map((r) => r.address);
  const m = v.master !== undefined ? v.routers.get(v.master) : undefined;
  const latest = m ?? lastMasterRouter(v);
  const flaps = new Set(flapTimes(v));
  const mismatches = new Set<MismatchKind>();
  if (has('auth-mismatch')) mismatches.add('auth');
  if (has('version-mismatch')) mismatches.add('version');
  if (has('interval-mismatch')) mismatches.add('interval');
  if (has('vip-mismatch')) mismatches.add('vip');
  // Ongoing: the analysis tells a split brain in the present (critical) until its last episode ends.
  const splitBrain = fs.some((f) => f.code === 'split-brain' && f.lastSeen === now && f.severity === 'critical');
  return {
    key: v.key,
    segment: v.segment,
    intf: ifaceOf(v.segment),
    vrid: v.vrid,
    family: v.family,
    // The partition number, not its label: a label can quote an auth password.
    part: v.part === 0 ? '' : String(v.part),
    iname,
    claiming,
    master: m ? { address: m.address, mac: m.macs[0] ?? '' } : undefined,
    lastMaster: latest ? { address: latest.address, lastAdvert: latest.lastAdvert, masterDownNs: downOf(latest) } : undefined,
    splitBrain,
    // Ongoing no-master, as the analysis judges it (a quiet partition of a mismatch is not one).
    noMaster: fs.some((f) => f.code === 'no-master' && f.lastSeen === now && f.severity === 'critical'),
    conflict: has('vrid-conflict'),
    mismatches,
    hostDropSuspected: has('check-firewall'),
    hostDropConfirmed: has('adverts-dropped-on-host'),
    garpMissingActive: has('garp-missing'),
    changes: v.transitions.map((x) => cached(changeCache, x, () => ({ ts: x.ts, reason: x.reason, flap: flaps.has(x.ts) }))),
    gaps: v.gaps.map((g) => cached(gapCache, g, () => ({ ts: g.ts, seconds: Number(g.gapNs) / 1e9 }))),
    garpMissing: v.garpMissing.map((g) => cached(garpCache, g, () => ({ ts: g.since }))),
    lateAdverts: v.lateGaps,
    masterDownExceeded: v.overDownGaps,
    routers: [...v.routers.values()].map((r) => ({
      address: r.address,
      mac: r.macs[0] ?? '',
      priority: r.priority,
      intervalSeconds: r.intervalCs / 100,
      version: r.version,
      adverts: r.adverts,
      claiming: claiming.includes(r.address),
      lastAdvert: r.lastAdvert,
    })),
    lastSeen: v.lastSeen,
  };
}

function lastMasterRouter(v: VridState): RouterState | undefined {
  for (let i = v.history.length - 1; i >= 0; i--) {
    const a = v.history[i]!.master;
    if (a !== undefined) return v.routers.get(a);
  }
  return undefined;
}

function downOf(r: RouterState): bigint {
  return masterDownNs(r.version, r.intervalCs, r.priority || 1);
}
