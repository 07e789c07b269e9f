// What every rule is handed: the timeline, the findings of the rules that ran before it, and the
// words findings share (who a router is, where a VRID is, times and durations).

import type { Episode, RouterState, VridState } from '../model/model-types.js';
import { relationOf } from '../model/partition.js';
import type { Timeline } from '../model/timeline.js';
import { claimingRouters } from '../model/virtual-router.js';
import { intervalNs, masterDownNs } from '../model/vrrp-timing.js';
import { inert } from '../util/inert.js';
import { durationText } from '../util/duration-text.js';
import type { Finding, FindingCode, FindingKind, Severity } from './finding.js';
import { NodeClocks } from './node-clocks.js';
import { flatText } from '../util/flat-text.js';

export class RuleContext {
  readonly found: Finding[] = [];
  /** Routers whose behaviour a cause already explains (`vrid key|address` → the cause's code). */
  private readonly explained = new Map<string, FindingCode>();

  /**
   * `clocks`: which node each segment's capture comes from and how well its clock is known (--ssh,
   * a bundle). Findings that compare times on two nodes' segments, or a node's time with the end of
   * the input, make no claim inside that uncertainty.
   */
  constructor(
    readonly t: Timeline,
    readonly clocks: NodeClocks = new NodeClocks(),
  ) {}

  /** ± between times on this VRID's segment and the end of the input (0 for one machine's capture). */
  toEnd(v: VridState): bigint {
    return this.clocks.uncertainty(v.segment);
  }

  /** Virtual routers, in a stable order. */
  get vrids(): VridState[] {
    return [...this.t.vrids.values()];
  }

  /** VRIDs whose routers all accept each other (one partition): the single-router rules apply to them. */
  single(v: VridState): boolean {
    return this.t.siblings(v).every((o) => o.routers.size === 0);
  }

  relation(v: VridState): ReturnType<typeof relationOf> {
    return relationOf([v, ...this.t.siblings(v)]);
  }

  /** The cause already found for this VRID (or for its segment, or the whole capture) among `codes`. */
  causeFor(v: VridState | undefined, codes: readonly FindingCode[]): Finding | undefined {
    return this.found.find((f) => f.kind === 'cause' && codes.includes(f.code) && (v === undefined || f.key === v.key || (f.key === undefined && f.segment === v.segment && f.vrid === v.vrid)));
  }

  explain(v: VridState, addr: string, code: FindingCode): void {
    this.explained.set(`${v.key}|${addr}`, code);
  }

  explainedBy(v: VridState, addr: string): FindingCode | undefined {
    return this.explained.get(`${v.key}|${addr}`);
  }

  finding(code: FindingCode, kind: FindingKind, severity: Severity, v: VridState | undefined, message: string, evidence: string[], advice: string[], firstSeen: bigint, lastSeen: bigint, causedBy?: FindingCode): Finding {
    // Texts made by templates are ropes; a thousand findings' worth of them was a few MiB at the
    // end of a long run (flat-text.ts).
    const f: Finding = { code, kind, severity, segment: v?.segment, vrid: v?.vrid, family: v?.family, key: v?.key, message: flatText(message), evidence: evidence.map(flatText), advice: advice.map(flatText), firstSeen, lastSeen, ...(causedBy ? { causedBy } : {}) };
    return f;
  }

  /** "VRID 51 on eth0", with the partition label when the VRID carries several virtual routers. */
  where(v: VridState): string {
    const label = v.label ? ` [${inert(v.label)}]` : '';
    return `VRID ${v.vrid}${v.family === 6 ? ' (IPv6)' : ''}${label} on ${inert(v.segment)}`;
  }

