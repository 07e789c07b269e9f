// One host's evidence or several nodes', without the parsers behind them: a capture read with no
// host evidence never loads those (start-up).

import type { HostEvidence } from './host-evidence.js';

/** One host's evidence, or one per node (each with its `scope`). */
export type HostSet = HostEvidence | readonly HostEvidence[];

export function hostsOf(h: HostSet | undefined): readonly HostEvidence[] {
  return h === undefined ? [] : Array.isArray(h) ? (h as readonly HostEvidence[]) : [h as HostEvidence];
}
