// Series "as Prometheus would have scraped them": a recording goes through the model packet by
// packet, and every `stepS` seconds of packet time the exporter's metrics are sampled (the model
// ticked to that moment first, as live capture's clock does). For promtool rule tests.

import { Registry, type RegistryContentType } from 'prom-client';
import { readInputs } from '../../src/capture/read-inputs.js';
import { segmentOf } from '../../src/model/segment.js';
import { captureEnd } from '../../src/cli/analyze-captures.js';
import { withHost } from '../../src/cli/host-analysis.js';
import { Timeline } from '../../src/model/timeline.js';
import { AdvertLedger } from '../../src/host/advert-ledger.js';
import { linkInstances } from '../../src/host/correlate.js';
import type { HostEvidence } from '../../src/host/host-evidence.js';
import { snapshotModel } from '../../src/views/metrics/model-snapshot.js';
import { VrrpMetrics } from '../../src/views/metrics/vrrp-metrics.js';

export type SampledSeries = Map<string, (number | undefined)[]>;

/** `host`: keepalived / firewall evidence beside the wire (as --keepalived-* and --firewall give it). */
export async function sampleRecording(path: string, names: ReadonlySet<string>, extra: Record<string, string>, host?: HostEvidence, stepS = 1): Promise<{ series: SampledSeries; steps: number }> {
  const t = new Timeline();
  const ledger = new AdvertLedger();
  const registry = new Registry<RegistryContentType>();
  const metrics = new VrrpMetrics(registry, { snapshot: () => snapshotModel(t, withHost(t, ledger, host), host ? linkInstances(t, host) : []), capture: () => [{ name: 'lab', up: true, frames: t.counters.packets, dropped: 0 }] });
  const series: SampledSeries = new Map();
  let step = 0;
  let next: bigint | undefined;
  const stepNs = BigInt(stepS * 1e9);
  const sample = async (): Promise<void> => {
    metrics.update();
    for (const m of await registry.getMetricsAsJSON()) {
      if (!names.has(m.name)) continue;
      for (const v of m.values) {
        const labels = { ...v.labels, ...extra } as Record<string, string | number>;
        const key = `${m.name}{${Object.entries(labels).filter(([, x]) => x !== '').map(([k, x]) => `${k}=${JSON.stringify(String(x))}`).join(',')}}`;
        let list = series.get(key);
        if (!list) series.set(key, (list = []));
        list[step] = v.value;
      }
    }
    step++;
  };
  const packets: { p: Parameters<typeof segmentOf>[0]; segment: string }[] = [];
  const reports = await readInputs([{ label: undefined, path }], (p) => void packets.push({ p, segment: segmentOf(p, false) }), () => {});
  for (const { p, segment } of packets) {
    if (next === undefined) next = p.ts + stepNs;
    while (p.ts > next) {
      t.apply({ kind: 'tick', ts: next });
      await sample();
      next += stepNs;
    }
    if (host) ledger.add(p, segment);
    t.apply({ kind: 'packet', segment, packet: p });
  }
  // Up to the recording's end (pcapng isb_endtime): the silence at the end is part of it.
  const end = packets.length ? captureEnd(reports, packets[packets.length - 1]!.p.ts) : 0n;
  for (; next !== undefined && next <= end; next += stepNs) {
    t.apply({ kind: 'tick', ts: next });
    await sample();
  }
  return { series, steps: step };
}

/**
 * promtool's input_series values: one per step; where a series left the scrape, `stale` (what
 * Prometheus records then, so it is not looked back at for 5 min), then `_` (no sample).
 */
export function promtoolValues(v: readonly (number | undefined)[], steps: number): string {
  const out: string[] = [];
  for (let i = 0; i < steps; i++) out.push(v[i] !== undefined ? String(v[i]) : i > 0 && v[i - 1] !== undefined ? 'stale' : '_');
  return out.join(' ');
}
