// The one place where the HTML page and the Markdown ticket read the model, the findings and the
// host evidence: it turns them into a plain view-model (lanes, spans, marks, findings), so the
// writers never see a VridState and any source (file, stream, live run, bundle) renders the same.

import type { Finding } from '../../analysis/finding.js';
import { inScope, type InstanceLink } from '../../host/correlate.js';
import { evaluateVrrpInput, type FirewallVerdict } from '../../host/firewall/index.js';
import { hostsOf, type HostEvidence, type HostSet } from '../../host/host-evidence.js';
import type { Episode, Transition, VridState } from '../../model/model-types.js';
import type { Timeline } from '../../model/timeline.js';
import { masterDownNs } from '../../model/vrrp-timing.js';
import { formatOffset } from '../../ssh/clock-offset.js';
import { verdictOf, type Verdict } from '../verdict.js';
import { compareVrids, summarizeVrid } from '../vrid-summary.js';
import type { PacketSample } from './packet-sample.js';
import { clock, time } from './time-text.js';
import { compareText } from '../../util/compare-text.js';

export type FindingKind = 'cause' | 'symptom' | 'info';

export type FindingView = {
  readonly id: string;
  readonly code: string;
  readonly kind: FindingKind;
  readonly severity: 'critical' | 'warning' | 'info';
  /** "eth0/51", or undefined for findings about the whole input. */
  readonly where: string | undefined;
  readonly message: string;
  readonly evidence: readonly string[];
  readonly advice: readonly string[];
  readonly first: bigint;
  readonly last: bigint;
  /** The cause finding's code, for a symptom the model ties to its cause. */
  readonly causedBy: string | undefined;
};

/** A stretch of time; `open` = still going at the end of the input. */
export type Span = { readonly start: bigint; readonly end: bigint; readonly open: boolean; readonly label: string };

export type MarkKind = 'takeover' | 'release' | 'garp' | 'na' | 'priority' | 'log';

export type Mark = {
  readonly ts: bigint;
  readonly kind: MarkKind;
  /** Short text drawn beside the mark. */
  readonly label: string;
  /** The full sentence (tooltip, print list). */
  readonly text: string;
  /** The packet behind the mark (the --packets line), when it was kept in the sample. */
  readonly packet: string | undefined;
};

/** One router (or one foreign MAC announcing a virtual IP) on one virtual router. */
export type Lane = {
  readonly id: string;
  readonly title: string;
  /** What the router is now (the model's role: master, backup, resigned, gone, stalled), when it says. */
  readonly role: string | undefined;
  readonly local: boolean;
  readonly priority: number | undefined;
  readonly master: readonly Span[];
  readonly silences: readonly Span[];
  readonly marks: readonly Mark[];
};

export type GapPoint = { readonly ts: bigint; readonly gapNs: bigint; readonly downNs: bigint; readonly router: string };

export type HistoryRow = { readonly start: bigint; readonly end: bigint; readonly master: string | undefined; readonly local: boolean; readonly reason: string };

export type InstanceView = {
  readonly name: string;
  /** The node whose keepalived this is (`node2`), or undefined for the one host of a single-node input. */
  readonly node: string | undefined;
  readonly syncGroup: string | undefined;
  readonly state: string | undefined;
  readonly wantState: string | undefined;
  readonly counters: readonly (readonly [string, number])[];
  /** The firewall's verdict on adverts from each peer, in words (the deciding rule). */
  readonly firewall: readonly string[];
};

export type VridView = {
  readonly id: string;
  readonly label: string;
  readonly status: string;
  readonly master: string | undefined;
  readonly lanes: readonly Lane[];
  /** Split brains: two or more routers advertising as master past master-down. */
  readonly splits: readonly Span[];
  /** Shorter overlaps of two claims: a normal hand-over (preemption, a restart), not a split brain. */
  readonly overlaps: readonly Span[];
  readonly noMaster: readonly Span[];
  readonly takeovers: readonly Mark[];
  readonly gaps: readonly GapPoint[];
  /** Master-down of the current (or best) router, for the gap chart's line. */
  readonly downNs: bigint | undefined;
  readonly intervalNs: bigint | undefined;
  readonly history: readonly HistoryRow[];
  /** Older spells the model let go of (its lists are bounded): not in `history`. */
  readonly historyDropped: number;
  readonly instance: InstanceView | undefined;
};

