// A finding: what is wrong (or worth knowing), where, since when, why we think so, what to do.
// Codes are stable: scripts and docs/findings.md rely on them.

import { compareText } from '../util/compare-text.js';

export const Severity = { info: 'info', warning: 'warning', critical: 'critical' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export const severityRank: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export const FindingCode = {
  splitBrain: 'split-brain',
  checkFirewall: 'check-firewall',
  flapping: 'flapping',
  masterSilent: 'master-silent',
  noMaster: 'no-master',
  masterChange: 'master-change',
  priorityZero: 'priority-zero',
  priorityChange: 'priority-change',
  intervalMismatch: 'interval-mismatch',
  vipMismatch: 'vip-mismatch',
  authMismatch: 'auth-mismatch',
  versionMismatch: 'version-mismatch',
  vridConflict: 'vrid-conflict',
  badTtl: 'bad-ttl',
  badChecksum: 'bad-checksum',
  garpMissing: 'garp-missing',
  vipMacFlipflop: 'vip-mac-flipflop',
  malformed: 'malformed',
  advertsDroppedOnHost: 'adverts-dropped-on-host',
  configVridUnseen: 'config-vrid-unseen',
  configMismatch: 'config-mismatch',
  unicastPeerSilent: 'unicast-peer-silent',
  configError: 'config-error',
  oneWayVrrp: 'one-way-vrrp',
  advertLoss: 'advert-loss',
  priorityOscillation: 'priority-oscillation',
  masterGone: 'master-gone',
  masterStalled: 'master-stalled',
  vipConflict: 'vip-conflict',
  advertsLate: 'adverts-late',
  interfaceNames: 'interface-names',
  dumpTime: 'dump-time',
} as const;
export type FindingCode = (typeof FindingCode)[keyof typeof FindingCode];

/** A cause says why; a symptom says what happened and names its cause; info is context. */
export type FindingKind = 'cause' | 'symptom' | 'info';

export const kindRank: Record<FindingKind, number> = { cause: 0, symptom: 1, info: 2 };

export type Finding = {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly kind?: FindingKind;
  /** For a symptom: the code of the cause finding that explains it. */
  readonly causedBy?: FindingCode;
  /** The virtual router (VridState key) it is about, when one VRID carries several. */
  readonly key?: string;
  readonly segment: string | undefined;
  readonly vrid: number | undefined;
  readonly family: 4 | 6 | undefined;
  readonly message: string;
  readonly evidence: readonly string[];
  readonly advice: readonly string[];
  readonly firstSeen: bigint;
  readonly lastSeen: bigint;
};

/** Causes before symptoms before info; within each, the most severe first. */
export function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort(
    (a, b) =>
      kindRank[kindOf(a)] - kindRank[kindOf(b)] ||
      severityRank[a.severity] - severityRank[b.severity] ||
      compareText(a.segment ?? '', b.segment ?? '') ||
      (a.vrid ?? -1) - (b.vrid ?? -1) ||
      compareText(a.code, b.code) ||
      (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0),
  );
}

export function kindOf(f: Finding): FindingKind {
  return f.kind ?? (f.severity === 'info' ? 'info' : 'cause');
}
