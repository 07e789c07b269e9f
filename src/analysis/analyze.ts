// From the timeline to findings. Each detector reads the model's episodes and aggregates and
// applies documented thresholds (docs/findings.md); none looks at the wall clock.

import type { Timeline } from '../model/timeline.js';
import type { Episode, RouterState, VridState } from '../model/model-types.js';
import { intervalNs, masterDownNs, nsToSeconds } from '../model/vrrp-timing.js';
import { inert } from '../util/inert.js';
import { firewallAdvice, unicastAdvice } from './advice.js';
import { FindingCode as C, Severity as S, sortFindings, type Finding, type FindingCode, type Severity } from './finding.js';

/**
 * Flaps are changes back to a router that was master before (A→B→A): a newcomer that preempts once
 * (a power-on sequence, a failover) is not a flap. Thresholds per sliding window.
 */
export const FLAP_WARN_PER_10MIN = 3;
export const FLAP_CRIT_PER_MIN = 3;
/** Owner changes of one virtual IP within 10 minutes that make a MAC flip-flop. */
export const FLIPFLOP_CHANGES = 4;
/** Late adverts (past 1.5 intervals but within master-down) that are worth a note. */
export const LATE_NOTE = 3;
/** A router "advertises steadily" in an episode when it sent at least this share of the adverts its interval implies. */
const STEADY_SHARE = 0.6;
const MIN = 60_000_000_000n;