/** One node's host evidence (or the one host's): what was read, when it was taken, its clock. */
export type NodeHostView = {
  /** The node (`node2`) as its segments name it; undefined for the one host of a single-node input. */
  readonly node: string | undefined;
  /** Its clock against the machine that put the nodes together, already subtracted ("+2.503 s ± 1.2 ms"). */
  readonly clock: string | undefined;
  /** What was read, each with when it was taken. */
  readonly sources: readonly string[];
  readonly problems: readonly string[];
  /** When its capture was not running (the ssh connection lost). */
  readonly lost: readonly string[];
  readonly logLines: readonly { readonly ts: bigint | undefined; readonly text: string }[];
};

export type HostView = { readonly nodes: readonly NodeHostView[] };

export type InputView = { readonly name: string; readonly frames: number; readonly error: string | undefined };

export type IncidentView = {
  readonly start: bigint | undefined;
  readonly end: bigint;
  readonly inputs: readonly InputView[];
  readonly seen: string;
  readonly verdict: Verdict;
  /** Findings in reading order: causes, then symptoms, then info; most severe first within each. */
  readonly findings: readonly FindingView[];
  readonly vrids: readonly VridView[];
  readonly host: HostView | undefined;
  /** "node1 +0 µs ± 400 µs, node2 +3.0 ms ± 1.2 ms": the nodes' clocks, when several nodes were merged with estimates. */
  readonly clocks: string | undefined;
};

export type IncidentSource = {
  readonly timeline: Timeline;
  readonly findings: readonly Finding[];
  readonly inputs: readonly InputView[];
  readonly instances?: readonly InstanceLink[];
  /** The host's evidence, or each node's (--ssh, a bundle: each with its scope). */
  readonly host?: HostSet | undefined;
  readonly packets?: PacketSample | undefined;
};

// Until the model tags findings (MODEL-PLAN.md: kind cause|symptom|info), the codes decide.
const CAUSES = new Set([
  'adverts-dropped-on-host', 'check-firewall', 'one-way-vrrp', 'advert-loss', 'priority-oscillation', 'master-gone', 'master-stalled',
  'vrid-conflict', 'vip-conflict', 'garp-missing', 'adverts-late', 'bad-ttl', 'bad-checksum', 'unicast-peer-silent',
]);
const SYMPTOMS = new Set(['split-brain', 'flapping', 'master-silent', 'no-master', 'vip-mac-flipflop']);

export function findingKind(f: Finding): FindingKind {
  const tagged = (f as { kind?: FindingKind }).kind;
  if (tagged) return tagged;
  if (f.severity === 'info') return 'info';
  if (CAUSES.has(f.code) || f.code.endsWith('-mismatch')) return 'cause';
  return SYMPTOMS.has(f.code) ? 'symptom' : 'cause';
}

const KIND_RANK: Record<FindingKind, number> = { cause: 0, symptom: 1, info: 2 };
const SEV_RANK = { critical: 0, warning: 1, info: 2 } as const;

const REASONS: Record<string, string> = {
  'first-seen': 'first seen',
  'takeover-after-silence': 'took over after silence',
  'takeover-while-master-advertising': 'took over while the master was still advertising',
  preemption: 'preempted (higher priority)',
  'master-priority-dropped': "took over: the master's priority dropped",
  'priority-zero-release': 'the master released (priority 0)',
  'previous-master-resumed': 'resumed after lost adverts',
  'master-silent': 'master fell silent',
};

