// Captures in, timeline and findings out: the replay pipeline without the process around it, so
// the CLI and the tests run exactly the same code.

import { readInputs, type InputReport } from '../capture/read-inputs.js';
import type { CaptureInput } from '../capture/capture-source.js';
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import type { Finding } from '../analysis/finding.js';
import { AdvertLedger } from '../host/advert-ledger.js';
import type { InstanceLink } from '../host/correlate.js';
import { hostsOf, type HostSet } from '../host/host-set.js';
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
  /** Stops reading (Ctrl-C); the analysis covers what was read. */
  readonly signal?: AbortSignal;
  /** The model before the first packet goes in (for views that read it while input arrives: --metrics). */
  readonly onModel?: (timeline: Timeline, ledger: AdvertLedger) => void;
  /** The input is read and modelled; the analysis comes next (heap-trim.ts). */
  readonly beforeAnalysis?: () => void;
};

export type Analysis = { readonly timeline: Timeline; readonly findings: Finding[]; readonly reports: InputReport[]; readonly instances: InstanceLink[] };

/** Packets modelled in one go (about 1 MB of decoded packets). */
const MODEL_BATCH = 4096;

export async function analyzeCaptures(inputs: readonly CaptureInput[], hooks: AnalysisHooks): Promise<Analysis> {
  // The host's side (its parsers, the correlation) is loaded only when there is host evidence: a
  // capture alone starts faster without a third of the code.
  const withEvidence = hooks.host !== undefined ? await import('./host-analysis.js') : undefined;
  // One host's evidence names `-i any` indexes; several nodes' (a bundle) come with named captures.
  const hosts = hostsOf(hooks.host);
  const single = hosts.length === 1 && hosts[0]!.scope === undefined ? hosts[0] : undefined;
  const segmentFor = withEvidence ? withEvidence.segmenter(inputs, single) : wireSegmenter(inputs);
  if (!hooks.decodeOnly && withEvidence) await withEvidence.learnIndexes(inputs, single);
  const timeline = new Timeline();
  const ledger = new AdvertLedger();
  hooks.onModel?.(timeline, ledger);
  // The model takes packets in batches: decoding a run of frames, then modelling them, keeps each
  // stage's code and data in the CPU's caches (on dense captures a sixth less time). A batch goes
  // in when full and at the latest once the reader's synchronous pass over its chunk ends (a
  // microtask), so a slow stream's packets reach the model, and --json, as soon as they are read.
  const batch: Packet[] = [];
  const segments: string[] = [];
  let queued = false;
  const model = (): void => {
    queued = false;
    for (let i = 0; i < batch.length; i++) {
      timeline.packet(segments[i]!, batch[i]!);
      if (timeline.newTransitions.length === 0) continue;
      if (hooks.onTransition) for (const { vrid, t } of timeline.newTransitions) hooks.onTransition(vrid, t);
      timeline.newTransitions.length = 0;
    }
    batch.length = 0;
    segments.length = 0;
  };
  const onPacket = (p: Packet): void => {
    const segment = segmentFor(p);
    hooks.onPacket?.(p, segment);
    if (hooks.decodeOnly) return;
    if (hooks.host) ledger.add(p, segment);
    batch.push(p);
    segments.push(segment);
    if (batch.length >= MODEL_BATCH) model();
    else if (!queued) {
      queued = true;
      queueMicrotask(model);
    }
  };
  const reports = await readInputs(inputs, onPacket, hooks.warn, hooks.signal, hooks.onFrame);
  model();
  if (hooks.decodeOnly) return { timeline, findings: [], reports, instances: [] };
  hooks.beforeAnalysis?.();
  // A pcapng file says when its capture stopped: silence up to then is part of the evidence.
  const end = captureEnd(reports, timeline.now);
  if (end > timeline.now) timeline.apply({ kind: 'tick', ts: end });
  if (!withEvidence) return { timeline, findings: await wireFindings(timeline), reports, instances: [] };
  for (const h of hosts) withEvidence.settleHost(h, timeline.first !== undefined ? timeline.now : undefined);
  return { timeline, findings: withEvidence.withHost(timeline, ledger, hooks.host), reports, instances: withEvidence.linkInstances(timeline, hooks.host!) };
}

/** Packet → segment for inputs without host evidence. */
export function wireSegmenter(inputs: readonly CaptureInput[]): (p: Packet) => string {
  const labelled = new Set(inputs.filter((i) => i.label !== undefined).map((i) => i.label!));
  return (p) => segmentOf(p, labelled.has(p.input));
}

/**
 * The wire's findings alone (what `withHost` gives when there is no host evidence). The rules are
 * loaded here, once the capture is read: `--packets` never needs them (start-up).
 */
export async function wireFindings(timeline: Timeline): Promise<Finding[]> {
  const [{ analyze }, { NodeClocks }, { sortFindings }] = await Promise.all([import('../analysis/analyze.js'), import('../analysis/node-clocks.js'), import('../analysis/finding.js')]);
  return sortFindings(analyze(timeline, [], new NodeClocks([])));
}

/** The latest plausible capture end (pcapng isb_endtime) at or after the last packet, within a day. */
export function captureEnd(reports: readonly InputReport[], last: bigint): bigint {
  const day = 86_400_000_000_000n;
  let end = 0n;
  for (const r of reports) for (const i of r.interfaces) for (const e of i.endNs) if (e >= last && e - last < day && e > end) end = e;
  return end;
}
