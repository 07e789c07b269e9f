// Flap frequency: master changes per VRID inside the visible window, as bars scaled to counts (one
// cell a change, so one change is not a full bar; scaled down only when the largest does not fit),
// with the flaps (returns to an earlier master) beside them. Red only where the analysis says the
// VRID flaps: a clean failover is one calm bar.

import type { PanelCtx } from './panel.js';
import { fit, right, seg, titleLine, type Line } from './text.js';
import { labelWidth, vridLabeler } from '../segment-name.js';
import type { DashboardViewModel } from './view-model.js';

export function flapFrequency(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const w = ctx.width;
  const out: Line[] = [titleLine('Master changes', w, ctx.theme, ctx.focused, ctx.width >= 40 ? `in ${vm.window.label}` : '')];
  const labelW = labelWidth(ctx.screenWidth ?? w, vm.rows) + 1;
  const numW = 12;
  const barW = Math.max(1, w - labelW - numW - 1);
  const max = Math.max(1, ...vm.rows.map((r) => r.windowChanges));
  const room = Math.max(1, ctx.height - 1);
  const start = Math.max(0, vm.selected >= room ? vm.selected - room + 1 : 0);
  const labelOf = vridLabeler(vm.rows, labelW - 1);
  for (const r of vm.rows.slice(start, start + room)) {
    const n = max <= barW ? r.windowChanges : Math.max(r.windowChanges > 0 ? 1 : 0, Math.round((r.windowChanges / max) * barW));
    const hot = r.flapping;
    out.push([
      seg(fit(labelOf(r), labelW), r === vm.rows[vm.selected] ? { bold: true, inverse: true } : { bold: true }),
      seg(' '),
      seg((ctx.theme.unicode ? '█' : '#').repeat(n), hot ? { fg: 'red' } : { fg: 'cyan' }),
      seg(' '.repeat(barW - n)),
      seg(`${right(String(r.windowChanges), 4)} chg`, hot ? { bold: true } : undefined),
      seg(`${right(String(r.flapsPer10Min), 3)}f`, hot ? { fg: 'red', bold: true } : { fg: 'gray' }),
    ]);
  }
  if (vm.rows.length === 0) out.push([seg(' -', { fg: 'gray' })]);
  return out.slice(0, ctx.height);
}