/** The reason of a master change in plain words (the model's own evidence text when it has one). */
export function reasonText(reason: string, evidence?: string): string {
  const r = REASONS[reason] ?? reason;
  return evidence ? `${r} (${evidence})` : r;
}

export function vridLabel(v: { segment: string; vrid: number; family: number; label?: string }): string {
  return `${v.segment}/${v.vrid}${v.family === 6 ? 'v6' : ''}${v.label ? ` ${v.label}` : ''}`;
}

export function buildIncidentView(src: IncidentSource): IncidentView {
  const t = src.timeline;
  const vrids = [...t.vrids.values()].sort(compareVrids);
  const c = t.counters;
  const findings = src.findings
    .map((f, i): FindingView => ({
      id: `f${i + 1}`,
      code: f.code,
      kind: findingKind(f),
      severity: f.severity,
      where: f.segment === undefined ? undefined : f.vrid === undefined ? f.segment : vridLabel({ segment: f.segment, vrid: f.vrid, family: f.family ?? 4 }),
      message: f.message,
      evidence: f.evidence,
      advice: f.advice,
      first: f.firstSeen,
      last: f.lastSeen,
      causedBy: (f as Finding & { causedBy?: string }).causedBy,
    }))
    .sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || SEV_RANK[a.severity] - SEV_RANK[b.severity]);
  return {
    start: t.first,
    end: t.now,
    inputs: src.inputs,
    seen: `${c.adverts} VRRP adverts, ${c.garps} gratuitous ARP/NA, ${c.arp} ARP, ${c.malformed} malformed${c.carp ? `, ${c.carp} CARP` : ''}`,
    verdict: verdictOf(vrids.length, src.findings),
    findings,
    vrids: vrids.map((v, i) => vridView(t, v, i, src)),
    host: hostsOf(src.host).length ? { nodes: hostsOf(src.host).map(hostView) } : undefined,
    clocks: clocksText(src.host),
  };
}

