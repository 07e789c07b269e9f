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
import { masterDownNs } from '../model/vrrp-timing.js';
import type { AdvertLedger } from './advert-ledger.js';
import { evaluateVrrpInput, type FirewallVerdict } from './firewall/index.js';
import { hostsOf, type HostEvidence, type HostSet, type TimedDump } from './host-evidence.js';
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
    const v = vridFor(t, inst.interface, inst.vrid, inst.family, ev.scope);
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

function vridFor(t: Timeline, iface: string | undefined, vrid: number | undefined, family: 4 | 6, scope: string | undefined): VridState | undefined {
  if (iface === undefined || vrid === undefined) return undefined;
  const all = [...t.vrids.values()].filter((v) => v.vrid === vrid && v.family === family && ifaceOf(v.segment) === iface && inScope(v.segment, scope));
  return all.find((v) => v.segment === (scope === undefined ? iface : `${scope}/${iface}`)) ?? all[0];
}

/** Each node's evidence against its own segments. */
export function correlateAll(t: Timeline, ledger: AdvertLedger, set: HostSet): Finding[] {
  return hostsOf(set).flatMap((ev) => correlate(t, ledger, ev));
}

export function correlate(t: Timeline, ledger: AdvertLedger, ev: HostEvidence): Finding[] {
  const out: Finding[] = [];
  const first = t.first ?? 0n;
  for (const p of ev.config?.errors ?? []) {
    out.push(finding(C.configError, S.info, undefined, `keepalived configuration: ${p.file}:${p.line}: ${p.message}`, [], ['keepalived may read this differently from what was meant; check with keepalived --config-test.'], first, first));
  }
  for (const inst of instancesOf(ev)) {
    const v = vridFor(t, inst.interface, inst.vrid, inst.family, ev.scope);
    if (inst.conf) configChecks(t, ledger, ev, inst, inst.conf, v, out);
    if (v) dropChecks(t, ledger, ev, inst, v, out);
  }
  return out;
}

function finding(code: Finding['code'], severity: Finding['severity'], v: VridState | undefined, message: string, evidence: string[], advice: string[], firstSeen: bigint, lastSeen: bigint): Finding {
  return { code, severity, segment: v?.segment, vrid: v?.vrid, family: v?.family, message, evidence, advice, firstSeen, lastSeen };
}

function local(v: VridState, r: RouterState, ev: HostEvidence, inst: InstanceRef): boolean {
  return r.local || ev.localAddresses.has(r.address) || inst.conf?.unicastSrcIp === r.address;
}

