// adverts-dropped-on-host from keepalived's counters: advert_rcvd between dumps (or in all, since
// keepalived started) against the peer's adverts the wire carried over the same time.
//
// libpcap sees a received packet before netfilter's INPUT chain drops it, and keepalived 2.x keeps a
// sync-group member in BACKUP while another member still hears its master — so a firewall on the
// receiving host can leave the wire looking healthy; the counters show it.

import { ifaceOf } from '../analysis/analyze.js';
import { Severity as S, type Finding } from '../analysis/finding.js';
import type { VridState } from '../model/model-types.js';
import type { Timeline } from '../model/timeline.js';
import { masterDownNs } from '../model/vrrp-timing.js';
import type { AdvertLedger } from './advert-ledger.js';
import { acceptsNow, type Over, dropFinding } from './drop-finding.js';
import type { HostEvidence, TimedDump } from './host-evidence.js';
import { type InstanceRef, local, clock } from './host-finding.js';
import { acceptable, acceptableToRunning, RECEIVED_KINDS, rejected } from './keepalived-receive.js';
import type { KeepalivedInstanceStatus } from './keepalived/dump-types.js';

/** At least this many peer adverts on the wire before a shortfall counts. */
export const MIN_PEER_ADVERTS = 3;

/** keepalived must have counted at least this share of them. */
export const RECEIVED_SHARE = 0.5;

type Window = { from: bigint; to: bigint; rcvd: number; sent: number | undefined; label?: string };

/**
 * The wire carried the peer's adverts, keepalived did not count them. Returns whether keepalived's
 * counters covered this instance (then the log is not needed to judge it).
 */
export function dropChecks(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, v: VridState, out: Finding[]): boolean {
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
  const running = last.st;
  let seen = tally(t, ledger, ev, inst, v, windows, running);
  let count = `(${seen.rcvd} of ${seen.wire} counted)`;
  if (seen.wire >= MIN_PEER_ADVERTS && seen.rcvd >= seen.wire * RECEIVED_SHARE) {
    // Counting over all: unless a run of windows before was deaf (a rule added, then removed). The
    // bar is higher here (at least 5 adverts, under a quarter counted), as dump times are coarse.
    const run = deafRun(seen.per);
    if (run === undefined || run.n < Math.max(MIN_PEER_ADVERTS, 5) || run.rcvd >= run.n * 0.25) return true;
    seen = tally(t, ledger, ev, inst, v, windows.slice(run.first), running);
    count = `(${run.rcvd} of ${run.n} counted)`;
  }
  if (seen.wire < MIN_PEER_ADVERTS) {
    // advert_rcvd counts since keepalived started: with no window between dumps to compare (one
    // dump), the total itself is the evidence — a firewall there before keepalived started. Only when
    // the windows say nothing: once they show counting (a fix), the old deafness is history.
    const total = sinceStart(ev, last.d, last.st, span);
    if (total === undefined) return true;
    const whole = tally(t, ledger, ev, inst, v, [total], running);
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
function tally(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, v: VridState, windows: readonly Window[], running?: KeepalivedInstanceStatus): Tally {
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
      if (!v.routers.has(addr) && t.siblings(v).some((o) => o.routers.has(addr))) {
        counts.delete(addr);
        continue;
      }
      const r = v.routers.get(addr);
      if (r && !(running?.version !== undefined ? acceptableToRunning(r, running) : inst.conf ? acceptable(r, inst.conf) : true)) counts.delete(addr);
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
