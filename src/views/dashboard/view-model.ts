// The dashboard's view-model: a plain, serialisable snapshot of everything the widgets draw, built
// from the timeline, the findings and the replay state. Widgets receive this and nothing else, so
// a fixed view-model renders the same screen every time (tests/golden/dashboard/).
//
// Times inside are seconds relative to the visible window's start (0 … spanS), so widgets only
// scale; labels are pre-formatted text. Wire text (auth strings) is already inert() here; widgets
// still escape blessed tag syntax in every string they draw.

import { flapTimes } from '../../analysis/analyze.js';
import { claimingRouters } from '../../model/virtual-router.js';
import type { Finding, Severity } from '../../analysis/finding.js';
import type { GarpBurst, RouterState, VridState } from '../../model/model-types.js';
import type { Timeline } from '../../model/timeline.js';
import { masterDownNs } from '../../model/vrrp-timing.js';
import { inert } from '../../util/inert.js';
import { vridText } from '../segment-name.js';
import { durationText, intervalText } from '../time-format.js';
import { compareVrids, summarizeVrid, type VridStatus } from '../vrid-summary.js';

export type ReplayInfo = {
  /** 'replay': a file being played; 'stream': standard input arriving; 'live': an interface. */
  readonly mode: 'replay' | 'stream' | 'live';
  readonly paused: boolean;
  /** Replay speed (× real time), 0 = as fast as possible, undefined = opened at the end. */
  readonly speed: number | undefined;
  /** Still reading input. */
  readonly loading: boolean;
  /** Replay position and the end of what was read, in ns of capture time. */
  readonly position: bigint | undefined;
  readonly end: bigint | undefined;
  /** Stream: seconds of wall clock since the last packet arrived, and whether the writer went away. */
  readonly stream?: { readonly lastPacketAgoS: number | undefined; readonly closed: boolean; readonly wallClock: boolean };
};

export type SourceInfo = {
  readonly label: string;
  readonly dropped: number;
  /** keepalived instance per VRID key ("SERVICE (G1) BACKUP→MASTER"), when host evidence is known. */
  readonly instances?: ReadonlyMap<string, string>;
  /** keepalived's log beside the wire events (state changes, advert timeouts, errors). */
  readonly hostEvents?: readonly { readonly ts: bigint; readonly where: string; readonly text: string }[];
};

export type UiState = {
  readonly selectedKey: string | undefined;
  readonly filter: string;
  /** Width of the visible time window in seconds; undefined = all of the capture. */
  readonly windowS: number | undefined;
  readonly detail: boolean;
  /** 'problems': unhealthy VRIDs first (the default); 'stable': segment, VRID, family. */
  readonly order?: 'problems' | 'stable';
};

export type Span = { readonly startS: number; readonly endS: number; readonly letter: string | undefined };

export type BandVM = {
  /** Who was master when, clipped to the window; letter undefined = no master. */
  readonly spans: readonly Span[];
  /** Master changes (seconds into the window). */
  readonly changes: readonly number[];
  /** Two or more routers advertising as master at once. */
  readonly splits: readonly { readonly startS: number; readonly endS: number }[];
  /** Advert gaps beyond the master-down interval, at the time they ended. */
  readonly gaps: readonly number[];
  /** Letters of the routers claiming mastership during each split (same order as `splits`). */
  readonly splitLetters: readonly (readonly string[])[];
};

export type RouterLegend = { readonly letter: string; readonly address: string; readonly local: boolean };

/** A router advertising as master now. */
export type ClaimVM = { readonly address: string; readonly priority: number; readonly local: boolean };

