// The wire next to the daemon and the firewall: findings no capture can give on its own.
//
// libpcap sees a received packet before netfilter's INPUT chain drops it, and keepalived 2.x keeps
// a sync-group member in BACKUP while another member still hears its master — so a firewall on the
// receiving host can leave the wire looking healthy. keepalived's own counters (advert_rcvd) say
// what reached the daemon; comparing their growth with the peer's adverts on the wire over the same
// time shows the drop, and the ruleset says which rule did it.

import { firewallAdvice } from '../analysis/advice.js';
import { ifaceOf } from '../analysis/analyze.js';
import { FindingCode as C, Severity as S, type Finding } from '../analysis/finding.js';
import type { RouterState, VridState } from '../model/model-types.js';
import type { Timeline } from '../model/timeline.js';
import { masterDownNs, nsToSeconds } from '../model/vrrp-timing.js';
import type { AdvertLedger } from './advert-ledger.js';
import { evaluateVrrpInput, type FirewallVerdict, type VrrpInputQuery } from './firewall/index.js';
import { hostsOf, type HostEvidence, type HostSet, type TimedDump } from './host-evidence.js';
import { findInterfaceCommand } from './interface-names.js';
import type { KeepalivedInstance } from './keepalived/config.js';
import type { KeepalivedInstanceStatus } from './keepalived/dump-types.js';

/** At least this many peer adverts on the wire before a shortfall counts. */
export const MIN_PEER_ADVERTS = 3;
/** keepalived must have counted at least this share of them. */
export const RECEIVED_SHARE = 0.5;

export type InstanceLink = {
  readonly name: string;
  readonly syncGroup: string | undefined;
  readonly vrid: VridState;
  readonly state: string | undefined;
  readonly wantState: string | undefined;
  /** keepalived's counters from its latest dump (become/release master, errors …). */
  readonly counters: Readonly<Record<string, number>> | undefined;
};

/** Which configured (or dumped) instance each segment/VRID belongs to, for rows and reports. */
export function linkInstances(t: Timeline, set: HostSet): InstanceLink[] {
  return hostsOf(set).flatMap((ev) => linkHost(t, ev));
}

function linkHost(t: Timeline, ev: HostEvidence): InstanceLink[] {
  const out: InstanceLink[] = [];
  const last = ev.dumps[ev.dumps.length - 1];
  for (const inst of instancesOf(ev)) {
    const v = vridFor(t, inst.interface, inst.vrid, inst.family, inst.conf, ev.scope);
    if (!v) continue;
    const st = last?.dump.instances.find((i) => i.name === inst.name);
    const counters = st ? Object.fromEntries(Object.entries(st.stats).filter((e): e is [string, number] => typeof e[1] === 'number')) : undefined;
    out.push({ name: inst.name, syncGroup: inst.syncGroup, vrid: v, state: st?.stateName, wantState: st?.wantStateName, counters });
  }
  return out;
}

type InstanceRef = { name: string; interface: string | undefined; vrid: number | undefined; family: 4 | 6; syncGroup: string | undefined; conf: KeepalivedInstance | undefined };

function instancesOf(ev: HostEvidence): InstanceRef[] {
  const refs = new Map<string, InstanceRef>();
  for (const c of ev.config?.instances ?? []) refs.set(c.name, { name: c.name, interface: c.interface, vrid: c.vrid, family: c.family, syncGroup: c.syncGroup, conf: c });
  for (const d of ev.dumps) {
    for (const i of d.dump.instances) {
      if (refs.has(i.name)) continue;
      const family = i.vips.some((a) => a.includes(':')) ? 6 : 4;
      refs.set(i.name, { name: i.name, interface: i.interface, vrid: i.vrid, family, syncGroup: undefined, conf: undefined });
    }
  }
  return [...refs.values()];
}

/** Whether a segment belongs to the node `scope` (`node2/eth0`, `node2/eth0.100`); any segment without a scope. */
export function inScope(segment: string, scope: string | undefined): boolean {
  return scope === undefined || segment.startsWith(`${scope}/`);
}

/** Each node's evidence against its own segments. */
export function correlateAll(t: Timeline, ledger: AdvertLedger, set: HostSet): Finding[] {
  return hostsOf(set).flatMap((ev) => correlate(t, ledger, ev));
}

function vridFor(t: Timeline, iface: string | undefined, vrid: number | undefined, family: 4 | 6, conf: KeepalivedInstance | undefined, scope: string | undefined): VridState | undefined {
  if (iface === undefined || vrid === undefined) return undefined;
  const all = [...t.vrids.values()].filter((v) => v.vrid === vrid && v.family === family && ifaceOf(v.segment) === iface && inScope(v.segment, scope));
  const named = all.filter((v) => v.segment === (scope === undefined ? iface : `${scope}/${iface}`));
  const pool = named.length ? named : all;
  // Several virtual routers on this VRID: the instance's own is the one whose adverts it would
  // accept (its version, password, interval, addresses), else the one where this host advertises.
  if (pool.length > 1 && conf) {
    const mine = pool.find((v) => [...v.routers.values()].some((r) => acceptable(r, conf)));
    if (mine) return mine;
  }
  return pool.find((v) => [...v.routers.values()].some((r) => r.local)) ?? pool[0];
}

