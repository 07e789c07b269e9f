// main.ts's hook for live capture (no -r): the text modes run here, the dashboard gets a live
// source (live-dashboard.ts).

import type { Mode, Options } from './args.js';
import { liveProblem, runLive } from './live.js';
import { BundleWriter } from '../bundle/bundle-writer.js';

export type Lines = { write(line: string): void; flush(): void };

export async function liveMain(opts: Options, mode: Mode, out: Lines, warn: (m: string) => void): Promise<number> {
  let bundle: BundleWriter | undefined;
  if (opts.bundle !== undefined) {
    // No bundle directory for a capture that cannot start.
    const problem = liveProblem(opts.live);
    if (problem !== undefined) {
      warn(problem);
      return 2;
    }
    try {
      bundle = new BundleWriter(opts.bundle, 'vrrpscope (live capture)');
    } catch (e) {
      warn((e as Error).message);
      return 2;
    }
  }
  if (mode === 'dashboard') {
    const { runLiveDashboard } = await import('./live-dashboard.js');
    return runLiveDashboard(opts.live, out, warn, opts.host, opts.metrics, bundle);
  }
  const code = await runLive(opts.live, mode, { out: (l) => out.write(l), warn }, opts.host, opts, opts.metrics, bundle);
  out.flush();
  return code;
}