export type VridRowVM = {
  readonly key: string;
  readonly label: string;
  readonly segment: string;
  readonly vrid: number;
  readonly family: 4 | 6;
  readonly status: VridStatus;
  readonly master: string | undefined;
  readonly masterPriority: number | undefined;
  readonly masterLocal: boolean;
  readonly masterSinceS: number | undefined;
  /**
   * Every router advertising as master now (two or more: split brain), the current master first.
   * Model adapter point: VridState.claiming in the rebuilt model; today the open split episode.
   */
  readonly masters: readonly ClaimVM[];
  /** How unwell: 0 split brain / conflict / host drops, 1 no master / flapping / master overdue, 2 warning, 3 OK. */
  readonly rank: number;
  /** Real flapping (the analysis says so), not just a change of master. */
  readonly flapping: boolean;
  /** Virtual IPs the routers advertise. */
  readonly vips: readonly string[];
  /** Routers not claiming mastership (never a router that advertises as master). */
  readonly backups: readonly string[];
  /** The keepalived instance on this host that runs this VRID, if known. */
  readonly instance?: string | undefined;
  readonly intervalS: number | undefined;
  readonly downS: number | undefined;
  readonly lastAdvertAgeS: number | undefined;
  readonly changes: number;
  readonly changesPer10Min: number;
  readonly flapsPer10Min: number;
  /** Changes inside the visible window. */
  readonly windowChanges: number;
  readonly legend: readonly RouterLegend[];
  readonly band: BandVM;
};

export type GapsVM = {
  readonly label: string;
  /** Inter-advert gaps of the master, in the window: time and length in seconds. */
  readonly points: readonly { readonly t: number; readonly gapS: number }[];
  readonly intervalS: number;
  readonly downS: number;
  readonly maxGapS: number;
  readonly late: number;
  readonly overDown: number;
  /** Histogram over the whole capture: label (× interval) and count. */
  readonly histogram: readonly { readonly label: string; readonly count: number }[];
};

/** Model adapter point: Finding.kind in the rebuilt analysis; today derived from the code. */
export type FindingKind = 'cause' | 'symptom' | 'info';

export type FindingVM = {
  readonly severity: Severity;
  readonly kind: FindingKind;
  readonly code: string;
  readonly where: string;
  readonly message: string;
  readonly evidence: readonly string[];
  readonly advice: readonly string[];
};

export type EventVM = { readonly time: string; readonly kind: 'master' | 'priority' | 'garp' | 'malformed' | 'keepalived'; readonly where: string; readonly text: string };

/** The one line under the header: the worst problem and its fix in the cause finding's words. */
export type BannerVM = {
  readonly severity: Severity;
  /** "eth0/51 SPLIT-BRAIN" */
  readonly what: string;
  /** The VRID it is about (the header shortens its segment as the table does). */
  readonly where?: { readonly segment: string; readonly vrid: number; readonly family: 4 | 6; readonly status: string };
  /** The cause finding's message (or the symptom's, when no cause is known). */
  readonly message: string;
  /** The fix alone, for narrow screens: the message after its last " — " (else the message). */
  readonly fix: string;
  /** Other VRIDs that are unwell besides. */
  readonly more: number;
} | { readonly severity: 'ok' | 'none'; readonly where?: undefined; readonly what: string; readonly message: string; readonly fix: string; readonly more: 0 };

export type RouterDetailVM = {
  readonly address: string;
  readonly letter: string;
  /** Model adapter point: RouterState.role in the rebuilt model. */
  readonly role: 'master' | 'backup' | 'resigned' | 'gone' | 'stalled';
  /** Field name → value, same order for every router. */
  readonly fields: readonly { readonly name: string; readonly value: string }[];
};

export type VipDetailVM = { readonly address: string; readonly owner: string; readonly garps: number; readonly bursts: readonly string[] };

export type DetailVM = {
  readonly label: string;
  readonly status: VridStatus;
  readonly routers: readonly RouterDetailVM[];
  /** Field names whose values differ between routers. */
  readonly mismatches: readonly string[];
  readonly vips: readonly VipDetailVM[];
  readonly history: readonly string[];
  readonly findings: readonly FindingVM[];
};

export type DashboardViewModel = {
  readonly source: string;
  readonly clock: string;
  readonly counts: { readonly packets: number; readonly adverts: number; readonly garps: number; readonly malformed: number; readonly dropped: number };
  readonly replay: {
    readonly state: 'loading' | 'playing' | 'paused' | 'end' | 'live' | 'stream';
    readonly speed: string;
    /** "00:12 / 00:20" into the capture. */
    readonly position: string;
    readonly fraction: number;
    /** Stream: "last packet 3s ago", "input closed (writer went away)". */
    readonly note: string;
  };
  readonly banner: BannerVM;
  /** Critical and warning findings in all (the filter does not hide them from the verdict). */
  readonly verdict: { readonly critical: number; readonly warning: number };
  readonly order: 'problems' | 'stable';
  readonly window: { readonly spanS: number; readonly label: string; readonly startLabel: string; readonly endLabel: string };
  readonly filter: string;
  readonly rows: readonly VridRowVM[];
  /** Index into rows, -1 when there are none. */
  readonly selected: number;
  readonly totalRows: number;
  readonly gaps: GapsVM | undefined;
  readonly findings: readonly FindingVM[];
  readonly events: readonly EventVM[];
  readonly detail: DetailVM | undefined;
};

