// main.ts's hook for live capture (no -r): the text modes run here, the dashboard gets a live
// source (live-dashboard.ts).

import type { Mode, Options } from './args.js';
import { runLive } from './live.js';

export type Lines = { write(line: string): void; flush(): void };

export async function liveMain(opts: Options, mode: Mode, out: Lines, warn: (m: string) => void): Promise<number> {
  if (mode === 'dashboard') {
    const { runLiveDashboard } = await import('./live-dashboard.js');
    return runLiveDashboard(opts.live, out, warn, opts.host, opts.metrics);
  }
  const code = await runLive(opts.live, mode, { out: (l) => out.write(l), warn }, opts.host, opts, opts.metrics);
  out.flush();
  return code;
}
