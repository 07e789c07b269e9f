// Flap frequency: master changes per VRID inside the visible window, as bars, with the changes
// per 10 minutes and the flaps (returns to an earlier master) beside them.

import type { PanelCtx } from './panel.js';
import { fit, right, seg, titleLine, type Line } from './text.js';
import type { DashboardViewModel } from './view-model.js';

export function flapFrequency(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const w = ctx.width;
  const out: Line[] = [titleLine('Master changes', w, ctx.theme, ctx.focused, ctx.width >= 40 ? `in ${vm.window.label}` : '')];
  const labelW = Math.min(12, Math.max(7, ...vm.rows.map((r) => r.label.length + 1)));
  const numW = 12;
  const barW = Math.max(1, w - labelW - numW - 1);
  const max = Math.max(1, ...vm.rows.map((r) => r.windowChanges));
  const room = Math.max(1, ctx.height - 1);
  const start = Math.max(0, vm.selected >= room ? vm.selected - room + 1 : 0);
  for (const r of vm.rows.slice(start, start + room)) {
    const n = Math.round((r.windowChanges / max) * barW);
    const hot = r.flapsPer10Min > 0 || r.changesPer10Min >= 3;
    out.push([
      seg(fit(r.label, labelW), r === vm.rows[vm.selected] ? { bold: true, inverse: true } : { bold: true }),
      seg(' '),
      seg((ctx.theme.unicode ? '█' : '#').repeat(n), hot ? { fg: 'red' } : { fg: 'cyan' }),
      seg(' '.repeat(barW - n)),
      seg(`${right(String(r.windowChanges), 4)} chg`, hot ? { bold: true } : undefined),
      seg(`${right(String(r.flapsPer10Min), 3)}f`, r.flapsPer10Min ? { fg: 'red', bold: true } : { fg: 'gray' }),
    ]);
  }
  if (vm.rows.length === 0) out.push([seg(' -', { fg: 'gray' })]);
  return out.slice(0, ctx.height);
}