export function correlate(t: Timeline, ledger: AdvertLedger, ev: HostEvidence): Finding[] {
  const out: Finding[] = [];
  const first = t.first ?? 0n;
  for (const p of ev.config?.errors ?? []) {
    out.push(finding(C.configError, S.info, undefined, `keepalived configuration: ${p.file}:${p.line}: ${p.message}`, [], ['keepalived may read this differently from what was meant; check with keepalived --config-test.'], first, first));
  }
  inputNotes(t, ev, out);
  for (const inst of instancesOf(ev)) {
    const v = vridFor(t, inst.interface, inst.vrid, inst.family, inst.conf, ev.scope);
    if (inst.conf) configChecks(t, ledger, ev, inst, inst.conf, v, out);
    if (!v) continue;
    const counted = dropChecks(t, ledger, ev, inst, v, out);
    if (!counted) logChecks(t, ledger, ev, inst, v, out);
  }
  return out;
}

function finding(code: Finding['code'], severity: Finding['severity'], v: VridState | undefined, message: string, evidence: string[], advice: string[], firstSeen: bigint, lastSeen: bigint, kind: Finding['kind'] = 'info'): Finding {
  return { code, severity, segment: v?.segment, vrid: v?.vrid, family: v?.family, message, evidence, advice, firstSeen, lastSeen, kind };
}

/** Which names the `-i any` indexes got, and how undated dumps were dated: said once, as info. */
function inputNotes(t: Timeline, ev: HostEvidence, out: Finding[]): void {
  const first = t.first ?? 0n;
  const maps = ev.namer?.mappings() ?? [];
  const unnamed = ev.namer?.unnamed() ?? [];
  if (maps.length > 0 || unnamed.length > 0) {
    const named = maps.map((m) => `if${m.index} = ${m.name}`).join(', ');
    const message =
      maps.length > 0
        ? `this capture names interfaces by index only (tcpdump -i any): ${named}${unnamed.length > 0 ? `; ${unnamed.map((i) => `if${i}`).join(', ')} not named` : ''}`
        : `this capture names interfaces by index only (tcpdump -i any): ${unnamed.map((i) => `if${i}`).join(', ')} could not be named`;
    const advice =
      unnamed.length > 0
        ? [`On the capturing host, the name of interface N is printed by: ${findInterfaceCommand(unnamed[0]!)} (put the index in place of ${unnamed[0]!}); or give \`ip -j link\` output with --ip-link FILE.`]
        : [];
    out.push(finding(C.interfaceNames, S.info, undefined, message, maps.map((m) => m.how), advice, first, t.now));
  }
  const undated = ev.dumps.filter((d) => d.timeHow !== undefined);
  if (undated.length === 1) out.push(finding(C.dumpTime, S.info, undefined, undated[0]!.timeHow!, [], [], undated[0]!.ts, undated[0]!.ts));
  else if (undated.length > 1) {
    const ways = [...new Set(undated.map((d) => (d.timeSource === 'log' ? "keepalived's log" : d.timeSource === 'dump' ? 'their latest transition' : 'the end of the capture')))];
    out.push(finding(C.dumpTime, S.info, undefined, `${undated.length} keepalived dumps were given without a time (FILE@TIME): dated by ${ways.join(' and ')}, never by their files' mtime`, undated.map((d) => d.timeHow!), [], undated[0]!.ts, undated[undated.length - 1]!.ts));
  }
}

function local(v: VridState, r: RouterState, ev: HostEvidence, inst: InstanceRef): boolean {
  return r.local || ev.localAddresses.has(r.address) || inst.conf?.unicastSrcIp === r.address;
}

type Window = { from: bigint; to: bigint; rcvd: number; sent: number | undefined; label?: string };

/**
 * The wire carried the peer's adverts, keepalived did not count them. Returns whether keepalived's
 * counters covered this instance (then the log is not needed to judge it).
 */
