// Event log, newest first: master changes with their reasons, priority changes, GARP/NA bursts,
// and the malformed-packet tally.

import type { PanelCtx } from './panel.js';
import { fit, seg, titleLine, type Line, type Style } from './text.js';
import type { DashboardViewModel, EventVM } from './view-model.js';

const KIND: Record<EventVM['kind'], { tag: string; style: Style }> = {
  master: { tag: 'MASTER', style: { fg: 'magenta', bold: true } },
  priority: { tag: 'PRIO', style: { fg: 'yellow' } },
  garp: { tag: 'GARP', style: { fg: 'cyan' } },
  malformed: { tag: 'BAD', style: { fg: 'red' } },
  keepalived: { tag: 'KA', style: { fg: 'green' } },
};

export function eventLog(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const body = Math.max(0, ctx.height - 1);
  const scroll = Math.max(0, Math.min(ctx.scroll, vm.events.length - body));
  const out: Line[] = [titleLine('Events', ctx.width, ctx.theme, ctx.focused, vm.events.length > body ? `${scroll + 1}-${Math.min(vm.events.length, scroll + body)}/${vm.events.length}` : `${vm.events.length}`)];
  const timeW = ctx.width >= 100 ? 12 : 8;
  for (const e of vm.events.slice(scroll, scroll + body)) {
    const k = KIND[e.kind];
    out.push([seg(fit(e.time.slice(0, timeW), timeW) + ' ', { fg: 'gray' }), seg(fit(k.tag, 6) + ' ', k.style), seg(e.where ? `${e.where} ` : '', { bold: true }), seg(e.text)]);
  }
  if (vm.events.length === 0) out.push([seg(' (none yet)', { fg: 'gray' })]);
  return out;
}
