// The dashboard on live interfaces. Placeholder until dashboard-app.ts takes a live source.

import type { LiveArgs } from './live-args.js';

export async function runLiveDashboard(_args: LiveArgs, warn: (m: string) => void): Promise<number> {
  warn('the live dashboard is not wired yet; use --report, --json or --packets with live capture');
  return 2;
}