  /** A router as the operator should read it: "192.168.2.12 (this host)" or "(node2)", "peer 192.168.2.11". */
  who(v: VridState, addr: string | undefined): string {
    if (addr === undefined) return 'nobody';
    const r = v.routers.get(addr) ?? this.t.siblings(v).find((o) => o.routers.has(addr))?.routers.get(addr);
    // On a node's own capture (--ssh, a bundle) "this host" is that node: say which.
    if (r?.local) return `${addr} (${this.clocks.nodeOf(v.segment) ?? 'this host'})`;
    const group = [v, ...this.t.siblings(v)];
    return group.some((g) => [...g.routers.values()].some((x) => x.local)) ? `peer ${addr}` : addr;
  }

  /**
   * The router on another segment that is the same node as `r` (seen on `from`): this host's own
   * router, or — in a two-node cluster where this host is known on both segments — the one peer.
   * On another node's capture (--ssh, a bundle) "this host" is that node, so the two swap: the
   * capturing node's own router there is the peer here, and the other way round. Undefined when
   * the wire cannot tell.
   */
  sameNode(r: RouterState, other: VridState, from?: VridState): RouterState | undefined {
    const here = [...other.routers.values()];
    const peers = here.filter((x) => !x.local);
    const mine = here.find((x) => x.local);
    if (from !== undefined && !this.clocks.sameClock(from.segment, other.segment)) {
      const there = [...from.routers.values()];
      const twoNodes = there.some((x) => x.local) && there.filter((x) => !x.local).length === 1 && mine !== undefined && peers.length === 1;
      if (!twoNodes) return undefined;
      return r.local ? peers[0] : mine;
    }
    if (r.local) return mine;
    return mine !== undefined && peers.length === 1 ? peers[0] : undefined;
  }
}

export function ifaceOf(segment: string): string {
  return segment.includes('/') ? segment.slice(segment.lastIndexOf('/') + 1) : segment;
}

export function downOf(r: RouterState): bigint {
  return masterDownNs(r.version, r.intervalCs, r.priority || 1);
}

export function maxDown(v: VridState, e: Episode): bigint {
  return e.routers.map((a) => v.routers.get(a)).reduce((m, r) => (r && downOf(r) > m ? downOf(r) : m), 0n);
}

/** Two or more routers advertised as master at once for longer than a hand-over. */
export function isSplit(v: VridState, e: Episode, now: bigint): boolean {
  const dur = (e.end ?? now) - e.start;
  return dur > maxDown(v, e) && e.routers.filter((a) => (e.adverts[a] ?? 0) >= 3).length >= 2;
}

/** A router "advertises steadily" in an episode when it sent at least this share of the adverts its interval implies. */
const STEADY_SHARE = 0.6;

export function steadyIn(v: VridState, e: Episode, addr: string, now: bigint): boolean {
  const r = v.routers.get(addr);
  if (!r) return false;
  const iv = intervalNs(r.intervalCs);
  if (iv === 0n) return false;
  const expected = Number((e.end ?? now) - e.start) / Number(iv);
  return (e.adverts[addr] ?? 0) >= Math.max(3, expected * STEADY_SHARE);
}

export { claimingRouters };

/** Durations as every view writes them (src/views/time-format.ts): "50ms", "3.6s", "240s". */
export function secs(ns: bigint): string {
  const s = Number(ns) / 1e9;
  return s >= 100 ? `${Math.round(s)}s` : durationText(s);
}

export function fmtTime(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return '??:??:??.???';
  return new Date(ms).toISOString().slice(11, 23);
}

export function fmtSpan(a: bigint, b: bigint | undefined): string {
  return `${fmtTime(a)}–${b === undefined ? 'now' : fmtTime(b)}`;
}

export const MIN = 60_000_000_000n;

/**
 * A count taken from one of the model's bounded lists: "at least N" once the list has let go of
 * entries (DroppedEntries), for the list then holds the newest part of the story, not all of it.
 */
export function atLeast(n: number, dropped: number): string {
  return dropped > 0 ? `at least ${n}` : String(n);
}

export function maxInWindow(ts: readonly bigint[], window: bigint): number {
  let best = 0;
  for (let i = 0, j = 0; i < ts.length; i++) {
    while (ts[i]! - ts[j]! > window) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export function pct(n: number): string {
  return `${Math.round(n * 100)} %`;
}