const NS = 1e9;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const EVENTS = 200;

export function buildViewModel(t: Timeline, findings: readonly Finding[], source: SourceInfo, replay: ReplayInfo, ui: UiState): DashboardViewModel {
  const now = t.now;
  const first = t.first ?? now;
  const end = now;
  const spanNs = ui.windowS !== undefined ? BigInt(Math.round(ui.windowS * NS)) : end - first > 0n ? end - first : 1_000_000_000n;
  const start = end - spanNs;
  const rel = (ns: bigint): number => Number(ns - start) / NS;
  const order = ui.order ?? 'problems';
  const all = [...t.vrids.values()].sort(compareVrids);
  const filter = ui.filter.trim().toLowerCase();
  const shown = filter ? all.filter((v) => matches(v, filter)) : all;
  const builtAll = all.map((v) => ({ v, r: row(v, findings, now, start, end, rel, source.instances?.get(v.key)) }));
  const built = filter ? builtAll.filter((b) => shown.includes(b.v)) : builtAll;
  // Problems first: the worst rank on top, the stable order within a rank (sort is stable).
  if (order === 'problems') built.sort((a, b) => a.r.rank - b.r.rank);
  const rows = built.map((b) => b.r);
  let selected = rows.findIndex((r) => r.key === ui.selectedKey);
  if (selected < 0 && rows.length > 0) selected = 0;
  const sel = selected >= 0 ? built[selected]!.v : undefined;
  const pos = replay.position ?? now;
  const total = replay.end !== undefined && replay.end > first ? replay.end - first : now - first;
  const atEnd = replay.end !== undefined && pos >= replay.end && !replay.loading;
  const state =
    replay.mode === 'live'
      ? 'live'
      : replay.mode === 'stream'
        ? replay.paused ? 'paused' : replay.loading ? 'stream' : 'end'
        : replay.loading && replay.speed === undefined
          ? 'loading'
          : atEnd
            ? 'end'
            : replay.paused
              ? 'paused'
              : 'playing';
  const fvms = sortFindings(findings.filter((f) => findingMatches(f, filter, shown)).map(findingVM));
  return {
    source: source.label,
    clock: t.first === undefined ? '----------  --:--:--' : `${new Date(Number(now / 1_000_000n)).toISOString().slice(0, 10)} ${clock(now)}`,
    counts: { packets: t.counters.packets, adverts: t.counters.adverts, garps: t.counters.garps, malformed: t.counters.malformed, dropped: source.dropped },
    replay: {
      state,
      // Live and streams follow the wire: there is no speed to show, and never "at end".
      speed: replay.mode === 'live' || (replay.mode === 'stream' && replay.speed === undefined) ? '' : replay.speed === undefined ? '' : replay.speed === 0 ? 'max' : `${replay.speed}x`,
      position: replay.mode === 'live' ? '' : `${mmss(pos - first)} / ${mmss(total)}`,
      fraction: total > 0n ? Math.min(1, Math.max(0, Number(pos - first) / Number(total))) : 1,
      note: streamNote(replay),
    },
    // The banner ignores the filter: what is wrong stays on screen whatever is being looked at.
    banner: banner(builtAll.map((b) => b.r), filter ? sortFindings(findings.map(findingVM)) : fvms, all.length),
    order,
    verdict: { critical: findings.filter((f) => f.severity === 'critical').length, warning: findings.filter((f) => f.severity === 'warning').length },
    window: { spanS: Number(spanNs) / NS, label: ui.windowS === undefined ? `all (${duration(Number(spanNs) / NS)})` : duration(ui.windowS), startLabel: t.first === undefined ? '--:--:--' : clock(start).slice(0, 8), endLabel: t.first === undefined ? '--:--:--' : clock(end).slice(0, 8) },
    filter: ui.filter,
    rows,
    selected,
    totalRows: all.length,
    gaps: sel ? gapsOf(sel, start, rel) : undefined,
    findings: fvms,
    events: events(t, shown, filter ? [] : source.hostEvents ?? [], filter),
    detail: ui.detail && sel ? detailOf(t, sel, findings) : undefined,
  };
}

