// `--metrics`: an HTTP server with /metrics, in OpenMetrics or the Prometheus text format as the
// scraper's Accept header asks. Each format has its own registry (prom-client renders one format
// per registry, and renames counters while rendering OpenMetrics), filled from the same feed.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { collectDefaultMetrics, Registry, type RegistryContentType } from 'prom-client';
import { VrrpMetrics, type MetricsFeed } from './vrrp-metrics.js';

export type ListenAddress = { readonly host: string; readonly port: number };

export type MetricsServer = {
  /** Where it listens, as a URL to /metrics. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
};

type Format = { readonly registry: Registry<RegistryContentType>; readonly metrics: VrrpMetrics };

/** True when the Accept header prefers OpenMetrics over the Prometheus text format. */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain') text = Math.max(text, q);
  }
  return om > 0 && om >= text;
}

export function startMetricsServer(at: ListenAddress, feed: MetricsFeed, expireNs?: bigint): Promise<MetricsServer> {
  const formats = new Map<RegistryContentType, Format>();
  const format = (ct: RegistryContentType): Format => {
    let f = formats.get(ct);
    if (!f) {
      const registry = new Registry<RegistryContentType>();
      registry.setContentType(ct);
      collectDefaultMetrics({ register: registry });
      // Gauges that prom-client names like counters (promtool rejects them); the rest stay.
      for (const n of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(n);
      f = { registry, metrics: new VrrpMetrics(registry, feed, expireNs) };
      formats.set(ct, f);
    }
    return f;
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<html><head><title>vrrpscope</title></head><body><p><a href="/metrics">/metrics</a></p></body></html>\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
      return;
    }
    const f = format(wantsOpenMetrics(req.headers.accept) ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE);
    try {
      f.metrics.update();
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`vrrpscope: ${(e as Error).message}\n`);
      return;
    }
    f.registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': f.registry.contentType }).end(req.method === 'HEAD' ? undefined : body),
      (e: Error) => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`vrrpscope: ${e.message}\n`),
    );
  });
  // Scrapes are short; a stuck client must not keep a socket forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EADDRNOTAVAIL' ? 'no such address on this host' : e.message;
      reject(new Error(`--metrics: cannot listen on ${hostPort(at.host, at.port)} (${why})`));
    });
    server.listen(at.port, at.host, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : at.port;
      resolve({
        url: `http://${hostPort(at.host, port)}/metrics`,
        port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