function vridView(t: Timeline, v: VridState, index: number, src: IncidentSource): VridView {
  const s = summarizeVrid(v, src.findings, t.now);
  const part = v as VridState & { label?: string };
  const label = vridLabel({ segment: v.segment, vrid: v.vrid, family: v.family, ...(part.label ? { label: part.label } : {}) });
  const pkt = (ts: bigint, who: string | undefined): string | undefined => src.packets?.find(v.segment, ts, who);
  const marks = new Map<string, Mark[]>();
  const mark = (lane: string, m: Mark): void => {
    let l = marks.get(lane);
    if (!l) marks.set(lane, (l = []));
    l.push(m);
  };
  const takeovers = v.transitions.map((tr) => {
    const m = takeoverMark(tr, pkt(tr.ts, tr.to));
    if (tr.to !== undefined) mark(tr.to, m);
    return m;
  });
  for (let i = 1; i < v.history.length; i++) {
    const h = v.history[i]!;
    if (h.master === undefined && h.reason === 'priority-zero-release') {
      const who = v.history[i - 1]!.master;
      if (who !== undefined) mark(who, { ts: h.start, kind: 'release', label: 'prio 0', text: `${who} released mastership (priority 0)`, packet: pkt(h.start, who) });
    }
  }
  for (const r of v.routers.values()) {
    for (const p of r.priorityChanges) {
      mark(r.address, { ts: p.ts, kind: 'priority', label: `prio ${p.from}→${p.to}`, text: `${r.address} priority ${p.from} → ${p.to}`, packet: pkt(p.ts, r.address) });
    }
  }
  // Gratuitous ARP / unsolicited NA for this VRID's virtual IPs, on the lane of the router whose MAC sent them.
  const vips = new Set([...v.routers.values()].flatMap((r) => r.vips));
  const foreign = new Map<string, string>();
  for (const vip of t.vips.values()) {
    if (vip.segment !== v.segment || !vips.has(vip.address) || vip.address.includes(':') !== (v.family === 6)) continue;
    for (const b of vip.bursts) {
      if (b.kind === 'arp-reply') continue;
      const owner = [...v.routers.values()].find((r) => r.macs.includes(b.mac));
      const lane = owner?.address ?? `mac:${b.mac}`;
      if (!owner) foreign.set(lane, b.mac);
      const what = b.kind === 'na' ? 'unsolicited NA' : 'gratuitous ARP';
      mark(lane, {
        ts: b.start,
        kind: b.kind === 'na' ? 'na' : 'garp',
        label: b.kind === 'na' ? 'NA' : 'GARP',
        text: `${what} ×${b.count} ${vip.address} is-at ${b.mac}${b.end - b.start >= 50_000_000n ? ` over ${(Number(b.end - b.start) / 1e9).toFixed(1)} s` : ''}`,
        packet: src.packets?.find(v.segment, b.start, b.mac),
      });
    }
  }
  const end = t.now;
  const span = (start: bigint, e: bigint | undefined, label: string): Span => ({ start, end: e ?? end, open: e === undefined, label });
  const lanes: Lane[] = [...v.routers.values()]
    // Stable lanes: in the order the routers appeared (a priority change must not reorder them).
    .sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : compareText(a.address, b.address)))
    .map((r) => ({
      id: r.address,
      title: `${r.address}${r.local ? ' (this host)' : ''}`,
      local: r.local,
      role: (r as typeof r & { role?: string }).role,
      priority: r.priority,
      master: v.history.filter((h) => h.master === r.address).map((h) => span(h.start, h.end, `${r.address} master`)),
      silences: v.silences
        .filter((x) => x.router === r.address)
        .map((x) => {
          const e = x.end ?? silenceEnd(v, r.address, x.start);
          return span(x.start, e, `${r.address} silent ${secs((e ?? end) - x.start)} (master-down ${secs(x.downNs)})`);
        }),
      marks: (marks.get(r.address) ?? []).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)),
    }));
  for (const [id, mac] of foreign) lanes.push({ id, title: `MAC ${mac} (no advert)`, role: undefined, local: false, priority: undefined, master: [], silences: [], marks: marks.get(id) ?? [] });
  const inst = src.instances?.find((l) => l.vrid === v);
  // The evidence of the node this segment belongs to (`node2/eth0` → node2's), never another node's.
  const host = hostFor(src.host, v.segment);
  if (inst && host) {
    const logMarks = logLane(host, inst.name, t.first ?? v.firstSeen, end);
    if (logMarks.length) lanes.push({ id: `log:${inst.name}`, title: `keepalived ${inst.name} log`, role: undefined, local: true, priority: undefined, master: [], silences: [], marks: logMarks });
  }
  const ref = s.master ?? s.backups[0];
  return {
    id: `v${index + 1}`,
    label,
    status: s.status,
    master: v.master,
    lanes,
    splits: v.splitBrains.filter((e) => isSplit(v, e, end)).map((e) => span(e.start, e.end, `split brain: ${e.routers.join(' and ')} advertise as master (${secs((e.end ?? end) - e.start)})`)),
    overlaps: v.splitBrains.filter((e) => !isSplit(v, e, end)).map((e) => span(e.start, e.end, `hand-over: ${e.routers.join(' and ')} both advertised for ${secs((e.end ?? end) - e.start)}`)),
    noMaster: v.noMaster.map((x) => span(x.start, x.end, `no master (after ${x.router} fell silent)`)),
    takeovers,
    gaps: v.gaps.map((g) => ({ ts: g.ts, gapNs: g.gapNs, downNs: g.downNs, router: g.router })),
    downNs: ref ? masterDownNs(ref.version, ref.intervalCs, ref.priority || 1) : undefined,
    intervalNs: s.intervalCs !== undefined ? BigInt(s.intervalCs) * 10_000_000n : undefined,
    historyDropped: v.dropped.history,
    history: v.history.map((h) => ({ start: h.start, end: h.end ?? end, master: h.master, local: h.master !== undefined && (v.routers.get(h.master)?.local ?? false), reason: reasonText(h.reason) })),
    instance: inst ? instanceView(inst, v, host) : undefined,
  };
}