function streamNote(r: ReplayInfo): string {
  const s = r.stream;
  if (r.mode !== 'stream' || s === undefined) return '';
  if (s.closed) return 'input closed: the writer went away';
  if (s.lastPacketAgoS === undefined) return 'waiting for packets';
  return `last packet ${s.lastPacketAgoS < 1 ? '<1s' : `${Math.floor(s.lastPacketAgoS)}s`} ago${s.wallClock ? '' : ' (old capture: clock stopped)'}`;
}

/**
 * Cause or symptom. Model adapter point: the rebuilt analysis gives Finding.kind / causedBy; until
 * then the code says it.
 */
const CAUSES = new Set(['adverts-dropped-on-host', 'check-firewall', 'one-way-vrrp', 'advert-loss', 'priority-oscillation', 'master-gone', 'master-stalled', 'version-mismatch', 'auth-mismatch', 'interval-mismatch', 'vip-mismatch', 'vrid-conflict', 'vip-conflict', 'garp-missing', 'adverts-late', 'vip-mac-flipflop', 'bad-ttl', 'bad-checksum', 'config-mismatch', 'config-error', 'unicast-peer-silent']);
const SYMPTOMS = new Set(['split-brain', 'flapping', 'master-silent', 'no-master']);

export function findingKind(f: { readonly code: string; readonly severity: Severity; readonly kind?: FindingKind }): FindingKind {
  if (f.kind !== undefined) return f.kind;
  if (f.severity === 'info') return 'info';
  return CAUSES.has(f.code) ? 'cause' : SYMPTOMS.has(f.code) ? 'symptom' : 'cause';
}

const SEV: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const KIND: Record<FindingKind, number> = { cause: 0, symptom: 1, info: 2 };

/** Causes before symptoms (what to fix, then what it does), then info; most severe first within each. */
function sortFindings(fs: FindingVM[]): FindingVM[] {
  return fs.sort((a, b) => KIND[a.kind] - KIND[b.kind] || SEV[a.severity] - SEV[b.severity]);
}

/** A finding about a place goes with that place's VRIDs; one about no place (host, config) by its words. */
function findingMatches(f: Finding, filter: string, shown: readonly VridState[]): boolean {
  if (!filter) return true;
  if (f.segment !== undefined) return shown.some((v) => v.segment === f.segment && (f.vrid === undefined || f.vrid === v.vrid));
  return f.message.toLowerCase().includes(filter);
}

/** The worst unwell VRID and what to do about it, in the words of its cause finding. */
function banner(rows: readonly VridRowVM[], fs: readonly FindingVM[], total: number): BannerVM {
  const sick = rows.filter((r) => r.rank < 3).sort((a, b) => a.rank - b.rank);
  const worst = sick[0];
  if (!worst) {
    const bad = fs.find((f) => f.severity !== 'info');
    if (bad) return { severity: bad.severity, what: bad.where || 'host', message: bad.message, fix: fixOf(bad), more: 0 };
    return { severity: total ? 'ok' : 'none', what: total ? `all ${total} VRID${total === 1 ? '' : 's'} healthy` : 'no VRRP seen yet', message: '', fix: '', more: 0 };
  }
  const here = (f: FindingVM): boolean => f.where === `${worst.segment}/${worst.vrid}` || f.where === worst.segment;
  const cause = fs.find((f) => f.kind === 'cause' && f.severity !== 'info' && here(f)) ?? fs.find((f) => f.kind === 'cause' && f.severity !== 'info' && f.where.startsWith(`${worst.segment}`));
  const symptom = fs.find((f) => f.severity !== 'info' && here(f));
  const f = cause ?? symptom;
  const late = worst.lastAdvertAgeS !== undefined && worst.downS !== undefined && worst.lastAdvertAgeS > worst.downS;
  const message = f?.message ?? (late ? `the master ${worst.master ?? ''} has not advertised for ${durationText(worst.lastAdvertAgeS!)} (master-down ${durationText(worst.downS!)})` : worst.status);
  const status = worst.status === 'OK' && late ? 'MASTER SILENT' : worst.status;
  return { severity: f?.severity ?? 'critical', what: `${vridText(worst)} ${status}`, where: { segment: worst.segment, vrid: worst.vrid, family: worst.family, status }, message, fix: f ? fixOf(f) : message, more: sick.length - 1 };
}

