// adverts-dropped-on-host from keepalived's log alone (no counter dump for the instance):
// "Receive advertisement timeout" while the wire shows acceptable adverts arriving and keepalived
// logged none of them.

import { ifaceOf } from '../analysis/analyze.js';
import { Severity as S, type Finding } from '../analysis/finding.js';
import type { VridState } from '../model/model-types.js';
import type { Timeline } from '../model/timeline.js';
import { masterDownNs, nsToSeconds } from '../model/vrrp-timing.js';
import type { AdvertLedger } from './advert-ledger.js';
import { acceptsNow, type Over, dropFinding } from './drop-finding.js';
import type { HostEvidence } from './host-evidence.js';
import { finding, type InstanceRef, local, clock } from './host-finding.js';
import { acceptable, RECEIVED_KINDS } from './keepalived-receive.js';

/**
 * No counters, only keepalived's log: "Receive advertisement timeout" means keepalived heard no
 * advert for master_down_interval. When the capture shows a master's adverts arriving on time on
 * that interface right then, they reached the host and keepalived did not get them.
 * Log times have 1 s resolution and may be in another zone: a timeout counts only when every gap
 * in the peer's adverts from master_down before it to 1 s after it is within 2 intervals, and one
 * such timeout alone counts only when the log's own "Entering MASTER STATE" lines up with the wire.
 */
export function logChecks(t: Timeline, ledger: AdvertLedger, ev: HostEvidence, inst: InstanceRef, v: VridState, out: Finding[]): void {
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