/** The wire carried the peer's adverts, keepalived did not count them. */
function dropChecks(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, v: VridState, out: Finding[]): void {
  const dumps = ev.dumps.map((d) => ({ d, st: d.dump.instances.find((i) => i.name === inst.name) })).filter((x): x is { d: TimedDump; st: KeepalivedInstanceStatus } => x.st !== undefined && x.st.stats.advertRcvd !== undefined);
  if (dumps.length === 0) return;
  const span = ledger.span(v.segment, v.vrid, v.family);
  if (!span) return;
  // Windows between consecutive dumps that the capture covers; with one dump, from the capture's start.
  const windows: { from: bigint; to: bigint; rcvd: number; sent: number | undefined; a: KeepalivedInstanceStatus; b: KeepalivedInstanceStatus }[] = [];
  if (dumps.length === 1) {
    const only = dumps[0]!;
    if (only.st.lastTransitionNs !== undefined && only.st.lastTransitionNs > span[0]) {
      // Since its last transition it has been in one state: a master sent the adverts, a backup none.
      windows.push({ from: only.st.lastTransitionNs, to: only.d.ts, rcvd: only.st.stats.advertRcvd! + rejected(only.st), sent: only.st.stateName === 'MASTER' ? -1 : 0, a: only.st, b: only.st });
    }
  } else {
    for (let i = 1; i < dumps.length; i++) {
      const a = dumps[i - 1]!;
      const b = dumps[i]!;
      if (b.d.ts <= span[0] || a.d.ts >= span[1] + 2n * masterDownNs(2, 100, 100)) continue;
      const rcvd = b.st.stats.advertRcvd! - a.st.stats.advertRcvd!;
      const sent = b.st.stats.advertSent !== undefined && a.st.stats.advertSent !== undefined ? b.st.stats.advertSent - a.st.stats.advertSent : undefined;
      if (rcvd < 0) continue; // keepalived restarted between the dumps
      windows.push({ from: a.d.ts, to: b.d.ts, rcvd: rcvd + rejected(b.st) - rejected(a.st), sent, a: a.st, b: b.st });
    }
  }
  if (ev.windowNs !== undefined) {
    const since = t.now - ev.windowNs;
    for (let i = windows.length - 1; i >= 0; i--) if (windows[i]!.to < since) windows.splice(i, 1);
    if (windows.length === 0) return;
  }
  let wire = 0;
  let rcvd = 0;
  const peers = new Map<string, number>();
  const lines: string[] = [];
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
    if (!own && w.sent !== undefined && w.sent !== 0) {
      const target = w.sent;
      const best = [...counts.entries()].sort((x, y) => (target < 0 ? y[1] - x[1] : Math.abs(x[1] - target) - Math.abs(y[1] - target)))[0];
      if (best && (target < 0 || Math.abs(best[1] - target) <= Math.max(2, target * 0.25))) counts.delete(best[0]);
    }
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    for (const [addr, c] of counts) peers.set(addr, (peers.get(addr) ?? 0) + c);
    wire += n;
    rcvd += w.rcvd;
    if (n > 0) lines.push(`${clock(w.from)}–${clock(w.to)}: the wire on ${ifaceOf(v.segment)} carried ${n} advert(s) from ${[...counts.keys()].join(', ')}; keepalived's ${inst.name} counted ${w.rcvd} received (or refused)`);
  }
  if (wire < MIN_PEER_ADVERTS || rcvd >= wire * RECEIVED_SHARE) return;
  // Live, the verdict must come from a ruleset read after the latest counter window began (a rule
  // added a moment ago is the likeliest cause): otherwise ask for a fresh read and report next time.
  if (ev.refreshFirewall && (ev.firewallReadNs === undefined || ev.firewallReadNs < windows[windows.length - 1]!.from)) {
    ev.refreshFirewall();
    return;
  }
  const iface = inst.interface ?? ifaceOf(v.segment);
  const last = dumps[dumps.length - 1]!.st;
  const evidence = [...lines.slice(-6)];
  evidence.push(`keepalived ${inst.name}${inst.syncGroup ? ` (sync group ${inst.syncGroup})` : ''}: state ${last.stateName ?? '?'}${last.wantStateName && last.wantStateName !== last.stateName ? `, wants ${last.wantStateName}` : ''}; advert_rcvd ${last.stats.advertRcvd}, advert_sent ${last.stats.advertSent ?? '?'}`);
  if (last.wantStateName === 'MASTER' && last.stateName === 'BACKUP' && inst.syncGroup) evidence.push(`the sync group ${inst.syncGroup} holds ${inst.name} in BACKUP while another member still hears its master, so nothing flaps on the wire`);
  const timeouts = ev.log.filter((e) => e.kind === 'advert-timeout' && (e.instance === undefined || e.instance === inst.name));
  if (timeouts.length > 0) evidence.push(`keepalived logged "Receive advertisement timeout" ${timeouts.length} time(s)${timeouts[0]!.time !== undefined ? `, first at ${clock(timeouts[0]!.time)}` : ''}`);
  let advice = firewallAdvice(iface);
  let verdictText = '';
  let accepted = false;
  if (ev.firewall) {
    const peer = [...peers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (peer !== undefined) {
      try {
        const verdict = evaluateVrrpInput(ev.firewall, { src: peer, iface }).overall;
        verdictText = describeVerdict(verdict);
        evidence.push(`firewall (${ev.firewallSource ?? 'ruleset'}): ${verdictText}`);
        for (const r of verdict.reasons.slice(0, 3)) evidence.push(`  ${r}`);
        if (verdict.verdict === 'drop' || verdict.verdict === 'reject') advice = fixAdvice(verdict);
        else if (verdict.verdict === 'accept' && verdict.confidence === 'certain') accepted = true;
        if (accepted) advice = ['The ruleset accepts VRRP on this interface: look at rp_filter, the interface keepalived listens on, and keepalived\'s own rejections in its log (authentication, interval, TTL).'];
      } catch (e) {
        evidence.push(`firewall: could not be judged (${(e as Error).message})`);
      }
    }
  }
  const peerList = [...peers.keys()].map((a) => `peer ${a}`).join(', ');
  const host = ev.scope === undefined ? "this host's" : `${ev.scope}'s`;
  const at = ev.scope === undefined ? iface : `${ev.scope}/${iface}`;
  out.push(
    finding(
      C.advertsDroppedOnHost,
      S.critical,
      v,
      `adverts from ${peerList} reach ${at} but keepalived never gets them (${rcvd} of ${wire} counted): ${
        accepted ? `something on ${ev.scope ?? 'this host'} drops them, though its ruleset accepts VRRP on ${iface}` : `${host} firewall drops them${verdictText && /drop|reject/.test(verdictText) ? ` — ${verdictText}` : ''}`
      }`,
      evidence,
      advice,
      windows[0]!.from,
      windows[windows.length - 1]!.to,
    ),
  );
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
        ),
      );
    }
    return;
  }
  const diffs: string[] = [];
  const wantIps = c.virtualAddresses.map((a) => a.address).sort();
  for (const r of v.routers.values()) {
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
      finding(C.configMismatch, S.warning, v, `${c.name} on ${iface} (VRID ${c.vrid}): the wire disagrees with this host's keepalived configuration`, diffs.slice(0, 8), [`Compare ${c.at.file}:${c.at.line} with the peers' configuration; a node not reloaded after an edit shows up like this (systemctl reload keepalived).`], v.firstSeen, v.lastSeen),
    );
  }
  for (const peer of c.unicastPeers) {
    if (ev.localAddresses.has(peer.address)) continue;
    if (!ledger.spoke(v.segment, peer.address) && span > 3n * BigInt(Math.round(c.advertInt * 1e9))) {
      out.push(finding(C.unicastPeerSilent, S.warning, v, `${c.name}: unicast peer ${peer.address} never sent anything on ${iface} (no VRRP, no ARP)`, [`configured at ${peer.at.file}:${peer.at.line}`], ['Check the address, that the peer is up and configured with this host as its unicast_peer, and the route/firewall between them.'], first, t.now));
    }
  }
}

function clock(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(11, 19);
}