/** The fix in the finding's own words: its message after the last " — " ("check the firewall on eth0"), else the message. */
function fixOf(f: FindingVM): string {
  const i = f.message.lastIndexOf(' — ');
  return i >= 0 ? f.message.slice(i + 3) : f.message;
}

function matches(v: VridState, f: string): boolean {
  if (v.segment.toLowerCase().includes(f) || String(v.vrid) === f || `${v.segment}/${v.vrid}`.toLowerCase().includes(f)) return true;
  return [...v.routers.values()].some((r) => r.address.includes(f) || r.vips.some((a) => a.includes(f)));
}

export function vridLabel(v: { segment: string; vrid: number; family: number }): string {
  return vridText(v);
}

function letters(v: VridState): Map<string, RouterLegend> {
  const m = new Map<string, RouterLegend>();
  // Order of first appearance: stable as routers come and go.
  [...v.routers.values()]
    .sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : a.address.localeCompare(b.address)))
    .forEach((r, i) => m.set(r.address, { letter: LETTERS[i % LETTERS.length]!, address: r.address, local: r.local }));
  return m;
}

/**
 * Routers advertising as master now, the model's master first. Model adapter point: the rebuilt
 * model's VridState.claiming; today the open split-brain episode names them.
 */
/** Routers advertising as master now (two or more: a split brain now), the winner by RFC order first. */
function claiming(v: VridState): string[] {
  return claimingRouters(v).map((r) => r.address);
}

/** The model's role, except that a router still advertising as master is a master whatever it was. */
function routerRole(_v: VridState, r: RouterState, claims: readonly string[]): RouterDetailVM['role'] {
  if (claims.includes(r.address)) return 'master';
  return r.role === 'master' ? 'backup' : r.role;
}

const RANK: Record<VridStatus, number> = { 'SPLIT-BRAIN': 0, CONFLICT: 0, MISMATCH: 0, 'HOST-DROPS': 0, 'NO MASTER': 1, FLAPPING: 1, SILENT: 1, WARN: 2, OK: 3 };

function row(v: VridState, findings: readonly Finding[], now: bigint, start: bigint, end: bigint, rel: (ns: bigint) => number, instance: string | undefined): VridRowVM {
  const s = summarizeVrid(v, findings, now);
  const legend = letters(v);
  const spans: Span[] = [];
  for (let i = 0; i < v.history.length; i++) {
    const h = v.history[i]!;
    const hEnd = h.end ?? end;
    if (hEnd < start || h.start > end) continue;
    spans.push({ startS: rel(h.start > start ? h.start : start), endS: rel(hEnd < end ? hEnd : end), letter: h.master === undefined ? undefined : legend.get(h.master)?.letter });
  }
  const inWin = (ts: bigint): boolean => ts >= start && ts <= end;
  const tenMin = 600_000_000_000n;
  const last = v.history[v.history.length - 1];
  const claims = claiming(v);
  const masters: ClaimVM[] = claims.map((a) => {
    const r = v.routers.get(a)!;
    return { address: a, priority: r.priority, local: r.local };
  });
  const lastAdvertAgeNs = s.lastAdvertAgeNs;
  // A master whose adverts are overdue is unwell before any finding says so (a silent stream).
  const overdue = lastAdvertAgeNs !== undefined && s.masterDownNs !== undefined && lastAdvertAgeNs > s.masterDownNs;
  const rank = Math.min(RANK[s.status], overdue ? 1 : 3);
  const splits = v.splitBrains.filter((e) => (e.end ?? end) >= start);
  return {
    key: v.key,
    label: vridLabel(v),
    segment: v.segment,
    vrid: v.vrid,
    family: v.family,
    status: s.status,
    master: s.master?.address,
    masterPriority: s.master?.priority,
    masterLocal: s.master?.local ?? false,
    masterSinceS: s.master && last ? Number(now - last.start) / NS : undefined,
    masters,
    rank,
    flapping: s.findings.some((f) => f.code === 'flapping' && f.severity !== 'info'),
    vips: [...new Set([...v.routers.values()].flatMap((r) => r.vips))].sort(),
    backups: [...s.backups.filter((b) => !claims.includes(b.address)).map((b) => {
        const role = routerRole(v, b, claims);
        return `${b.address}${b.local ? '*' : ''} (${b.priority})${role === 'gone' ? ' silent' : role === 'resigned' ? ' resigned' : ''}`;
      })],
    instance,
    intervalS: s.intervalCs !== undefined ? s.intervalCs / 100 : undefined,
    downS: s.masterDownNs !== undefined ? Number(s.masterDownNs) / NS : undefined,
    lastAdvertAgeS: lastAdvertAgeNs !== undefined ? Number(lastAdvertAgeNs) / NS : undefined,
    changes: s.changes,
    changesPer10Min: s.changesPer10Min,
    flapsPer10Min: flapTimes(v).filter((x) => now - x <= tenMin).length,
    windowChanges: v.transitions.filter((x) => inWin(x.ts)).length,
    legend: [...legend.values()],
    band: {
      spans,
      changes: v.transitions.filter((x) => inWin(x.ts)).map((x) => rel(x.ts)),
      splits: splits.map((e) => ({ startS: rel(e.start > start ? e.start : start), endS: rel(e.end ?? end) })),
      splitLetters: splits.map((e) => e.routers.map((a) => legend.get(a)?.letter ?? '?')),
      gaps: v.gaps.filter((g) => g.gapNs > g.downNs && inWin(g.ts)).map((g) => rel(g.ts)),
    },
  };
}

