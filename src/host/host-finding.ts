// What every host finding shares: the finding record (kind included), the instance it is about,
// whether a router on the wire is this host, and the clock format of the evidence.

import type { Finding } from '../analysis/finding.js';
import type { RouterState, VridState } from '../model/model-types.js';
import type { HostEvidence } from './host-evidence.js';
import type { KeepalivedInstance } from './keepalived/config.js';

export function finding(code: Finding['code'], severity: Finding['severity'], v: VridState | undefined, message: string, evidence: string[], advice: string[], firstSeen: bigint, lastSeen: bigint, kind: Finding['kind'] = 'info'): Finding {
  return { code, severity, segment: v?.segment, vrid: v?.vrid, family: v?.family, message, evidence, advice, firstSeen, lastSeen, kind };
}

export type InstanceRef = { name: string; interface: string | undefined; vrid: number | undefined; family: 4 | 6; syncGroup: string | undefined; conf: KeepalivedInstance | undefined };

export function local(v: VridState, r: RouterState, ev: HostEvidence, inst: InstanceRef): boolean {
  return r.local || ev.localAddresses.has(r.address) || inst.conf?.unicastSrcIp === r.address;
}

export function clock(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(11, 19);
}
