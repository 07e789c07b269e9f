// Wiring for --metrics: the exporter reads whatever model the running mode feeds (a replay, a
// stream, live capture, the dashboard's), through the adapter, at scrape time.

import type { HostSet } from '../host/host-evidence.js';
import type { AdvertLedger } from '../host/advert-ledger.js';
import { linkInstances } from '../host/correlate.js';
import { Timeline } from '../model/timeline.js';
import { snapshotModel } from '../views/metrics/model-snapshot.js';
import type { MetricsServer } from '../views/metrics/metrics-server.js';
import type { CaptureInputHealth, MetricsFeed } from '../views/metrics/vrrp-metrics.js';
import { withHost } from './host-analysis.js';
import type { MetricsArgs } from './metrics-args.js';

export type ModelRef = { readonly timeline: Timeline; readonly ledger: AdvertLedger; readonly host: HostSet | undefined };

const EMPTY = new Timeline();

export function modelFeed(model: () => ModelRef | undefined, capture: () => readonly CaptureInputHealth[]): MetricsFeed {
  return {
    snapshot() {
      const m = model();
      if (!m) return snapshotModel(EMPTY, []);
      const findings = withHost(m.timeline, m.ledger, m.host);
      return snapshotModel(m.timeline, findings, m.host ? linkInstances(m.timeline, m.host) : []);
    },
    capture,
  };
}

/** Starts the exporter and says where it is; throws a one-line error when it cannot listen. */
export async function serveMetrics(args: MetricsArgs, feed: MetricsFeed, warn: (m: string) => void): Promise<MetricsServer> {
  // prom-client is loaded only when metrics are served (start-up of every other run).
  const { startMetricsServer } = await import('../views/metrics/metrics-server.js');
  const s = await startMetricsServer(args.listen, feed, args.expireNs);
  warn(`metrics on ${s.url}`);
  return s;
}

/** Resolves on SIGINT / SIGTERM / SIGHUP (the exporter serves until then). */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const sigs = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const done = (): void => {
      for (const s of sigs) process.removeListener(s, done);
      resolve();
    };
    for (const s of sigs) process.on(s, done);
  });
}