function dropChecks(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, v: VridState, out: Finding[]): boolean {
  const dumps = ev.dumps.map((d) => ({ d, st: d.dump.instances.find((i) => i.name === inst.name) })).filter((x): x is { d: TimedDump; st: KeepalivedInstanceStatus } => x.st !== undefined && x.st.stats.advertRcvd !== undefined);
  if (dumps.length === 0) return false;
  const span = ledger.span(v.segment, v.vrid, v.family);
  if (!span) return true;
  // Windows between consecutive dumps that the capture covers; with one dump, from the capture's start.
  const windows: Window[] = [];
  if (dumps.length === 1) {
    const only = dumps[0]!;
    if (only.st.lastTransitionNs !== undefined && only.st.lastTransitionNs > span[0]) {
      // Since its last transition it has been in one state: a master sent the adverts, a backup none.
      windows.push({ from: only.st.lastTransitionNs, to: only.d.ts, rcvd: only.st.stats.advertRcvd! + rejected(only.st), sent: only.st.stateName === 'MASTER' ? -1 : 0, label: 'since keepalived started' });
    }
  } else {
    for (let i = 1; i < dumps.length; i++) {
      const a = dumps[i - 1]!;
      const b = dumps[i]!;
      if (b.d.ts <= span[0] || a.d.ts >= span[1] + 2n * masterDownNs(2, 100, 100)) continue;
      const rcvd = b.st.stats.advertRcvd! - a.st.stats.advertRcvd!;
      const sent = b.st.stats.advertSent !== undefined && a.st.stats.advertSent !== undefined ? b.st.stats.advertSent - a.st.stats.advertSent : undefined;
      if (rcvd < 0) continue; // keepalived restarted between the dumps
      windows.push({ from: a.d.ts, to: b.d.ts, rcvd: rcvd + rejected(b.st) - rejected(a.st), sent });
    }
  }
  if (ev.windowNs !== undefined) {
    const since = t.now - ev.windowNs;
    for (let i = windows.length - 1; i >= 0; i--) if (windows[i]!.to < since) windows.splice(i, 1);
    if (windows.length === 0) return true;
  }
  const last = dumps[dumps.length - 1]!;
  const version = last.st.version;
  let seen = tally(t, ledger, ev, inst, v, windows, version);
  let count = `(${seen.rcvd} of ${seen.wire} counted)`;
  if (seen.wire >= MIN_PEER_ADVERTS && seen.rcvd >= seen.wire * RECEIVED_SHARE) {
    // Counting over all: unless a run of windows before was deaf (a rule added, then removed). The
    // bar is higher here (at least 5 adverts, under a quarter counted), as dump times are coarse.
    const run = deafRun(seen.per);
    if (run === undefined || run.n < Math.max(MIN_PEER_ADVERTS, 5) || run.rcvd >= run.n * 0.25) return true;
    seen = tally(t, ledger, ev, inst, v, windows.slice(run.first), version);
    count = `(${run.rcvd} of ${run.n} counted)`;
  }
  if (seen.wire < MIN_PEER_ADVERTS) {
    // advert_rcvd counts since keepalived started: with no window between dumps to compare (one
    // dump), the total itself is the evidence — a firewall there before keepalived started. Only when
    // the windows say nothing: once they show counting (a fix), the old deafness is history.
    const total = sinceStart(ev, last.d, last.st, span);
    if (total === undefined) return true;
    const whole = tally(t, ledger, ev, inst, v, [total], version);
    const dated = last.d.timeSource === undefined || last.d.timeSource === 'given' || last.d.timeSource === 'live' || last.d.timeSource === 'log';
    // A dump dated only by the capture's end may be older than that: then only "none at all" is conclusive.
    if (whole.wire < MIN_PEER_ADVERTS || (dated ? whole.rcvd >= whole.wire * RECEIVED_SHARE : whole.rcvd > 0)) return true;
    seen = whole;
    count = `(${seen.rcvd} of ${seen.wire} counted)`;
  }
  // Live, the verdict must come from a ruleset read after the latest counter window began (a rule
  // added a moment ago is the likeliest cause): otherwise ask for a fresh read and report next time.
  if (ev.refreshFirewall && (ev.firewallReadNs === undefined || ev.firewallReadNs < seen.windows[seen.windows.length - 1]!.from)) {
    ev.refreshFirewall();
    return true;
  }
  const st = last.st;
  const evidence = [...seen.lines.slice(-6)];
  evidence.push(`keepalived ${inst.name}${inst.syncGroup ? ` (sync group ${inst.syncGroup})` : ''}: state ${st.stateName ?? '?'}${st.wantStateName && st.wantStateName !== st.stateName ? `, wants ${st.wantStateName}` : ''}; advert_rcvd ${st.stats.advertRcvd}, advert_sent ${st.stats.advertSent ?? '?'}`);
  if (last.d.timeHow !== undefined) evidence.push(last.d.timeHow);
  if (st.wantStateName === 'MASTER' && st.stateName === 'BACKUP' && inst.syncGroup) evidence.push(`the sync group ${inst.syncGroup} holds ${inst.name} in BACKUP while another member still hears its master, so nothing flaps on the wire`);
  const timeouts = ev.log.filter((e) => e.kind === 'advert-timeout' && (e.instance === undefined || e.instance === inst.name));
  if (timeouts.length > 0) evidence.push(`keepalived logged "Receive advertisement timeout" ${timeouts.length} time(s)${timeouts[0]!.time !== undefined ? `, first at ${clock(timeouts[0]!.time)}` : ''}`);
  // Deaf, then counting again (a rule removed): the drop is over — told in the past tense.
  const deaf = seen.per.map((w) => w.n > 0 && w.rcvd < w.n * RECEIVED_SHARE);
  const lastDeaf = deaf.lastIndexOf(true);
  const after = seen.per.slice(lastDeaf + 1).filter((w) => w.n >= 2);
  let over: Over | undefined = lastDeaf >= 0 && after.length > 0 && after.every((w) => w.rcvd >= w.n * RECEIVED_SHARE) ? { at: after[0]!.from, how: 'counting' } : undefined;
  const main = [...seen.peers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const lastAd = main !== undefined ? v.routers.get(main)?.lastAdvert : undefined;
  if (over === undefined && main !== undefined && lastAd !== undefined && t.now - lastAd > 3_000_000_000n) {
    const wi = seen.per.findIndex((w) => lastAd > w.from && lastAd <= w.to);
    // The peer yielded once its adverts got through: keepalived counted some in the window where
    // they end (between two dumps, so it is known when).
    if (wi >= 0 && seen.per[wi]!.rcvd > 0 && seen.windows[wi]!.label === undefined && deaf.slice(0, wi + 1).some(Boolean)) over = { at: lastAd, how: 'counting' };
    // Or the peer went quiet and the ruleset given (read at the end, after any fix) surely accepts it.
    else if (acceptsNow(ev, ledger, v, main, inst.interface ?? ifaceOf(v.segment))) over = { at: lastAd, how: 'quiet' };
  }
  const first = seen.per.find((w, i) => deaf[i])?.from ?? seen.windows[0]!.from;
  const end = over !== undefined ? (over.at === lastAd ? over.at : seen.per[lastDeaf]!.to) : seen.windows[seen.windows.length - 1]!.to;
  if (over?.how === 'counting') evidence.unshift(over.at === lastAd ? `keepalived's ${inst.name} counted the peer's adverts again just before ${main} went quiet at ${clock(over.at)} (it yielded once it heard this host): the drop is over` : `since ${clock(over.at)} keepalived's ${inst.name} counts them again: the drop is over`);
  out.push(dropFinding(ev, inst, v, ledger, seen.peers, count, evidence, over !== undefined ? S.warning : S.critical, first, end, true, over));
  return true;
}

/** The last run of consecutive deaf windows (windows without peer adverts neither break nor extend it). */
function deafRun(per: Tally['per']): { first: number; n: number; rcvd: number } | undefined {
  let best: { first: number; n: number; rcvd: number } | undefined;
  let cur: { first: number; n: number; rcvd: number } | undefined;
  per.forEach((w, i) => {
    if (w.n === 0) return;
    if (w.rcvd < w.n * RECEIVED_SHARE) {
      cur = cur ?? { first: i, n: 0, rcvd: 0 };
      cur.n += w.n;
      cur.rcvd += w.rcvd;
      best = cur;
    } else cur = undefined;
  });
  return best;
}

/** Whether the ruleset given surely accepts the peer's adverts (it was read at the end, after any fix). */
function acceptsNow(ev: HostEvidence, ledger: AdvertLedger, v: VridState, peer: string, iface: string): boolean {
  if (!ev.firewall) return false;
  try {
    const o = evaluateVrrpInput(ev.firewall, advertQuery(ledger, v, peer, iface)).overall;
    return o.verdict === 'accept' && o.confidence === 'certain';
  } catch {
    return false;
  }
}

/**
 * The one window over which the latest dump's total advert_rcvd is comparable with the wire: from
 * when keepalived was surely running (the instance's last transition, or the log's latest start
 * before the dump; not before the capture) to the dump. undefined when nothing says when it started.
 */
function sinceStart(ev: HostEvidence, d: TimedDump, st: KeepalivedInstanceStatus, span: [bigint, bigint]): Window | undefined {
  const rcvd = st.stats.advertRcvd! + rejected(st);
  if (st.lastTransitionNs !== undefined && st.lastTransitionNs < d.ts) {
    const from = st.lastTransitionNs > span[0] ? st.lastTransitionNs : span[0] - 1n;
    // In one state since: a master sent adverts all along, a backup none.
    return { from, to: d.ts, rcvd, sent: st.stateName === 'MASTER' ? -1 : st.stateName === 'BACKUP' ? 0 : undefined, label: 'since keepalived started' };
  }
  const starts = ev.log.filter((e) => e.time !== undefined && e.time <= d.ts && /^Starting (VRRP child process|Keepalived v)/.test(e.text));
  const start = starts[starts.length - 1]?.time;
  if (start === undefined) return undefined;
  return { from: start > span[0] ? start : span[0] - 1n, to: d.ts, rcvd, sent: undefined, label: 'since keepalived started' };
}

type Tally = { wire: number; rcvd: number; peers: Map<string, number>; lines: string[]; windows: Window[]; per: { from: bigint; to: bigint; n: number; rcvd: number }[] };

/**
 * Peer adverts on the wire against keepalived's count, window by window. Only adverts the instance
 * would take count: keepalived drops another version's (or another interval's) without counting,
 * and counts what it refuses for authentication or addresses (rejected()).
 */
function tally(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, v: VridState, windows: readonly Window[], version?: number): Tally {
  const res: Tally = { wire: 0, rcvd: 0, peers: new Map(), lines: [], windows: [...windows], per: [] };
  for (const w of windows) {
    const counts = ledger.count(v.segment, v.vrid, v.family, w.from, w.to);
    // This host's own adverts are not "received": drop the routers known to be local; otherwise, when
    // it sent adverts (sent > 0, or -1: "it was master all along"), the one router whose count fits
    // best is this host. Exactly one: with two steady masters either choice leaves the peer's count.
    let own = false;
    for (const addr of [...counts.keys()]) {
      const r = v.routers.get(addr);
      if (r && local(v, r, ev, inst)) {
        counts.delete(addr);
        own = true;
      }
    }
    if (!own && w.sent === undefined) continue; // cannot tell this host's own adverts from its peers'
    if (!own && w.sent !== undefined && w.sent !== 0) {
      const target = w.sent;
      const score = (c: number): number => (target < 0 ? -c : Math.abs(c - target));
      const ranked = [...counts.entries()].sort((x, y) => score(x[1]) - score(y[1]));
      const best = ranked[0];
      // Two routers that fit equally well (two steady masters): which one is this host is unknown.
      if (best && ranked[1] && score(ranked[1][1]) - score(best[1]) <= 1) continue;
      if (best && (target < 0 || Math.abs(best[1] - target) <= Math.max(2, target * 0.25))) counts.delete(best[0]);
    }
    for (const addr of [...counts.keys()]) {
      // A router of another partition of this VRID (another version, password, interval or address
      // list) is one keepalived rejects before it counts: never a missing advert.
      const other = v.routers.has(addr) ? undefined : t.siblings(v).find((o) => o.routers.has(addr));
      if (other) {
        counts.delete(addr);
        continue;
      }
      const r = v.routers.get(addr);
      if (r && (inst.conf ? !acceptable(r, inst.conf) : version !== undefined && r.version !== version)) counts.delete(addr);
    }
    let n = [...counts.values()].reduce((a, b) => a + b, 0);
    // keepalived's log shows adverts reaching it in this window (it logs what it discards or answers):
    // whatever the counters say (dump times can be a second off), it was not deaf then.
    const heardThen = ev.log.some((e) => e.instance === inst.name && e.time !== undefined && e.time > w.from && e.time <= w.to && RECEIVED_KINDS.has(e.kind) && !(e.kind === 'priority-zero' && e.direction === 'sent'));
    if (heardThen && w.rcvd < n * RECEIVED_SHARE) {
      counts.clear();
      n = 0;
    }
    res.per.push({ from: w.from, to: w.to, n, rcvd: w.rcvd });
    for (const [addr, c] of counts) res.peers.set(addr, (res.peers.get(addr) ?? 0) + c);
    res.wire += n;
    res.rcvd += w.rcvd;
    if (n > 0) {
      res.lines.push(
        w.label !== undefined
          ? `${clock(w.from)}–${clock(w.to)}: the wire on ${ifaceOf(v.segment)} carried ${n} advert(s) from ${[...counts.keys()].join(', ')}; keepalived's ${inst.name} counted ${w.rcvd} received (or refused) in all, ${w.label} (advert_rcvd counts from its start)`
          : `${clock(w.from)}–${clock(w.to)}: the wire on ${ifaceOf(v.segment)} carried ${n} advert(s) from ${[...counts.keys()].join(', ')}; keepalived's ${inst.name} counted ${w.rcvd} received (or refused)`,
      );
    }
  }
  return res;
}

/**
 * The firewall question for the peer's adverts as the wire carried them: its source, the interface,
 * the destination when they were unicast (this host's address: rules on it, and on the source,
 * decide; multicast goes to 224.0.0.18 / ff02::12, the evaluator's default), AH when they came in it.
 */
export function advertQuery(ledger: AdvertLedger, v: VridState, peer: string, iface: string): VrrpInputQuery {
  const r = v.routers.get(peer);
  const how = ledger.delivery(v.segment, v.vrid, v.family, peer) ?? { dst: r?.dst ?? '', ah: r?.authType === 2 };
  const unicast = how.dst !== '' && !/^(224\.0\.0\.18|ff02::12)$/i.test(how.dst);
  return { src: peer, iface, ...(unicast ? { dst: how.dst } : {}), ...(how.ah && v.family === 4 ? { protocol: 'ah' as const } : {}) };
}

/** The finding, its firewall verdict and fix: shared by the counter and the log evidence. */
/** A drop that is over: keepalived counts (or logs) the adverts again, or the peer went quiet and the ruleset accepts it now. */
type Over = { readonly at: bigint; readonly how: 'counting' | 'quiet' };

function dropFinding(ev: HostEvidence, inst: InstanceRef, v: VridState, ledger: AdvertLedger, peers: Map<string, number>, count: string, evidence: string[], severity: Finding['severity'], from: bigint, to: bigint, onHost: boolean, over?: Over): Finding {
  const iface = inst.interface ?? ifaceOf(v.segment);
  let advice = firewallAdvice(iface);
  let rule = '';
  let accepted = false;
  const peer = [...peers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (ev.firewall && peer !== undefined) {
    try {
      const verdict = evaluateVrrpInput(ev.firewall, advertQuery(ledger, v, peer, iface)).overall;
      const text = describeVerdict(verdict);
      evidence.push(`firewall (${ev.firewallSource ?? 'ruleset'}): ${text}`);
      for (const r of verdict.reasons.slice(0, 3)) evidence.push(`  ${r}`);
      if (verdict.verdict === 'drop' || verdict.verdict === 'reject') {
        advice = fixAdvice(verdict);
        rule = ruleName(verdict);
      } else if (verdict.verdict === 'accept' && verdict.confidence === 'certain') accepted = true;
      if (accepted) advice = ['The ruleset accepts VRRP on this interface: look at rp_filter, the interface keepalived listens on, and keepalived\'s own rejections in its log (authentication, interval, TTL).'];
    } catch (e) {
      evidence.push(`firewall: could not be judged (${(e as Error).message})`);
    }
  }
  // A `-i any` capture: which index this interface is, and how that was known.
  const mapped = ev.namer?.mappings().find((m) => m.name === ifaceOf(v.segment));
  if (mapped) evidence.push(mapped.how);
  const node = ev.config?.globals.routerId;
  // Over ssh or from a bundle the node is named by its label, as its segments are (node2/eth0).
  const on = ev.scope !== undefined ? `${ev.scope}/${iface}` : `${iface}${node !== undefined && /^[\w.-]{1,64}$/.test(node) ? ` on ${node}` : ''}`;
  const host = ev.scope !== undefined ? ev.scope : 'this host';
  const peerList = [...peers.keys()].map((a) => `peer ${a}`).join(', ');
  if (over !== undefined) {
    // Over: the ruleset given was most likely read after the fix, so it is no evidence of the cause.
    const then = accepted ? `; the ruleset given accepts VRRP on ${iface} now (a rule that dropped them then is gone, or something else on ${host} dropped them)` : rule ? `; ${host}'s firewall still has ${rule}` : '';
    const now = over.how === 'counting' ? `since ${clock(over.at)} it gets them again${then}` : `${[...peers.keys()][0]} has been quiet since ${clock(over.at)} (it yielded, or stopped)${then}`;
    return finding(C.advertsDroppedOnHost, severity, v, `adverts from ${peerList} reached ${on} from ${clock(from)} to ${clock(to)} but keepalived did not get them ${count}; ${now}`, evidence, accepted ? ['Nothing to do now; if the drop comes back, compare the ruleset then with this one.'] : advice, from, to, 'cause');
  }
  const arrive = onHost ? `reach ${on}` : `are on the wire of ${iface} (as captured)`;
  const why = accepted ? `something on ${host} drops them, though its ruleset accepts VRRP on ${iface}` : `${host}'s firewall drops them${rule ? ` — ${rule}` : ''}`;
  return finding(C.advertsDroppedOnHost, severity, v, `adverts from ${peerList} ${arrive} but keepalived never gets them ${count}: ${why}`, evidence, advice, from, to, 'cause');
}

/**
 * No counters, only keepalived's log: "Receive advertisement timeout" means keepalived heard no
 * advert for master_down_interval. When the capture shows a master's adverts arriving on time on
 * that interface right then, they reached the host and keepalived did not get them.
 * Log times have 1 s resolution and may be in another zone: a timeout counts only when every gap
 * in the peer's adverts from master_down before it to 1 s after it is within 2 intervals, and one
 * such timeout alone counts only when the log's own "Entering MASTER STATE" lines up with the wire.
 */
function logChecks(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, v: VridState, out: Finding[]): void {
  const conf = inst.conf;
  if (conf === undefined) return;
  // Live, only recent timeouts count, so the finding goes once the fix is in.
  const since = ev.windowNs !== undefined ? t.now - ev.windowNs : undefined;
  const timeouts = ev.log.filter((e) => e.kind === 'advert-timeout' && e.instance === inst.name && e.time !== undefined && (since === undefined || e.time >= since));
  if (timeouts.length === 0) return;
  const span = ledger.span(v.segment, v.vrid, v.family);
  if (!span) return;
  const second = 1_000_000_000n;
  // Only a router whose adverts this instance would accept: same version, addresses, interval and
  // authentication (else keepalived drops them on purpose — the mismatch findings say so).
  const routers = [...v.routers.values()].filter((r) => !local(v, r, ev, inst) && acceptable(r, conf));
  // Log lines that show adverts reaching keepalived (it logs what it discards or answers).
  const heard = ev.log.filter((e) => e.instance === inst.name && e.time !== undefined && RECEIVED_KINDS.has(e.kind) && !(e.kind === 'priority-zero' && e.direction === 'sent'));
  const onTime: { at: bigint; peer: string; adverts: number; downNs: bigint }[] = [];
  const down = masterDownNs(conf.version, conf.advertInt * 100, conf.priority);
  const starts = ev.log.filter((e) => e.time !== undefined && /^Starting (VRRP child process|Keepalived v)/.test(e.text)).map((e) => e.time!);
  for (const e of timeouts) {
    // The line's second is [at, at + 1 s): adverts from at + 1 s - master_down to at were surely within
    // master_down of the timeout, and after keepalived (re)started.
    const at = e.time!;
    const start = starts.filter((x) => x <= at).pop();
    let from = at + second - down;
    if (start !== undefined && start + second > from) from = start + second;
    if (at > span[1] || at - from < 1n * second) continue;
    // keepalived logs the adverts it discards or answers (a lower priority, a bad password …): any such
    // line then means they reached it.
    if (heard.some((h) => h.time! >= from - second && h.time! <= at + second)) continue;
    for (const r of routers) {
      const ads = ledger.times(v.segment, v.vrid, v.family, r.address, from, at).filter((x) => x.prio > 0);
      if (ads.length >= 2) {
        onTime.push({ at, peer: r.address, adverts: ads.length, downNs: down });
        break;
      }
    }
  }
  if (onTime.length === 0) return;
  // The log's clock must agree with the capture's: each "Entering MASTER STATE" of this instance
  // during the capture must be matched by a router starting to advertise on the wire within that
  // logged second (keepalived sends its first advert as it enters MASTER; 0.2 s of slack). One
  // timeout alone needs such a match.
  const peer0 = onTime[0]!.peer;
  const startsAdvertising = (at: bigint): boolean =>
    [...v.routers.values()].some((r) => r.address !== peer0 && ledger.times(v.segment, v.vrid, v.family, r.address, at - 3n * second, at - 1n).length === 0 && ledger.times(v.segment, v.vrid, v.family, r.address, at - 1n, at + second + second / 5n).length > 0);
  const masters = ev.log.filter((e) => e.kind === 'state' && e.instance === inst.name && e.to === 'MASTER' && e.time !== undefined && e.time > span[0] + 3n * second && e.time < span[1] - 3n * second);
  if (masters.some((e) => !startsAdvertising(e.time!))) return;
  if (onTime.length === 1) {
    const at = onTime[0]!.at;
    const master = ev.log.find((e) => e.kind === 'state' && e.instance === inst.name && e.to === 'MASTER' && e.time !== undefined && e.time >= at && e.time <= at + 2n * second);
    if (!master || !startsAdvertising(at)) return;
  }
  const peers = new Map<string, number>();
  for (const o of onTime) peers.set(o.peer, (peers.get(o.peer) ?? 0) + o.adverts);
  // Received again after the last such timeout (keepalived logged an advert it answered or
  // discarded): the drop is over.
  const lastAt = onTime[onTime.length - 1]!.at;
  const back = heard.find((h) => h.time! > lastAt + second);
  const onHost = [...v.routers.values()].some((r) => local(v, r, ev, inst)) || (ev.namer?.mappings().some((m) => m.name === ifaceOf(v.segment)) ?? false);
  const evidence = onTime.slice(0, 6).map((o) => `${clock(o.at)}: keepalived ${inst.name} logged "Receive advertisement timeout", yet the wire on ${ifaceOf(v.segment)} carried ${o.adverts} advert(s) from ${o.peer} in the last seconds of its ${nsToSeconds(o.downNs).toFixed(1)} s master-down interval, and keepalived logged none of them`);
  if (onTime.length > 6) evidence.push(`… ${onTime.length} such timeouts in all`);
  evidence.push(`no keepalived counter dump for ${inst.name} was given: this rests on its log (times to the second), which shows no advert reaching keepalived then`);
  if (!onHost) evidence.push('the capture does not show that it was taken on this host; if it was taken elsewhere on the segment, a filter between it and this host (switch, bridge) fits as well');
  let over: Over | undefined = back ? { at: back.time!, how: 'counting' } : undefined;
  if (back) evidence.unshift(`${clock(back.time!)}: keepalived ${inst.name} logged "${back.text}": adverts reach it again, the drop is over`);
  else {
    // No timeout since, the peer quiet and the ruleset (read at the end) surely accepting it: over.
    const p = onTime[onTime.length - 1]!.peer;
    const quiet = v.routers.get(p)?.lastAdvert;
    if (quiet !== undefined && t.now - quiet > 3n * second && acceptsNow(ev, ledger, v, p, inst.interface ?? ifaceOf(v.segment))) over = { at: quiet, how: 'quiet' };
  }
  out.push(dropFinding(ev, inst, v, ledger, peers, `(${onTime.length} advertisement timeout(s) logged while they arrived on time)`, evidence, onHost && over === undefined ? S.critical : S.warning, onTime[0]!.at, over ? over.at : lastAt, onHost, over));
}

/** Log events that mean an advert reached keepalived. */
const RECEIVED_KINDS = new Set<string>(['lower-priority', 'higher-priority', 'priority-zero', 'auth-error', 'interval-mismatch', 'ttl-error', 'address-list-mismatch']);

/** Whether keepalived's instance `c` would take r's adverts (vrrp.c vrrp_check_packet). */
function acceptable(r: RouterState, c: KeepalivedInstance): boolean {
  if (r.version !== c.version) return false;
  const want = c.virtualAddresses.map((a) => a.address).sort();
  if (want.length > 0 && JSON.stringify([...r.vips].sort()) !== JSON.stringify(want)) return false;
  if (c.version === 2) {
    if (Math.abs(r.intervalCs - c.advertInt * 100) > 0.5) return false;
    if (c.auth && !c.auth.ignored) {
      if (c.auth.type === 'PASS' && (r.authType !== 1 || (c.auth.pass !== undefined && r.authText !== c.auth.pass))) return false;
      if (c.auth.type === 'AH' && r.authType !== 2) return false;
    } else if (r.authType !== undefined && r.authType !== 0) return false;
  }
  return true;
}

/**
 * Adverts keepalived received and then refused (authentication, address list, TTL, length, type,
 * interval): they reached the daemon, so no firewall dropped them — the mismatch findings say why.
 * (keepalived does not count those in advert_rcvd, and its advert_interval_err may stay 0.)
 */
function rejected(st: KeepalivedInstanceStatus): number {
  const c = st.stats;
  return [c.authFailure, c.authtypeMismatch, c.invalidAuthtype, c.addrListErr, c.ipTtlErr, c.packetLenErr, c.invalidTypeRcvd, c.advertIntervalErr].reduce<number>((a, b) => a + (b ?? 0), 0);
}

function describeVerdict(v: FirewallVerdict): string {
  const d = v.decidedBy;
  const where = `${d.tool} ${d.table} ${d.chain}`;
  const rule = d.ruleText ? ` rule ${d.ruleNumber ?? d.handle ?? ''} \`${d.ruleText}\``.replace('  ', ' ') : d.policy ? ` policy ${d.policy}` : '';
  const verb = v.verdict === 'drop' ? 'drops it' : v.verdict === 'reject' ? 'rejects it' : v.verdict === 'accept' ? 'accepts it' : 'cannot be judged';
  return `${where}${rule} ${verb}${v.confidence === 'uncertain' ? ' (uncertain)' : ''}${v.managedBy !== d.tool ? `; the rules are managed by ${v.managedBy}` : ''}`;
}

/** The deciding rule in the finding's sentence: `iptables filter INPUT rule 1 \`-A INPUT -i eth0 -p vrrp -j DROP\``. */
function ruleName(v: FirewallVerdict): string {
  const d = v.decidedBy;
  const where = `${d.tool} ${d.table} ${d.chain}`;
  if (d.ruleText) return `${where} rule ${d.ruleNumber ?? d.handle ?? ''}${d.tool === 'nftables' && d.handle !== undefined ? ` (handle ${d.handle})` : ''} \`${d.ruleText}\``.replace('  ', ' ');
  return d.policy ? `the policy ${d.policy} of ${where}` : where;
}

function fixAdvice(v: FirewallVerdict): string[] {
  const f = v.fix;
  const first = v.managedBy === 'firewalld' ? f.firewalld : v.managedBy === 'ufw' ? f.ufw : v.managedBy === 'nftables' ? f.nftables : f.iptables;
  const rest = [f.iptables, f.nftables, f.firewalld, f.ufw].filter((x) => x && x !== first);
  const lines = (prefix: string, text: string): string[] => text.split('\n').map((l, i) => (i === 0 ? `${prefix}${l}` : `    ${l}`));
  return [...lines(`${v.managedBy}: `, first), ...rest.flatMap((x) => lines('or: ', x)), 'On both nodes: each must accept the other\'s adverts.'];
}

/** The configuration against the wire: an instance nobody advertises, or settings that differ. */
function configChecks(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, c: KeepalivedInstance, v: VridState | undefined, out: Finding[]): void {
  const iface = c.interface;
  if (iface === undefined || c.vrid === undefined) return;
  const first = t.first ?? 0n;
  const span = t.now - first;
  const onSegment = ledger.segments().some((s) => ifaceOf(s) === iface && inScope(s, ev.scope)) || [...t.vrids.values()].some((x) => ifaceOf(x.segment) === iface && inScope(x.segment, ev.scope));
  if (!v) {
    const wait = 3n * BigInt(Math.round(c.advertInt * 1e9));
    if (onSegment && span > wait) {
      out.push(
        finding(
          C.configVridUnseen,
          S.warning,
          undefined,
          `keepalived instance ${c.name} (${iface}, VRID ${c.vrid}) is configured, but no advert for it was seen on ${iface} in ${Math.round(Number(span) / 1e9)} s`,
          [`${c.at.file}:${c.at.line}`],
          ['Is keepalived running, and is the instance in FAULT (a tracked interface or script down)? With unicast peers, adverts only go to the peers.'],
          first,
          t.now,
          'symptom',
        ),
      );
    }
    return;
  }
  const diffs: string[] = [];
  const wantIps = c.virtualAddresses.map((a) => a.address).sort();
  // Every router on this VRID, whichever partition the wire put it in: the configuration is what
  // they all should agree with.
  for (const r of [v, ...t.siblings(v)].flatMap((x) => [...x.routers.values()])) {
    if (r.priority === 0 && r.adverts <= 1) continue;
    const who = local(v, r, ev, inst) ? `${r.address} (this host)` : r.address;
    if (Math.abs(r.intervalCs - c.advertInt * 100) > 0.5) diffs.push(`${who} advertises every ${r.intervalCs / 100} s, the configuration says advert_int ${c.advertInt}`);
    if (r.version !== c.version) diffs.push(`${who} speaks VRRPv${r.version}, the configuration says version ${c.version}`);
    const ips = [...r.vips].sort();
    if (wantIps.length > 0 && JSON.stringify(ips) !== JSON.stringify(wantIps)) diffs.push(`${who} advertises ${ips.join(', ') || '(none)'}, the configuration has ${wantIps.join(', ')}`);
    if (c.version === 2 && c.auth && !c.auth.ignored) {
      const wantType = c.auth.type === 'PASS' ? 1 : c.auth.type === 'AH' ? 2 : undefined;
      if (wantType !== undefined && r.authType !== wantType) diffs.push(`${who} uses auth type ${r.authType ?? 'none'}, the configuration says ${c.auth.type}`);
      else if (wantType === 1 && c.auth.pass !== undefined && r.authText !== c.auth.pass) diffs.push(`${who} sends a different auth_pass than the configuration's`);
    }
  }
  if (diffs.length > 0) {
    out.push(
      finding(C.configMismatch, S.warning, v, `${c.name} on ${iface} (VRID ${c.vrid}): the wire disagrees with this host's keepalived configuration`, diffs.slice(0, 8), [`Compare ${c.at.file}:${c.at.line} with the peers' configuration; a node not reloaded after an edit shows up like this (systemctl reload keepalived).`], v.firstSeen, v.lastSeen, 'cause'),
    );
  }
  for (const peer of c.unicastPeers) {
    if (ev.localAddresses.has(peer.address)) continue;
    if (!ledger.spoke(v.segment, peer.address) && span > 3n * BigInt(Math.round(c.advertInt * 1e9))) {
      out.push(finding(C.unicastPeerSilent, S.warning, v, `${c.name}: unicast peer ${peer.address} never sent anything on ${iface} (no VRRP, no ARP)`, [`configured at ${peer.at.file}:${peer.at.line}`], ['Check the address, that the peer is up and configured with this host as its unicast_peer, and the route/firewall between them.'], first, t.now, 'cause'));
    }
  }
}

function clock(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(11, 19);
}