export function analyze(t: Timeline): Finding[] {
  const out: Finding[] = [];
  const vrids = [...t.vrids.values()];
  for (const v of vrids) analyzeVrid(t, v, vrids, out);
  analyzeVips(t, out);
  if (t.counters.malformed > 0) {
    const lines = [...t.counters.malformedReasons.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n} × ${r}`);
    out.push(finding(C.malformed, S.info, undefined, `${t.counters.malformed} VRRP/ARP/NA frame(s) could not be decoded`, lines, ['Usually capture damage or a truncating snaplen; run with --packets to see them.'], t.first ?? 0n, t.now));
  }
  return sortFindings(out);
}

function finding(code: FindingCode, severity: Severity, v: VridState | undefined, message: string, evidence: string[], advice: string[], firstSeen: bigint, lastSeen: bigint): Finding {
  return { code, severity, segment: v?.segment, vrid: v?.vrid, family: v?.family, message, evidence, advice, firstSeen, lastSeen };
}

export function ifaceOf(segment: string): string {
  return segment.includes('/') ? segment.slice(segment.lastIndexOf('/') + 1) : segment;
}

function where(v: VridState): string {
  return `VRID ${v.vrid}${v.family === 6 ? ' (IPv6)' : ''} on ${v.segment}`;
}

function secs(ns: bigint): string {
  const s = nsToSeconds(ns);
  return s >= 100 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

function who(v: VridState, addr: string | undefined): string {
  if (addr === undefined) return 'nobody';
  const r = v.routers.get(addr);
  if (r?.local) return `${addr} (this host)`;
  // Once this host is known among the routers, the others are its peers.
  return [...v.routers.values()].some((x) => x.local) ? `peer ${addr}` : addr;
}

function downOf(r: RouterState): bigint {
  return masterDownNs(r.version, r.intervalCs, r.priority || 1);
}

function analyzeVrid(t: Timeline, v: VridState, all: VridState[], out: Finding[]): void {
  const routers = [...v.routers.values()];
  const mismatch = configMismatches(v, routers, out);

  // Split brain: two or more routers claiming at once, each advertising, for longer than a hand-over.
  const splits = v.splitBrains.filter((e) => isSplit(v, e, t.now));
  if (splits.length > 0) {
    const first = splits[0]!;
    const last = splits[splits.length - 1]!;
    const total = splits.reduce((acc, e) => acc + ((e.end ?? t.now) - e.start), 0n);
    const open = last.end === undefined;
    const names = [...new Set(splits.flatMap((e) => e.routers))].map((a) => who(v, a));
    const ev = splits.slice(-5).map((e) => `${fmtSpan(e.start, e.end)}: ${e.routers.map((a) => `${who(v, a)} prio ${v.routers.get(a)?.priority} sent ${e.adverts[a] ?? 0} adverts`).join('; ')}`);
    out.push(
      finding(
        C.splitBrain,
        S.critical,
        v,
        `${where(v)}: ${names.join(' and ')} advertise as master at the same time (split brain${open ? ', ongoing' : ''}; ${splits.length} episode(s), ${secs(total)} in all)`,
        ev,
        mismatch ? ['The routers disagree on their settings (see the mismatch finding): each discards the other\'s adverts. Make the configurations agree.'] : ['Each master is not receiving the other\'s adverts; see check-firewall if reported, else check multicast delivery between the nodes.', unicastAdvice],
        first.start,
        last.end ?? t.now,
      ),
    );
    // Both advertise steadily and both reach this capture point, yet neither yields: they drop each other's adverts.
    // A firewall split is steady; a lossy link also shows master gaps past master-down and heals
    // within seconds once an advert gets through, so it is left to master-silent / flapping.
    const lossy = v.silences.some((x) => x.gapNs !== undefined);
    const steady = lossy ? [] : splits.filter((e) => (e.end ?? t.now) - e.start >= 2n * maxDown(v, e) && e.routers.every((a) => steadyIn(v, e, a, t.now)));
    if (steady.length > 0 && !mismatch) {
      const iface = ifaceOf(v.segment);
      const healthy = all.filter((o) => o !== v && ifaceOf(o.segment) !== iface && o.routers.size > 0 && o.master !== undefined && !o.splitBrains.some((e) => isSplit(o, e, t.now)));
      const good = healthy.map((o) => ifaceOf(o.segment));
      const msg = good.length
        ? `adverts seen on ${[...new Set(good)].join(', ')} but not received on ${iface} — check the firewall on ${iface}`
        : `adverts reach ${iface} from every router, yet none of them hears the others — check the firewall on ${iface}`;
      out.push(
        finding(
          C.checkFirewall,
          S.critical,
          v,
          msg,
          [
            ...steady.slice(-3).map((e) => `${fmtSpan(e.start, e.end)}: ${e.routers.map((a) => `${who(v, a)} sent ${e.adverts[a] ?? 0} adverts on time`).join(', ')} — each keeps advertising as master, so neither receives the other's`),
            ...healthy.slice(0, 3).map((o) => `${where(o)} has one master (${who(o, o.master)}): VRRP is received there`),
            'libpcap sees packets before the host firewall (netfilter INPUT) drops them, so this capture can show adverts that keepalived never gets.',
          ],
          firewallAdvice(iface),
          steady[0]!.start,
          steady[steady.length - 1]!.end ?? t.now,
        ),
      );
    }
  }

  // A takeover while the master's adverts were still arriving on time: the new master never heard them.
  // On a lossy link the same happens (the adverts got lost after this capture point), but then the
  // master's own adverts also show gaps past master-down here: leave that to master-silent/flapping.
  const lossyLink = v.silences.some((x) => x.gapNs !== undefined);
  if (v.onTimeTakeovers.length > 0 && !mismatch && !lossyLink) {
    const byRouter = new Map<string, number>();
    for (const o of v.onTimeTakeovers) byRouter.set(o.by, (byRouter.get(o.by) ?? 0) + 1);
    const repeated = [...byRouter.values()].some((n) => n >= 2);
    const o = v.onTimeTakeovers[v.onTimeTakeovers.length - 1]!;
    const iface = ifaceOf(v.segment);
    out.push(
      finding(
        C.checkFirewall,
        repeated ? S.critical : S.warning,
        v,
        `${who(v, o.by)} took over ${where(v)} while ${who(v, o.from)}'s adverts were still arriving on time — it does not receive them: check the firewall on ${iface} of ${o.by}${repeated ? '' : ' (or it was started with state MASTER)'}`,
        v.onTimeTakeovers.slice(-5).map((x) => `${fmtTime(x.ts)}: ${who(v, x.by)} claimed mastership; ${who(v, x.from)}'s last advert was ${secs(x.ageNs)} earlier (interval ${secs(x.intervalNs)})`),
        firewallAdvice(iface),
        v.onTimeTakeovers[0]!.ts,
        o.ts,
      ),
    );
  }

  // Flapping.
  const changes = flapTimes(v);
  const per10 = maxInWindow(changes, 10n * MIN);
  const per1 = maxInWindow(changes, MIN);
  if (per10 >= FLAP_WARN_PER_10MIN) {
    const crit = per1 >= FLAP_CRIT_PER_MIN;
    out.push(
      finding(
        C.flapping,
        crit ? S.critical : S.warning,
        v,
        `${where(v)}: mastership went back and forth ${changes.length} times (up to ${per10} in 10 min, ${per1} in 1 min)`,
        v.transitions.slice(-8).map((x) => `${fmtTime(x.ts)}: ${who(v, x.from)} → ${who(v, x.to)} (${x.reason})`),
        ['Look at the other findings for the cause (lost adverts, a firewall, a mismatch); flapping is the symptom.', 'nopreempt (with state BACKUP on all nodes) stops a recovered node from taking the VIPs back each time.'],
        changes[0]!,
        changes[changes.length - 1]!,
      ),
    );
  }

  // The master fell silent past master-down (or went late).
  const silences = v.silences.filter((s) => s.gapNs !== undefined || v.master === undefined || s.end === undefined);
  if (silences.length > 0) {
    const last = silences[silences.length - 1]!;
    out.push(
      finding(
        C.masterSilent,
        S.warning,
        v,
        `${where(v)}: the master's adverts stopped for longer than the master-down interval ${silences.length} time(s) (longest ${secs(v.maxGapNs > 0n ? v.maxGapNs : last.downNs)})`,
        silences.slice(-6).map((s) => `${fmtTime(s.start)}: ${who(v, s.router)} silent ${s.gapNs !== undefined ? `for ${secs(s.gapNs)}` : 'and did not come back'} (master-down ${secs(s.downNs)})`),
        ['Backups take over after master-down: look for packet loss on the link (tc -s qdisc, interface errors), CPU starvation of keepalived, or a stopped daemon.'],
        silences[0]!.start,
        last.end ?? last.start,
      ),
    );
  } else if (v.lateGaps >= LATE_NOTE) {
    out.push(finding(C.masterSilent, S.info, v, `${where(v)}: ${v.lateGaps} adverts came late (more than 1.5 intervals apart, still within master-down)`, [`largest gap ${secs(v.maxGapNs)}`], ['Jitter or a busy host; harmless until a gap exceeds master-down.'], v.firstSeen, v.lastSeen));
  }

  for (const nm of v.noMaster) {
    const dur = (nm.end ?? t.now) - nm.start;
    if (dur < nm.downNs) continue;
    out.push(
      finding(
        C.noMaster,
        S.critical,
        v,
        `${where(v)}: no router advertised for ${secs(dur)}${nm.end === undefined ? ' (until the end of the capture)' : ''} — the virtual IPs had no master`,
        [`last master ${who(v, nm.router)}, last advert at ${fmtTime(nm.start - nm.downNs)}`],
        ['Check that keepalived runs on the nodes (systemctl status keepalived) and that the instance is not in FAULT (tracked interface or script down).'],
        nm.start,
        nm.end ?? t.now,
      ),
    );
  }

  if (v.transitions.length > 0) {
    out.push(
      finding(
        C.masterChange,
        S.info,
        v,
        `${where(v)}: ${v.transitions.length} change(s) of master; now ${who(v, v.master)}`,
        v.transitions.slice(-10).map((x) => `${fmtTime(x.ts)}: ${who(v, x.from)} → ${who(v, x.to)} (${x.reason})`),
        [],
        v.transitions[0]!.ts,
        v.transitions[v.transitions.length - 1]!.ts,
      ),
    );
  }

  const released = v.history.filter((h) => h.master === undefined && h.reason === 'priority-zero-release');
  if (released.length > 0) {
    out.push(finding(C.priorityZero, S.info, v, `${where(v)}: the master resigned with priority 0 ${released.length} time(s) (graceful shutdown)`, released.slice(-5).map((h) => `${fmtTime(h.start)}`), [], released[0]!.start, released[released.length - 1]!.start));
  }
  for (const r of routers) {
    if (r.priorityChanges.length === 0) continue;
    const pc = r.priorityChanges;
    out.push(finding(C.priorityChange, S.info, v, `${where(v)}: ${who(v, r.address)} changed its priority ${pc.length} time(s), now ${r.priority}`, pc.slice(-6).map((c) => `${fmtTime(c.ts)}: ${c.from} → ${c.to}`), ['Priority changes come from track_script / track_interface / track_file weights.'], pc[0]!.ts, pc[pc.length - 1]!.ts));
    if (r.badTtl > 0) {
      // handled below
    }
  }
  for (const r of routers) {
    if (r.badTtl > 0)
      out.push(finding(C.badTtl, S.warning, v, `${where(v)}: ${r.badTtl} advert(s) from ${who(v, r.address)} arrived with ${v.family === 4 ? 'TTL' : 'hop limit'} ${r.ttl}, not 255 — receivers must discard them (RFC 5798 §5.1.1.3)`, [`last TTL ${r.ttl}`], ['Something routes or rewrites the adverts (a router between the nodes, a tunnel, an iptables TTL rule): VRRP must stay on one link.'], r.firstSeen, r.lastAdvert));
    if (r.badChecksum > 0)
      out.push(finding(C.badChecksum, S.warning, v, `${where(v)}: ${r.badChecksum} advert(s) from ${who(v, r.address)} have a checksum that is wrong under every variant`, [`checksum variant otherwise: ${r.checksumVariant ?? 'none'}`], ['If the capture is taken on the sending host, checksum offload can leave it unfilled; otherwise the peers will drop these adverts.'], r.firstSeen, r.lastAdvert));
  }

  // A new master that did not announce its virtual IPs (only judged where the capture carries ARP/NA).
  if (t.counters.arpSegments.has(v.segment)) {
    for (const g of v.garpMissing) {
      out.push(finding(C.garpMissing, S.warning, v, `${where(v)}: new master ${who(v, g.router)} sent no ${v.family === 4 ? 'gratuitous ARP' : 'unsolicited neighbour advert'} for ${g.vips.join(', ')} after taking over`, [`took over at ${fmtTime(g.since)}; nothing from its MAC within 6 s`], ['Neighbours and switches keep sending to the old MAC until their caches expire: check garp_master_delay / garp_master_repeat and vrrp_garp_* settings, and that nothing filters ARP.'], g.since, g.since));
    }
  }
}

