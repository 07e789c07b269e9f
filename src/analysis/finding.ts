// A finding: what is wrong (or worth knowing), where, since when, why we think so, what to do.
// Codes are stable: scripts and docs/findings.md rely on them.

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
  interfaceNames: 'interface-names',
  dumpTime: 'dump-time',
} as const;
export type FindingCode = (typeof FindingCode)[keyof typeof FindingCode];

export type Finding = {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly segment: string | undefined;
  readonly vrid: number | undefined;
  readonly family: 4 | 6 | undefined;
  readonly message: string;
  readonly evidence: readonly string[];
  readonly advice: readonly string[];
  readonly firstSeen: bigint;
  readonly lastSeen: bigint;
  /** A cause (what to fix), a symptom (what it looks like; causedBy names the cause's code) or info. */
  readonly kind?: 'cause' | 'symptom' | 'info';
  readonly causedBy?: string;
};

export function sortFindings(fs: Finding[]): Finding[] {
  return fs.sort(
    (a, b) =>
      severityRank[a.severity] - severityRank[b.severity] ||
      (a.segment ?? '').localeCompare(b.segment ?? '') ||
      (a.vrid ?? -1) - (b.vrid ?? -1) ||
      a.code.localeCompare(b.code) ||
      (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0),
  );
}
