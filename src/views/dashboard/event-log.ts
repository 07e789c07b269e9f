// Event log, newest first: master changes with their reasons (and the GARP/NA burst the new master
// sent, folded in), priority changes, other GARP/NA bursts, keepalived's log, and the
// malformed-packet tally. An event longer than the pane wraps: a master change is never cut off.

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

export function eventLines(events: readonly EventVM[], width: number): Line[] {
  const timeW = width >= 100 ? 12 : 8;
  const lead = timeW + 1 + 7;
  const out: Line[] = [];
  for (const e of events) {
    const k = KIND[e.kind];
    const body = `${e.where ? `${e.where} ` : ''}${e.text}`;
    const wrapped = width - lead >= 20 ? wrapAtHyphens(body, width - lead, '  ') : [body];
    wrapped.forEach((l, i) => {
      if (i > 0) return void out.push([seg(' '.repeat(lead) + l)]);
      const w = e.where && l.startsWith(`${e.where} `) ? e.where : '';
      out.push([seg(fit(e.time.slice(0, timeW), timeW) + ' ', { fg: 'gray' }), seg(fit(k.tag, 6) + ' ', k.style), seg(w ? `${w} ` : '', { bold: true }), seg(w ? l.slice(w.length + 1) : l)]);
    });
  }
  return out;
}

export function eventLog(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const body = Math.max(0, ctx.height - 1);
  const lines = eventLines(vm.events, ctx.width);
  const scroll = Math.max(0, Math.min(ctx.scroll, lines.length - body));
  const out: Line[] = [titleLine('Events', ctx.width, ctx.theme, ctx.focused, lines.length > body ? `${vm.events.length}, lines ${scroll + 1}-${Math.min(lines.length, scroll + body)}/${lines.length}` : `${vm.events.length}`)];
  out.push(...lines.slice(scroll, scroll + body));
  if (vm.events.length === 0) out.push([seg(' (none yet)', { fg: 'gray' })]);
  return out;
}

/** Word-wrap that may also break after a hyphen ("takeover-while-" / "master-advertising"). */
export function wrapAtHyphens(text: string, width: number, indent: string): string[] {
  const tokens = text.split(/(?<=[ -])/);
  const out: string[] = [];
  let cur = '';
  for (const tok of tokens) {
    if ((cur + tok).trimEnd().length > width && cur.trim()) {
      out.push(cur.trimEnd());
      cur = indent;
    }
    cur += tok;
    while (cur.trimEnd().length > width) {
      out.push(cur.slice(0, width));
      cur = indent + cur.slice(width);
    }
  }
  if (cur.trim()) out.push(cur.trimEnd());
  return out;
}
