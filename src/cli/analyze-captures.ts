// Captures in, timeline and findings out: the replay pipeline without the process around it, so
// the CLI and the tests run exactly the same code.

import { readInputs, type InputReport } from '../capture/read-inputs.js';
import type { CaptureInput } from '../capture/capture-source.js';
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import { analyze } from '../analysis/analyze.js';
import { sortFindings, type Finding } from '../analysis/finding.js';
import { AdvertLedger } from '../host/advert-ledger.js';
import { correlateAll, linkInstances, type InstanceLink } from '../host/correlate.js';
import { hostsOf, type HostSet } from '../host/host-evidence.js';
import type { Transition, VridState } from '../model/model-types.js';
import { segmentOf } from '../model/segment.js';
import { Timeline } from '../model/timeline.js';

export type AnalysisHooks = {
  /** Every decoded packet with its segment, before the model sees it. */
  readonly onPacket?: (p: Packet, segment: string) => void;
  /** Every master change as the model decides it. */
  readonly onTransition?: (v: VridState, t: Transition) => void;
  readonly warn: (message: string) => void;
  /** Skip the model (for --packets). */
  readonly decodeOnly?: boolean;
  /** What is known about the host beside the wire (keepalived, firewall). */
  readonly host?: HostSet;
  /** Every frame with its input's name, before decoding (--bundle). */
  readonly onFrame?: (f: Frame, input: string) => void;
};

export type Analysis = { readonly timeline: Timeline; readonly findings: Finding[]; readonly reports: InputReport[]; readonly instances: InstanceLink[] };

export async function analyzeCaptures(inputs: readonly CaptureInput[], hooks: AnalysisHooks): Promise<Analysis> {
  const labelled = new Set(inputs.filter((i) => i.label !== undefined).map((i) => i.label!));
  const timeline = new Timeline();
  const ledger = new AdvertLedger();
  const onPacket = (p: Packet): void => {
    const segment = segmentOf(p, labelled.has(p.input));
    hooks.onPacket?.(p, segment);
    if (hooks.decodeOnly) return;
    if (hooks.host) ledger.add(p, segment);
    timeline.apply({ kind: 'packet', segment, packet: p });
    if (hooks.onTransition) for (const { vrid, t } of timeline.newTransitions) hooks.onTransition(vrid, t);
    timeline.newTransitions.length = 0;
  };
  const reports = await readInputs(inputs, onPacket, hooks.warn, hooks.onFrame);
  if (hooks.decodeOnly) return { timeline, findings: [], reports, instances: [] };
  // A pcapng file says when its capture stopped: silence up to then is part of the evidence.
  const end = captureEnd(reports, timeline.now);
  if (end > timeline.now) timeline.apply({ kind: 'tick', ts: end });
  return { timeline, findings: withHost(timeline, ledger, hooks.host), reports, instances: hooks.host ? linkInstances(timeline, hooks.host) : [] };
}

/** The wire's findings, plus the host's when there is host evidence. */
export function withHost(timeline: Timeline, ledger: AdvertLedger, host: HostSet | undefined): Finding[] {
  const findings = notBlind(analyze(timeline), host);
  return hostsOf(host).length > 0 ? sortFindings([...findings, ...correlateAll(timeline, ledger, host!)]) : findings;
}

/** Findings that rest on silence, which a node's lost capture also makes. */
const SILENCE: ReadonlySet<string> = new Set(['master-silent', 'no-master', 'flapping', 'master-change']);
/** A blind spot covers this much after it, too: a master's silence is judged over its master-down interval. */
const BLIND_GRACE_NS = 5_000_000_000n;

/** Drops silence findings on a node's segments that overlap a time its capture was not running. */
export function notBlind(findings: Finding[], host: HostSet | undefined): Finding[] {
  const spots = hostsOf(host).filter((h) => h.scope !== undefined && (h.blind?.length ?? 0) > 0);
  if (spots.length === 0) return findings;
  return findings.filter((f) => {
    if (!SILENCE.has(f.code) || f.segment === undefined) return true;
    const h = spots.find((x) => f.segment!.startsWith(`${x.scope}/`));
    return !h?.blind!.some((b) => f.lastSeen >= b.from && (b.to === undefined || f.firstSeen <= b.to + BLIND_GRACE_NS));
  });
}

/** The latest plausible capture end (pcapng isb_endtime) at or after the last packet, within a day. */
export function captureEnd(reports: readonly InputReport[], last: bigint): bigint {
  const day = 86_400_000_000_000n;
  let end = 0n;
  for (const r of reports) for (const i of r.interfaces) for (const e of i.endNs) if (e >= last && e - last < day && e > end) end = e;
  return end;
}