/** Reports disagreements between routers of one VRID; true when one would explain a split brain. */
function configMismatches(v: VridState, routers: RouterState[], out: Finding[]): boolean {
  const live = routers.filter((r) => r.priority > 0 || r.adverts > 1);
  if (live.length < 2) return false;
  let explains = false;
  const span = (rs: RouterState[]): [bigint, bigint] => [rs.reduce((a, r) => (r.firstSeen < a ? r.firstSeen : a), rs[0]!.firstSeen), rs.reduce((a, r) => (r.lastAdvert > a ? r.lastAdvert : a), 0n)];
  const [first, last] = span(live);
  const differ = <K>(f: (r: RouterState) => K): boolean => new Set(live.map((r) => JSON.stringify(f(r)))).size > 1;
  const list = (f: (r: RouterState) => string): string[] => live.map((r) => `${who(v, r.address)}: ${f(r)}`);

  // Disjoint virtual address sets: two unrelated clusters on one VRID.
  const conflict = live.some((a) => live.some((b) => a !== b && a.vips.length > 0 && b.vips.length > 0 && !a.vips.some((x) => b.vips.includes(x))));
  if (conflict) {
    explains = true;
    out.push(finding(C.vridConflict, S.critical, v, `${where(v)} is used by unrelated routers with different virtual addresses`, list((r) => r.vips.join(', ') || '(none)'), ['Give each cluster its own virtual_router_id on a shared segment (they also share the virtual MAC 00:00:5e:00:01:XX).'], first, last));
  } else if (differ((r) => [...r.vips].sort())) {
    explains = true;
    out.push(finding(C.vipMismatch, S.warning, v, `${where(v)}: routers advertise different virtual address sets`, list((r) => r.vips.join(', ')), ['Make virtual_ipaddress identical on every node of the instance.'], first, last));
  }
  if (differ((r) => r.intervalCs)) {
    explains = true;
    out.push(finding(C.intervalMismatch, S.warning, v, `${where(v)}: routers advertise different intervals`, list((r) => `${r.intervalCs / 100} s`), ['Set the same advert_int on every node: VRRPv2 routers discard adverts with another interval (keepalived logs it, but its advert_interval_err counter may stay 0).'], first, last));
  }
  if (differ((r) => [r.authType, r.authText])) {
    explains = true;
    out.push(finding(C.authMismatch, S.warning, v, `${where(v)}: routers use different authentication`, list((r) => (r.authType === 1 ? `PASS ("${inert(r.authText ?? '')}")` : r.authType === 2 ? 'AH' : r.authType === 0 ? 'none' : 'n/a (v3)')), ['Make the authentication block (auth_type, auth_pass) identical on every node; keepalived drops adverts that fail it.'], first, last));
  }
  if (differ((r) => r.version)) {
    explains = true;
    out.push(finding(C.versionMismatch, S.warning, v, `${where(v)}: routers speak different VRRP versions`, list((r) => `VRRPv${r.version}`), ['Set the same version (vrrp_version in global_defs, or version in the instance) on every node.'], first, last));
  }
  return explains;
}

