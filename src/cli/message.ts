// The one formatter for messages on stderr: whatever a message quotes (a file name, a line of a
// config, a reason the kernel gave) goes through inertText, so it cannot retitle or recolour the
// terminal; one message is one line.

import { inertText } from '../util/inert.js';

export function message(m: string): string {
  return `vrrpscope: ${inertText(m)}\n`;
}

/** At most this many problems reading host files are printed; the rest are counted. */
export const MAX_HOST_PROBLEMS_SHOWN = 50;

/**
 * Host-file problems for stderr: a run of identical lines once with its count, the first
 * MAX_HOST_PROBLEMS_SHOWN of those, then how many more there were.
 */
export function hostProblemLines(problems: readonly string[]): string[] {
  const runs: string[] = [];
  for (let i = 0; i < problems.length; ) {
    let j = i + 1;
    while (j < problems.length && problems[j] === problems[i]) j++;
    runs.push(j - i > 1 ? `${problems[i]} (${j - i} times)` : (problems[i] as string));
    i = j;
  }
  if (runs.length <= MAX_HOST_PROBLEMS_SHOWN) return runs;
  return [...runs.slice(0, MAX_HOST_PROBLEMS_SHOWN), `… and ${runs.length - MAX_HOST_PROBLEMS_SHOWN} more problems reading the host files (not shown)`];
}
