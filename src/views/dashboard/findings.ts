// Findings, most severe first: a text badge (CRIT/WARN/INFO), where, the plain-language message,
// then its first piece of advice (all evidence and advice are in the detail view).

import { severityBadge, severityStyle } from './badges.js';
import type { PanelCtx } from './panel.js';
import { seg, titleLine, type Line } from './text.js';
import { wrapText } from '../wrap-text.js';
import type { DashboardViewModel, FindingVM } from './view-model.js';

export function findingLines(fs: readonly FindingVM[], width: number, full: boolean): Line[] {
  const out: Line[] = [];
  for (const f of fs) {
    const head = `${severityBadge[f.severity]} `;
    const text = `${f.where ? f.where + ' ' : ''}${f.message}`;
    const wrapped = wrapText(text, width - head.length, '');
    wrapped.forEach((l, i) => out.push(i === 0 ? [seg(head, severityStyle(f.severity)), seg(l, f.severity === 'critical' ? { bold: true } : undefined)] : [seg(' '.repeat(head.length) + l)]));
    if (full) for (const e of f.evidence) for (const l of wrapText(`- ${e}`, width - 5, '  ')) out.push([seg('     ' + l, { fg: 'gray' })]);
    const advice = full ? f.advice : f.advice.slice(0, 1);
    for (const a of advice) for (const l of wrapText(`> ${a}`, width - 5, '  ')) out.push([seg('     ' + l, { fg: 'green' })]);
  }
  return out;
}

export function findingsPanel(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const body = Math.max(0, ctx.height - 1);
  // All the evidence when it fits, else the message and first advice of each.
  const full = findingLines(vm.findings, ctx.width, true);
  const lines = full.length <= body ? full : findingLines(vm.findings, ctx.width, false);
  const scroll = Math.max(0, Math.min(ctx.scroll, lines.length - body));
  const more = lines.length > body ? `${scroll + 1}-${Math.min(lines.length, scroll + body)}/${lines.length} lines` : `${vm.findings.length}`;
  const out: Line[] = [titleLine('Findings', ctx.width, ctx.theme, ctx.focused, more)];
  if (vm.findings.length === 0) out.push([seg(' none: no warning or critical finding', { fg: 'green' })]);
  return [...out, ...lines.slice(scroll, scroll + body)];
}