function maxDown(v: VridState, e: Episode): bigint {
  return e.routers.map((a) => v.routers.get(a)).reduce((m, r) => (r && downOf(r) > m ? downOf(r) : m), 0n);
}

function isSplit(v: VridState, e: Episode, now: bigint): boolean {
  const dur = (e.end ?? now) - e.start;
  return dur > maxDown(v, e) && e.routers.filter((a) => (e.adverts[a] ?? 0) >= 3).length >= 2;
}

function steadyIn(v: VridState, e: Episode, addr: string, now: bigint): boolean {
  const r = v.routers.get(addr);
  if (!r) return false;
  const iv = intervalNs(r.intervalCs);
  if (iv === 0n) return false;
  const expected = Number((e.end ?? now) - e.start) / Number(iv);
  return (e.adverts[addr] ?? 0) >= Math.max(3, expected * STEADY_SHARE);
}

/** Times of master changes that returned mastership to an earlier master. */
export function flapTimes(v: VridState): bigint[] {
  const seen = new Set<string>();
  const first = v.history[0]?.master;
  if (first !== undefined) seen.add(first);
  const out: bigint[] = [];
  for (const t of v.transitions) {
    if (t.to === undefined) continue;
    if (seen.has(t.to)) out.push(t.ts);
    seen.add(t.to);
  }
  return out;
}

