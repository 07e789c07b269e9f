// `--json`: NDJSON lines of the output's own types (json-types.ts).

import { kindOf, type Finding } from '../analysis/finding.js';
import { claimingRouters } from '../model/virtual-router.js';
import type { Transition, VridState } from '../model/model-types.js';
import type { InstanceLink } from '../host/correlate.js';
import type { Timeline } from '../model/timeline.js';
import { JSON_SCHEMA, type JsonFinding, type JsonSummary, type JsonTransition } from './json-types.js';
import type { ReportInput } from './report.js';
import { isoTime } from './time-format.js';
import { compareVrids, summarizeVrid } from './vrid-summary.js';
import { inertJson } from '../util/inert.js';

export function jsonTransition(v: VridState, t: Transition): JsonTransition {
  return { type: 'transition', time: isoTime(t.ts), segment: v.segment, vrid: v.vrid, family: v.family, from: t.from ?? null, to: t.to ?? null, reason: t.reason, evidence: t.evidence, part: v.part };
}

export function jsonFinding(f: Finding): JsonFinding {
  return {
    type: 'finding',
    code: f.code,
    severity: f.severity,
    kind: kindOf(f),
    causedBy: f.causedBy ?? null,
    part: f.key !== undefined ? Number(f.key.slice(f.key.lastIndexOf('|') + 1)) : null,
    segment: f.segment ?? null,
    vrid: f.vrid ?? null,
    family: f.family ?? null,
    message: f.message,
    evidence: f.evidence,
    advice: f.advice,
    firstSeen: isoTime(f.firstSeen),
    lastSeen: isoTime(f.lastSeen),
  };
}

export function jsonSummary(t: Timeline, findings: readonly Finding[], inputs: readonly (ReportInput & { format: string | undefined })[], exitStatus: number, instances: readonly InstanceLink[] = []): JsonSummary {
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  return {
    type: 'summary',
    schema: JSON_SCHEMA,
    start: t.first !== undefined ? isoTime(t.first) : null,
    end: t.first !== undefined ? isoTime(t.now) : null,
    inputs: inputs.map((i) => ({ name: i.name, format: i.format ?? null, frames: i.frames, error: i.error ?? null })),
    packets: t.counters.packets,
    adverts: t.counters.adverts,
    gratuitous: t.counters.garps,
    malformed: t.counters.malformed,
    ...(t.droppedAdverts > 0 ? { untracked: { vrids: t.droppedVrids, routers: t.droppedRouters, adverts: t.droppedAdverts } } : {}),
    vrids: [...t.vrids.values()].sort(compareVrids).map((v) => {
      const s = summarizeVrid(v, findings, t.now);
      const inst = instances.find((l) => l.vrid === v);
      return {
        ...(inst ? { keepalived: { instance: inst.name, syncGroup: inst.syncGroup ?? null, state: inst.state ?? null, wantState: inst.wantState ?? null, counters: inst.counters ?? null } } : {}),
        segment: v.segment,
        vrid: v.vrid,
        family: v.family,
        part: v.part,
        partition: v.label || null,
        master: v.master ?? null,
        masters: claimingRouters(v).map((r) => r.address),
        splitBrains: v.splitBrains.slice(-20).map((e) => ({ start: isoTime(e.start), end: e.end !== undefined ? isoTime(e.end) : null, routers: e.routers, outcome: e.outcome ? { kind: e.outcome.kind, loser: e.outcome.loser, winner: e.outcome.winner ?? null, why: e.outcome.why } : null })),
        state: s.status,
        routers: [...v.routers.values()].map((r) => ({
          address: r.address,
          macs: r.macs,
          priority: r.priority,
          intervalSeconds: r.intervalCs / 100,
          version: r.version,
          virtualAddresses: r.vips,
          adverts: r.adverts,
          lastAdvert: isoTime(r.lastAdvert),
          thisHost: r.local,
          role: r.role,
          delivery: { received: r.delivery.received, missing: r.delivery.missing },
        })),
        adverts: v.adverts,
        maxGapSeconds: Number(v.maxGapNs) / 1e9,
        masterDownSeconds: s.masterDownNs !== undefined ? Number(s.masterDownNs) / 1e9 : null,
        changes: v.changes,
        changesPer10Min: s.changesPer10Min,
        flapFrequency: s.flaps,
      };
    }),
    findings: { critical: count('critical'), warning: count('warning'), info: count('info') },
    exitStatus,
  };
}

/** One NDJSON line: JSON.stringify, then made inert (see inertJson): every --json line is written through this. */
export function jsonLine(v: unknown): string {
  return inertJson(JSON.stringify(v));
}