function gapsOf(v: VridState, start: bigint, rel: (ns: bigint) => number): GapsVM {
  const master = v.master !== undefined ? v.routers.get(v.master) : [...v.routers.values()][0];
  const ivS = master ? master.intervalCs / 100 : 0;
  const downS = master ? Number(masterDownNs(master.version, master.intervalCs, master.priority || 1)) / NS : 0;
  const labels = ['<0.5', '0.5-0.9', '0.9-1.1', '1.1-1.5', '1.5-2', '2-3', '>3'];
  const points = v.gaps.filter((g) => g.ts >= start).map((g) => ({ t: rel(g.ts), gapS: Number(g.gapNs) / NS }));
  return {
    label: vridLabel(v),
    points,
    intervalS: ivS,
    downS,
    maxGapS: Number(v.maxGapNs) / NS,
    late: v.lateGaps,
    overDown: v.overDownGaps,
    histogram: v.gapHistogram.map((count, i) => ({ label: labels[i] ?? `bin${i}`, count })),
  };
}

function findingVM(f: Finding): FindingVM {
  return {
    severity: f.severity,
    kind: findingKind(f),
    code: f.code,
    where: f.segment === undefined ? '' : `${f.segment}${f.vrid !== undefined ? `/${f.vrid}` : ''}`,
    message: f.message,
    evidence: f.evidence,
    advice: f.advice,
  };
}

/** GARP/NA bursts this soon around a change of master are that master's announcement (keepalived: at once, then garp_master_delay later). */
const FOLD_BEFORE_NS = 1_000_000_000n;
const FOLD_AFTER_NS = 12_000_000_000n;