function maxInWindow(ts: readonly bigint[], window: bigint): number {
  let best = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (ts[i]! - ts[j]! > window) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function analyzeVips(t: Timeline, out: Finding[]): void {
  const vipSet = new Set<string>();
  for (const v of t.vrids.values()) for (const r of v.routers.values()) for (const a of r.vips) vipSet.add(`${v.segment}|${a}`);
  for (const [key, vip] of t.vips) {
    if (!vipSet.has(key)) continue;
    const changes = vip.owners.slice(1).map((o) => o.ts);
    const macs = new Set(vip.owners.map((o) => o.mac));
    const worst = maxInWindow(changes, 10n * MIN);
    if (macs.size >= 2 && worst >= FLIPFLOP_CHANGES) {
      const vrid = [...t.vrids.values()].find((v) => v.segment === vip.segment && [...v.routers.values()].some((r) => r.vips.includes(vip.address)));
      out.push({
        code: C.vipMacFlipflop,
        severity: S.critical,
        segment: vip.segment,
        vrid: vrid?.vrid,
        family: vrid?.family,
        message: `${vip.address} on ${vip.segment} moved between ${macs.size} MACs ${changes.length} times (up to ${worst} in 10 min) — clients' traffic follows each move`,
        evidence: vip.owners.slice(-8).map((o) => `${fmtTime(o.ts)}: ${vip.address} is-at ${o.mac}`),
        advice: ['Two nodes keep claiming the address: see split-brain / flapping for the cause.'],
        firstSeen: vip.owners[1]!.ts,
        lastSeen: vip.owners[vip.owners.length - 1]!.ts,
      });
    }
  }
}

export function fmtTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  return `${d.toISOString().slice(11, 23)}`;
}

function fmtSpan(a: bigint, b: bigint | undefined): string {
  return `${fmtTime(a)}–${b === undefined ? 'now' : fmtTime(b)}`;
}
