// Cause: a master stopped advertising without resigning — no priority-0 advert, which keepalived
// sends on SIGTERM (RFC 5798 §6.4.3) — and did not come back: kill -9, a crash, a power or link
// failure. The same again and again is a crash loop. A master that came back once is master-stalled;
// scattered gaps are advert-loss.

import type { Silence, VridState } from '../../model/model-types.js';
import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, fmtTime, ifaceOf, maxInWindow, MIN, secs, type RuleContext } from '../rule-context.js';
import { plusMinus } from '../node-clocks.js';
import { list } from './partition-pairs.js';

/** Silences without resigning within 10 minutes that make a crash loop. */
export const CRASH_LOOP = 3;

/** The masters' silences on this VRID that loss (or another cause) does not explain. */
export function unexplainedSilences(ctx: RuleContext, v: VridState): Silence[] {
  return v.silences.filter((s) => s.wasMaster && ctx.explainedBy(v, s.router) === undefined);
}

export const masterGone: Rule = {
  code: C.masterGone,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      const ss = unexplainedSilences(ctx, v);
      if (ss.length === 0) continue;
      const loop = maxInWindow(ss.map((s) => s.start), 10n * MIN) >= CRASH_LOOP;
      const last = ss[ss.length - 1]!;
      if (!loop && last.end !== undefined) continue; // came back: master-stalled
      // Silent "to the end": the end of the input is the recording machine's clock; a silence that
      // exceeds master-down only by less than this node's clock uncertainty may be none — unless a
      // later advert on this same capture (another router's) shows it on the node's own clock.
      if (!loop && last.end === undefined && ctx.t.now - last.start <= last.downNs + ctx.toEnd(v) && v.lastSeen - last.start <= last.downNs) continue;
      const who = list([...new Set(ss.map((s) => ctx.who(v, s.router)))]);
      const also = sameTime(ctx, v, last);
      const outcome = last.end === undefined ? (last.takenOverBy ? `${ctx.who(v, last.takenOverBy)} took over after ${secs(takeoverDelay(v, last))}` : 'nobody took over') : `it came back after ${secs(last.gapNs ?? 0n)}`;
      const message = loop
        ? `${ctx.where(v)}: the master's keepalived died ${atLeast(ss.length, v.dropped.silences)} times without resigning (${who}), each time coming back — a crash loop; ${outcome}`
        : `${ctx.where(v)}: ${ctx.who(v, last.router)} stopped advertising at ${fmtTime(last.start)} without resigning (no priority-0 advert) — keepalived was killed or crashed, or the node or its link went down; ${outcome}`;
      out.push(
        ctx.finding(
          C.masterGone,
          'cause',
          loop || !last.takenOverBy ? S.critical : S.warning,
          v,
          message + (also ? `; ${also}` : ''),
          ss.slice(-6).map((s) => `${fmtTime(s.start)}: ${ctx.who(v, s.router)} silent ${s.end !== undefined ? `for ${secs(s.gapNs ?? 0n)}, then back${s.garpOnReturn ? ' with gratuitous ARP' : ''}` : 'to the end'}${s.takenOverBy ? `; ${s.takenOverBy} took over` : ''} (master-down ${secs(s.downNs)})`),
          [
            `On ${last.router}: systemctl status keepalived; journalctl -u keepalived (a clean stop sends priority 0 and logs it; a kill or crash does not)${loop ? '; a crash loop also shows in coredumpctl list keepalived and in systemd\'s restart counter (systemctl show -p NRestarts keepalived)' : ''}.`,
          ],
          ss[0]!.start,
          last.end ?? ctx.t.now,
        ),
      );
    }
    return out;
  },
};

function takeoverDelay(v: VridState, s: Silence): bigint {
  const t = v.transitions.find((x) => x.ts >= s.start && x.to === s.takenOverBy);
  return t ? t.ts - s.start : s.downNs;
}

/** Silences on two segments this close are one event (the daemon or the node stopped). */
const SAME_TIME_NS = 2_000_000_000n;

/**
 * "its adverts on eth1 stopped at the same time" when the wire can link the node across segments.
 * Another node's capture (--ssh, a bundle) counts only when its clock agrees well enough to tell:
 * the difference plus both nodes' uncertainty must still be within SAME_TIME_NS. Segments of the
 * node's own capture are looked at first (one clock, no uncertainty); the same link seen from
 * another node (the same router on it) is no other link.
 */
function sameTime(ctx: RuleContext, v: VridState, s: Silence): string | undefined {
  const r = v.routers.get(s.router);
  if (!r) return undefined;
  const others = ctx.vrids.filter((o) => o.segment !== v.segment && (ctx.clocks.sameClock(o.segment, v.segment) || !o.routers.has(s.router)));
  others.sort((a, b) => Number(ctx.clocks.sameClock(b.segment, v.segment)) - Number(ctx.clocks.sameClock(a.segment, v.segment)));
  let unsure: string | undefined;
  for (const o of others) {
    const same = ctx.sameNode(r, o, v);
    if (!same) continue;
    const spread = ctx.clocks.between(v.segment, o.segment);
    const hit = o.silences.find((x) => x.router === same.address && absDiff(x.start, s.start) < SAME_TIME_NS + spread);
    if (!hit) continue;
    if (spread === 0n) return `its adverts on ${ifaceOf(o.segment)} stopped at the same time (the daemon or the node, not one link)`;
    if (absDiff(hit.start, s.start) + spread < SAME_TIME_NS) return `its adverts on ${o.segment} stopped at the same time (within ${secs(SAME_TIME_NS)}, the node clocks agreeing to ${plusMinus(spread)}: the daemon or the node, not one link)`;
    unsure ??= `its adverts on ${o.segment} stopped ${secs(absDiff(hit.start, s.start))} apart, but the node clocks agree only to ${plusMinus(spread)}: whether at the same time (the daemon or the node) or not (one link) cannot be told`;
  }
  return unsure;
}

function absDiff(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}
