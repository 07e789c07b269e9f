// `--metrics [ADDR:]PORT` and `--metrics-expire T`. Without an address the exporter listens on
// loopback only: its series name every router, address and MAC on the segment, so exposing them
// to the network is an explicit choice (`--metrics 0.0.0.0:9688`, `--metrics [::]:9688`).

import { createRequire } from 'node:module';
import type { ListenAddress } from '../views/metrics/metrics-server.js';
import { parseDuration } from './live-args.js';

export type MetricsArgs = { readonly listen: ListenAddress; readonly expireNs: bigint | undefined };

export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** node:net's isIP, required only when an address is given: every run parses these arguments. */
function isIP(host: string): number {
  return (createRequire(import.meta.url)('node:net') as typeof import('node:net')).isIP(host);
}

export function parseMetricsArgs(listen: string | undefined, expire: string | undefined, fail: (message: string) => never): MetricsArgs | undefined {
  if (listen === undefined) {
    if (expire !== undefined) fail('--metrics-expire goes with --metrics');
    return undefined;
  }
  const m = /^(?:(\[[^\]]*\]|[^:]*):)?(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) fail(`--metrics wants [ADDRESS:]PORT (9688, 127.0.0.1:9688, [::1]:9688), not '${listen}'`);
  let host = m[1] ?? '';
  if (host.startsWith('[')) host = host.slice(1, -1);
  if (host === '') host = DEFAULT_METRICS_HOST;
  else if (host !== 'localhost' && isIP(host) === 0) fail(`--metrics: '${host}' is not an IP address (use 0.0.0.0 or [::] for every address)`);
  let expireNs: bigint | undefined;
  if (expire !== undefined) {
    const ms = parseDuration(expire);
    if (ms === undefined) fail(`--metrics-expire wants a time such as 10m or 1h, not '${expire}'`);
    expireNs = BigInt(ms) * 1_000_000n;
  }
  return { listen: { host, port }, expireNs };
}