/**
 * A silence the model left open ends when its router claims again (its next spell as master);
 * only one that nothing followed runs to the end of the input.
 */
function silenceEnd(v: VridState, router: string, start: bigint): bigint | undefined {
  return v.history.find((h) => h.master === router && h.start > start)?.start;
}

/** As the split-brain rule judges an episode: longer than master-down, with two routers advertising steadily in it. */
function isSplit(v: VridState, e: Episode, now: bigint): boolean {
  const down = e.routers.reduce((m, a) => {
    const r = v.routers.get(a);
    const d = r ? masterDownNs(r.version, r.intervalCs, r.priority || 1) : 0n;
    return d > m ? d : m;
  }, 0n);
  return (e.end ?? now) - e.start > down && e.routers.filter((a) => (e.adverts[a] ?? 0) >= 3).length >= 2;
}

function takeoverMark(tr: Transition, packet: string | undefined): Mark {
  const evidence = (tr as Transition & { evidence?: string }).evidence;
  const why = reasonText(tr.reason, evidence);
  return { ts: tr.ts, kind: 'takeover', label: shortReason(tr.reason), text: `${tr.from ?? '(nobody)'} → ${tr.to ?? '(nobody)'}: ${why}`, packet };
}

function shortReason(reason: string): string {
  switch (reason) {
    case 'takeover-after-silence':
      return 'after silence';
    case 'takeover-while-master-advertising':
      return 'while master advertised';
    case 'preemption':
      return 'preempt';
    case 'master-priority-dropped':
      return 'prio drop';
    case 'priority-zero-release':
      return 'after release';
    case 'previous-master-resumed':
      return 'resumed';
    default:
      return reason;
  }
}

function instanceView(l: InstanceLink, v: VridState, host: HostEvidence | undefined): InstanceView {
  const firewall: string[] = [];
  if (host?.firewall) {
    const iface = v.segment.includes('/') ? v.segment.slice(v.segment.lastIndexOf('/') + 1) : v.segment;
    const peers = [...v.routers.values()].filter((r) => !r.local && !host.localAddresses.has(r.address)).map((r) => r.address);
    for (const peer of peers) {
      try {
        const verdict = evaluateVrrpInput(host.firewall, { src: peer, iface }).overall;
        firewall.push(`adverts from ${peer} on ${iface}: ${verdictWords(verdict)}`);
      } catch (e) {
        firewall.push(`adverts from ${peer} on ${iface}: could not be judged (${(e as Error).message})`);
      }
    }
  }
  return {
    name: l.name,
    node: host?.scope,
    syncGroup: l.syncGroup,
    state: l.state,
    wantState: l.wantState,
    counters: Object.entries(l.counters ?? {}).sort((a, b) => compareText(a[0], b[0])),
    firewall,
  };
}

/** "iptables filter INPUT rule 1 `-A INPUT -i eth0 -p vrrp -j DROP` drops it". */
function verdictWords(v: FirewallVerdict): string {
  const d = v.decidedBy;
  const rule = d.ruleText ? ` rule ${d.ruleNumber ?? d.handle ?? ''} \`${d.ruleText}\`` : d.policy ? ` policy ${d.policy}` : '';
  const verb = v.verdict === 'drop' ? 'drops them' : v.verdict === 'reject' ? 'rejects them' : v.verdict === 'accept' ? 'accepts them' : 'cannot be judged';
  return `${d.tool} ${d.table} ${d.chain}${rule} ${verb}${v.confidence === 'uncertain' ? ' (uncertain)' : ''}`.replace(/ {2,}/g, ' ');
}

