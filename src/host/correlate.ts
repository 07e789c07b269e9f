// The wire next to the daemon and the firewall: findings no capture can give on its own. This is
// the list of them, per keepalived instance (configured, or listed by its dumps): the configuration
// against the wire (here), adverts-dropped-on-host from keepalived's counters (counter-evidence.ts)
// or, without counters, from its log (log-evidence.ts), told by drop-finding.ts; and, once, which
// names `-i any` interface indexes got and how undated dumps were dated.

import { ifaceOf } from '../analysis/analyze.js';
import { FindingCode as C, Severity as S, type Finding } from '../analysis/finding.js';
import type { VridState } from '../model/model-types.js';
import type { Timeline } from '../model/timeline.js';
import type { AdvertLedger } from './advert-ledger.js';
import { dropChecks } from './counter-evidence.js';
import { hostsOf, type HostEvidence, type HostSet } from './host-evidence.js';
import { finding, type InstanceRef, local } from './host-finding.js';
import { findInterfaceCommand } from './interface-names.js';
import type { KeepalivedInstance } from './keepalived/config.js';
import { acceptable } from './keepalived-receive.js';
import { logChecks } from './log-evidence.js';

export { MIN_PEER_ADVERTS, RECEIVED_SHARE } from './counter-evidence.js';
export { advertQuery } from './drop-finding.js';

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
