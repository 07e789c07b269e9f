// What keepalived's own log says about a master that stopped advertising without resigning. The wire
// cannot tell a stalled daemon from a killed one; the log can: a resumed process logs "A thread timer
// expired N seconds ago" (its timers ran late by the length of the stall), a restarted one logs its
// start-up. Applied to this host's own routers only (the log is this host's).

import { FindingCode as C, Severity as S, type Finding } from '../analysis/finding.js';
import type { Silence, VridState } from '../model/model-types.js';
import type { Timeline } from '../model/timeline.js';
import type { HostEvidence } from './host-evidence.js';

const S_NS = 1_000_000_000n;
const STALL = /^A thread timer expired ([\d.]+) seconds ago/;
const START = /^(Starting Keepalived|Starting VRRP child process)/;

export function refineWithDaemonLog(t: Timeline, findings: Finding[], ev: HostEvidence): Finding[] {
  if (ev.log.length === 0 || ev.localAddresses.size === 0) return findings;
  let out = findings;
  for (const v of t.vrids.values()) {
    for (const s of v.silences) {
      // Several nodes' evidence (--ssh, a bundle): each node's log speaks for its own segments only.
      if (!s.wasMaster || !ev.localAddresses.has(s.router) || (ev.scope !== undefined && !v.segment.startsWith(`${ev.scope}/`))) continue;
      const until = (s.end ?? t.now) + 15n * S_NS;
      const inWindow = ev.log.filter((e) => e.time !== undefined && e.time >= s.start - S_NS && e.time <= until);
      const stall = inWindow.map((e) => ({ e, m: STALL.exec(e.text) })).find((x) => x.m !== null);
      const start = inWindow.find((e) => START.test(e.text));
      if (stall && !start) out = [...out.filter((f) => !(f.key === v.key && (f.code === C.masterGone || f.code === C.masterStalled))), stalled(t, v, s, Number(stall.m![1]))];
      else if (start) out = out.map((f) => (f.key === v.key && f.code === C.masterGone ? { ...f, evidence: [...f.evidence, `keepalived's log on this host shows a start-up at ${clock(start.time!)} ("${start.text}"): it died and was restarted`] } : f));
    }
  }
  return out;
}

function stalled(t: Timeline, v: VridState, s: Silence, seconds: number): Finding {
  const taken = s.takenOverBy ? `; ${s.takenOverBy} took over meanwhile` : '';
  const back = s.end !== undefined ? 'then it advertised again' : `then it went on without advertising (it heard ${s.takenOverBy ?? 'the new master'} and stayed backup)`;
  return {
    code: C.masterStalled,
    kind: 'cause',
    severity: S.warning,
    segment: v.segment,
    vrid: v.vrid,
    family: v.family,
    key: v.key,
    message: `this host (${s.router}) stalled for ${seconds.toFixed(1)} s on VRID ${v.vrid} on ${v.segment}: keepalived logged "A thread timer expired ${seconds.toFixed(6)} seconds ago" on resuming — the process did not run (SIGSTOP, a frozen VM, CPU or I/O starvation), so it neither advertised nor resigned${taken}; ${back}`,
    evidence: [`${clock(s.start)}: ${s.router}'s last advert before the stall (master-down ${(Number(s.downNs) / 1e9).toFixed(1)} s)`, 'no start-up in keepalived\'s log around it: not a crash and restart'],
    advice: [`Find what froze keepalived on this host at ${clock(s.start)}: the VM host (steal time, a snapshot or live migration), memory pressure (dmesg), or a process that stopped it (kill -STOP).`],
    firstSeen: s.start,
    lastSeen: s.end ?? t.now,
  };
}

function clock(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(11, 19);
}