/** keepalived's log lines about one instance inside the capture window, as marks (its clock, 1 s resolution). */
function logLane(h: HostEvidence, instance: string, start: bigint, end: bigint): Mark[] {
  const out: Mark[] = [];
  for (const e of h.log) {
    if (e.instance !== instance || e.time === undefined || e.time < start - 1_000_000_000n || e.time > end) continue;
    const label = e.kind === 'state' ? e.to : e.kind === 'advert-timeout' ? 'advert timeout' : e.kind === 'other' ? undefined : e.kind;
    if (label === undefined) continue;
    out.push({ ts: e.time < start ? start : e.time, kind: 'log', label, text: `keepalived log: ${e.text}`, packet: undefined });
  }
  return out;
}

/** Log lines kept for the page: state changes and errors, newest last, bounded. */
const LOG_LINES = 60;

function clocksText(set: HostSet | undefined): string | undefined {
  const nodes = hostsOf(set).filter((h) => h.scope !== undefined && h.clock !== undefined);
  return nodes.length ? nodes.map((h) => `${h.scope} ${formatOffset(h.clock!)}`).join(', ') : undefined;
}

/** The host evidence as the page and the ticket lay it out: per node, with the instances on its segments. */
export type HostGroup = { readonly node: NodeHostView | undefined; readonly vrids: readonly VridView[] };

export function hostGroups(view: IncidentView): HostGroup[] {
  const instances = view.vrids.filter((v) => v.instance);
  const nodes = view.host?.nodes ?? [];
  const groups: HostGroup[] = nodes.map((n) => ({ node: n, vrids: instances.filter((v) => v.instance!.node === n.node) }));
  const known = new Set(nodes.map((n) => n.node));
  const orphans = instances.filter((v) => !known.has(v.instance!.node));
  if (orphans.length) groups.push({ node: undefined, vrids: orphans });
  return groups;
}

/** The evidence of the node a segment belongs to: the node's own (its scope), else the one host without a scope. */
export function hostFor(set: HostSet | undefined, segment: string): HostEvidence | undefined {
  const hosts = hostsOf(set);
  return hosts.find((h) => h.scope !== undefined && inScope(segment, h.scope)) ?? hosts.find((h) => h.scope === undefined);
}

function hostView(h: HostEvidence): NodeHostView {
  const sources: string[] = [];
  if (h.config) sources.push(`keepalived configuration: ${h.config.instances.length} vrrp_instance(s)${h.config.files[0] ? ` (${h.config.files[0]})` : ''}`);
  if (h.dumps.length) {
    const a = h.dumps[0]!;
    const b = h.dumps[h.dumps.length - 1]!;
    const when = a.ts === b.ts ? `taken ${time(a.ts)} UTC` : `taken ${time(a.ts)} – ${clock(b.ts)} UTC`;
    sources.push(`keepalived dumps: ${h.dumps.length}, ${when} (${a.source}${b.source !== a.source ? ` … ${b.source}` : ''})`);
  }
  const dated = h.log.filter((e) => e.time !== undefined);
  if (h.log.length) sources.push(`keepalived log: ${h.log.length} line(s) understood${dated.length ? `, ${time(dated[0]!.time!)} – ${clock(dated[dated.length - 1]!.time!)} UTC` : ''}`);
  if (h.firewallSource) sources.push(`firewall ruleset: ${h.firewallSource}${h.firewallReadNs !== undefined && h.firewallReadNs > 0n ? `, as of ${time(h.firewallReadNs)} UTC` : ''}`);
  const logLines = h.log.filter((e) => e.kind !== 'other').slice(-LOG_LINES).map((e) => ({ ts: e.time, text: `${e.host ? `${e.host} ` : ''}${e.text}` }));
  const lost = (h.blind ?? []).map((b) => `capture not running ${time(b.from)} – ${b.to !== undefined ? `${clock(b.to)} UTC` : 'the end'}`);
  return { node: h.scope, clock: h.clock ? formatOffset(h.clock) : undefined, sources, problems: h.problems, lost, logLines };
}

function secs(ns: bigint): string {
  return `${(Number(ns) / 1e9).toFixed(1)} s`;
}
