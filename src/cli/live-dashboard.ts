// The dashboard on live interfaces: the same dashboard as a replay, fed by a LiveSource (packets
// with their interface as segment, plus ticks so silence shows without packets).

import type { HostArgs } from './args.js';
import type { MetricsArgs } from './metrics-args.js';
import type { LiveArgs } from './live-args.js';
import { liveProblem } from './live.js';
import type { Lines } from './live-main.js';
import type { BundleWriter } from '../bundle/bundle-writer.js';

export async function runLiveDashboard(args: LiveArgs, out: Lines, warn: (m: string) => void, hostArgs?: HostArgs, metrics?: MetricsArgs, bundle?: BundleWriter): Promise<number> {
  const problem = liveProblem(args);
  if (problem !== undefined) {
    warn(problem);
    return 2;
  }
  out.flush();
  const { runDashboard } = await import('./dashboard-app.js');
  const label = args.interfaces.length > 0 ? `live: ${args.interfaces.join(', ')}` : 'live: all interfaces';
  const code = await runDashboard({ inputs: [], sourceLabel: label, speed: undefined, live: args, hostArgs, metrics, liveBundle: bundle });
  setTimeout(() => process.exit(code), 100).unref();
  return code;
}
