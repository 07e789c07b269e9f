// Problems reading host files, for a person: a hostile config can make a thousand, so a run of
// identical lines is said once with its count, at most MAX_SHOWN lines, then how many more there were.

export const MAX_SHOWN = 50;

export function summarizeProblems(problems: readonly string[]): string[] {
  const runs: string[] = [];
  for (let i = 0; i < problems.length; ) {
    let j = i + 1;
    while (j < problems.length && problems[j] === problems[i]) j++;
    runs.push(j - i > 1 ? `${problems[i]} (${j - i} times)` : (problems[i] as string));
    i = j;
  }
  if (runs.length <= MAX_SHOWN) return runs;
  return [...runs.slice(0, MAX_SHOWN), `… and ${runs.length - MAX_SHOWN} more problems reading the host files (not shown)`];
}