function events(t: Timeline, vrids: readonly VridState[], host: NonNullable<SourceInfo['hostEvents']>, filter: string): EventVM[] {
  const out: { ts: bigint; e: EventVM }[] = [];
  const segs = new Set(vrids.map((v) => v.segment));
  const folded = new Set<GarpBurst>();
  for (const v of vrids) {
    const where = vridLabel(v);
    const vipsOf = new Set([...v.routers.values()].flatMap((r) => r.vips));
    const transitions: { ts: bigint; from: string | undefined; to: string | undefined; reason: string }[] = v.transitions.slice(-EVENTS);
    // The first master seen is a change too (from nobody known), with its own announcement.
    const h0 = v.history[0];
    if (h0?.master !== undefined && v.transitions.length < EVENTS && !v.transitions.some((x) => x.ts === h0.start)) transitions.unshift({ ts: h0.start, from: undefined, to: h0.master, reason: h0.reason });
    for (let i = 0; i < transitions.length; i++) {
      const x = transitions[i]!;
      const next = transitions[i + 1]?.ts;
      // The bursts for this VRID's VIPs that the new master sent around its takeover (from its own
      // MAC when the adverts show which that is; keepalived repeats them garp_master_delay later).
      const macs = new Set(x.to !== undefined ? (v.routers.get(x.to)?.macs ?? []) : []);
      const firsts: { vip: string; n: number; kind: string }[] = [];
      let repeatNs: bigint | undefined;
      if (x.to !== undefined) {
        for (const a of vipsOf) {
          const vip = t.vips.get(`${v.segment}|${a}`);
          const near = (vip?.bursts ?? []).filter((bu) => !folded.has(bu) && bu.start >= x.ts - FOLD_BEFORE_NS && bu.start <= x.ts + FOLD_AFTER_NS && (next === undefined || bu.start < next));
          const mine = near.some((bu) => macs.has(bu.mac)) ? near.filter((bu) => macs.has(bu.mac)) : near;
          mine.forEach((bu, k) => {
            folded.add(bu);
            if (k === 0) firsts.push({ vip: a, n: bu.count, kind: bu.kind === 'na' ? 'NA' : 'GARP' });
            else if (repeatNs === undefined || bu.start - x.ts < repeatNs) repeatNs = bu.start - x.ts;
          });
        }
      }
      let ann = '';
      if (firsts.length > 0) {
        const kinds = [...new Set(firsts.map((g) => g.kind))].join('/');
        const same = firsts.every((g) => g.n === firsts[0]!.n);
        const what = same ? `${firsts[0]!.n} ${kinds}${firsts[0]!.n === 1 ? '' : 's'} for ${addressList(firsts.map((g) => g.vip))}` : `${kinds}s for ${firsts.map((g) => `${g.vip} (${g.n})`).join(', ')}`;
        ann = `: ${what}${repeatNs !== undefined ? `, again ${durationText(Number(repeatNs) / NS)} later` : ''}`;
      }
      const text = x.to === undefined ? `${x.from ?? 'nobody'} stopped, no master (${x.reason})` : x.from === undefined ? `${x.to} is master (${x.reason})${ann}` : `${x.to} took over from ${x.from} (${x.reason})${ann}`;
      out.push({ ts: x.ts, e: { time: clock(x.ts), kind: 'master', where, text } });
    }
    for (const h of v.history.slice(-EVENTS)) {
      if (h.master === undefined && !transitions.some((x) => x.ts === h.start && x.to === undefined)) out.push({ ts: h.start, e: { time: clock(h.start), kind: 'master', where, text: `no master (${h.reason})` } });
    }
    for (const r of v.routers.values()) {
      for (const p of r.priorityChanges.slice(-EVENTS)) out.push({ ts: p.ts, e: { time: clock(p.ts), kind: 'priority', where, text: `${r.address} priority ${p.from} -> ${p.to}` } });
    }
  }
  for (const vip of t.vips.values()) {
    if (!segs.has(vip.segment)) continue;
    if (filter && !vip.address.includes(filter) && !vrids.some((v) => v.segment === vip.segment && [...v.routers.values()].some((r) => r.vips.includes(vip.address)))) continue;
    for (const b of vip.bursts.slice(-EVENTS)) {
      if (folded.has(b)) continue;
      out.push({ ts: b.start, e: { time: clock(b.start), kind: 'garp', where: vip.segment, text: `${vip.address} is-at ${b.mac}: ${b.count} ${b.kind === 'na' ? 'NA' : b.kind === 'garp' ? 'GARP' : 'ARP reply'}` } });
    }
  }
  for (const h of host.slice(-EVENTS)) out.push({ ts: h.ts, e: { time: clock(h.ts), kind: 'keepalived', where: h.where, text: h.text } });
  out.sort((a, b) => (a.ts > b.ts ? -1 : a.ts < b.ts ? 1 : 0));
  const list = out.slice(0, EVENTS).map((x) => x.e);
  if (!filter) for (const [reason, n] of t.counters.malformedReasons) list.push({ time: '', kind: 'malformed', where: '', text: `${n} x ${reason}` });
  return list;
}

