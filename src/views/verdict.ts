// The one-line verdict, in the same words for the report, the HTML page and the Markdown ticket.

import type { Finding } from '../analysis/finding.js';

export type Verdict = { readonly level: 'critical' | 'warning' | 'ok' | 'none'; readonly text: string };

export function verdictOf(vrids: number, findings: readonly Finding[]): Verdict {
  const crit = findings.filter((f) => f.severity === 'critical').length;
  const warn = findings.filter((f) => f.severity === 'warning').length;
  if (crit + warn > 0) return { level: crit > 0 ? 'critical' : 'warning', text: `${crit} critical, ${warn} warning finding(s)` };
  return vrids > 0 ? { level: 'ok', text: 'healthy — no warning or critical finding' } : { level: 'none', text: 'no VRRP seen' };
}
