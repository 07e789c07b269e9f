// One row of facts per segment + VRID, shared by the report, the JSON summary and the dashboard.

import type { Finding } from '../analysis/finding.js';
import type { RouterState, VridState } from '../model/model-types.js';
import { compareAddress } from '../model/timeline.js';
import { flapFrequency, type FlapFrequency } from '../model/flap-frequency.js';
import { masterDownNs } from '../model/vrrp-timing.js';
import { compareText } from '../util/compare-text.js';

export const VridStatus = { ok: 'OK', dropped: 'HOST-DROPS', splitBrain: 'SPLIT-BRAIN', flapping: 'FLAPPING', noMaster: 'NO MASTER', silent: 'SILENT', warning: 'WARN', conflict: 'CONFLICT', mismatch: 'MISMATCH' } as const;
export type VridStatus = (typeof VridStatus)[keyof typeof VridStatus];

export type VridSummary = {
  readonly key: string;
  readonly segment: string;
  readonly vrid: number;
  readonly family: 4 | 6;
  /** Partition number and label when the VRID carries several virtual routers ('' otherwise). */
  readonly part: number;
  readonly partLabel: string;
  readonly status: VridStatus;
  readonly master: RouterState | undefined;
  /** Routers other than the master, best first. */
  readonly backups: readonly RouterState[];
  readonly intervalCs: number | undefined;
  readonly masterDownNs: bigint | undefined;
  readonly lastAdvertAgeNs: bigint | undefined;
  readonly maxGapNs: bigint;
  readonly adverts: number;
  readonly changes: number;
  readonly changesPer10Min: number;
  /** Master changes in the last 1 min / 10 min / 1 h of packet time, and in all. */
  readonly flaps: FlapFrequency;
  readonly findings: readonly Finding[];
};

/** Findings about the partitions of one VRID together: they belong to every partition's row. */
const mismatchCodes: ReadonlySet<string> = new Set(['vrid-conflict', 'auth-mismatch', 'version-mismatch', 'interval-mismatch', 'vip-mismatch']);

export function summarizeVrid(v: VridState, findings: readonly Finding[], now: bigint): VridSummary {
  // A finding about one virtual router carries its key; one about the whole VRID (a mismatch) does not.
  const mine = findings.filter((f) => (f.key !== undefined ? f.key === v.key || mismatchCodes.has(f.code) : true) && f.segment === v.segment && f.vrid === v.vrid && (f.family === v.family || f.family === undefined));
  const has = (code: string): boolean => mine.some((f) => f.code === code && f.severity !== 'info');
  const master = v.master !== undefined ? v.routers.get(v.master) : undefined;
  const backups = [...v.routers.values()].filter((r) => r !== master).sort((a, b) => b.priority - a.priority || compareAddress(b.address, a.address));
  const ref = master ?? backups[0];
  const flaps = flapFrequency(v, now);
  const status: VridStatus = has('split-brain')
    ? VridStatus.splitBrain
    : has('adverts-dropped-on-host')
      ? VridStatus.dropped
    : has('vrid-conflict')
      ? VridStatus.conflict
    : [...mismatchCodes].some(has)
      ? VridStatus.mismatch
      : v.master === undefined && v.routers.size > 0
        ? VridStatus.noMaster
        : has('flapping')
          ? VridStatus.flapping
          : has('no-master')
            ? VridStatus.noMaster
            : mine.some((f) => f.severity !== 'info')
              ? VridStatus.warning
              : VridStatus.ok;
  return {
    key: v.key,
    segment: v.segment,
    vrid: v.vrid,
    family: v.family,
    part: v.part,
    partLabel: v.label,
    status,
    master,
    backups,
    intervalCs: ref?.intervalCs,
    masterDownNs: ref ? masterDownNs(ref.version, ref.intervalCs, ref.priority || 1) : undefined,
    lastAdvertAgeNs: master ? now - master.lastAdvert : undefined,
    maxGapNs: v.maxGapNs,
    adverts: v.adverts,
    changes: v.changes,
    changesPer10Min: flaps.last10m,
    flaps,
    findings: mine,
  };
}

/** Stable order: segment, then VRID, then family — rows never jump. */
export function compareVrids(a: { segment: string; vrid: number; family: number; part?: number }, b: { segment: string; vrid: number; family: number; part?: number }): number {
  return compareText(a.segment, b.segment) || a.vrid - b.vrid || a.family - b.family || (a.part ?? 0) - (b.part ?? 0);
}