/** "192.168.2.1, .2, .3": later addresses without the prefix they share with the first. */
export function addressList(as: readonly string[]): string {
  const sorted = [...as].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const head = sorted[0] ?? '';
  const sep = head.includes(':') ? ':' : '.';
  const prefix = head.slice(0, head.lastIndexOf(sep) + 1);
  return sorted.map((a, i) => (i > 0 && prefix && a.startsWith(prefix) ? sep + a.slice(prefix.length) : a)).join(', ');
}

function detailOf(t: Timeline, v: VridState, findings: readonly Finding[]): DetailVM {
  const legend = letters(v);
  const routers = [...v.routers.values()].sort((a, b) => (legend.get(a.address)?.letter ?? '').localeCompare(legend.get(b.address)?.letter ?? ''));
  const s = summarizeVrid(v, findings, t.now);
  const claims = claiming(v);
  const roleOf = (r: RouterState): RouterDetailVM['role'] => routerRole(v, r, claims);
  const roleText = (r: RouterState): string => {
    const role = roleOf(r);
    if (role === 'master') return claims.length > 1 ? 'MASTER (split)' : 'MASTER';
    return role === 'resigned' ? 'resigned (prio 0)' : role === 'gone' ? `silent since ${clock(r.lastAdvert).slice(0, 8)}` : 'backup';
  };
  const fieldsOf = (r: RouterState): { name: string; value: string }[] => [
    { name: 'role', value: `${roleText(r)}${r.local ? ' (this host)' : ''}` },
    { name: 'priority', value: String(r.priority) },
    { name: 'version', value: `VRRPv${r.version}` },
    { name: 'interval', value: intervalText(r.intervalCs) },
    { name: 'auth', value: r.authType === undefined ? 'n/a (v3)' : r.authType === 0 ? 'none' : r.authType === 1 ? `PASS "${inert(r.authText ?? '')}"` : r.authType === 2 ? 'AH' : `type ${r.authType}` },
    { name: 'virtual IPs', value: r.vips.join(' ') || '-' },
    { name: 'destination', value: r.unicast ? `unicast ${r.dst}` : r.dst },
    { name: 'TTL', value: `${r.ttl}${r.badTtl ? ` (${r.badTtl} not 255)` : ''}` },
    { name: 'MAC', value: r.macs.join(' ') || '-' },
    { name: 'adverts', value: String(r.adverts) },
    { name: 'last advert', value: clock(r.lastAdvert) },
    { name: 'checksum', value: r.badChecksum ? `${r.badChecksum} bad` : 'ok' },
  ];
  const rd = routers.map((r) => ({ address: r.address, letter: legend.get(r.address)?.letter ?? '?', role: roleOf(r), fields: fieldsOf(r) }));
  const compared = new Set(['priority', 'version', 'interval', 'auth', 'virtual IPs', 'destination', 'TTL']);
  const mismatches: string[] = [];
  for (const name of compared) {
    const vals = new Set(rd.map((r) => r.fields.find((f) => f.name === name)?.value.replace(/^unicast .*/, 'unicast')));
    if (vals.size > 1) mismatches.push(name);
  }
  const vipNames = new Set(routers.flatMap((r) => r.vips));
  const vips: VipDetailVM[] = [...vipNames].sort().map((a) => {
    const vip = t.vips.get(`${v.segment}|${a}`);
    return {
      address: a,
      owner: vip?.owner ?? '(no ARP seen)',
      garps: vip?.garps ?? 0,
      bursts: (vip?.bursts ?? []).slice(-6).map((b) => `${clock(b.start)} ${b.mac} x${b.count}`),
    };
  });
  const history = v.history.slice(-20).map((h) => `${clock(h.start)} ${h.master === undefined ? '(no master)' : `${legend.get(h.master)?.letter ?? '?'} ${h.master}`}  ${durationText(Number((h.end ?? t.now) - h.start) / NS)}  ${h.reason}`);
  return { label: vridLabel(v), status: s.status, routers: rd, mismatches, vips, history, findings: sortFindings(s.findings.map(findingVM)) };
}

/** HH:MM:SS.mmm UTC of a capture time. */
export function clock(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(11, 23);
}

function mmss(ns: bigint): string {
  const s = Math.max(0, Math.floor(Number(ns) / NS));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function duration(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(s < 36000 ? 1 : 0)}h`;
}
