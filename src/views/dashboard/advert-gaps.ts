// Advert gaps of the selected VRID: the master's inter-advert intervals over the window against
// the master-down threshold (a bar chart, or one sparkline row when space is short), the figures,
// and a histogram of gaps in multiples of the advertised interval.

import type { PanelCtx } from './panel.js';
import { secs, seg, titleLine, type Line } from './text.js';
import { labelWidth, vridLabeler } from '../segment-name.js';
import type { DashboardViewModel, GapsVM } from './view-model.js';

const EIGHTHS_U = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const EIGHTHS_A = [' ', '_', '_', '.', '.', '-', '-', '=', '#'];

/** Largest gap per column (undefined where no advert arrived). */
export function gapColumns(g: GapsVM, spanS: number, width: number): (number | undefined)[] {
  const cols = new Array<number | undefined>(width).fill(undefined);
  for (const p of g.points) {
    const i = Math.min(width - 1, Math.max(0, Math.floor((p.t / spanS) * width)));
    cols[i] = Math.max(cols[i] ?? 0, p.gapS);
  }
  return cols;
}

export function advertGaps(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const w = ctx.width;
  const g = vm.gaps;
  const sel = vm.rows[vm.selected];
  const label = sel ? vridLabeler(vm.rows, labelWidth(ctx.screenWidth ?? w, vm.rows))(sel) : (g?.label ?? '');
  const out: Line[] = [titleLine('Advert gaps', w, ctx.theme, ctx.focused, label)];
  if (!g) return [...out, [seg(' select a VRID', { fg: 'gray' })]];
  const chartH = Math.max(1, ctx.height - 3);
  const cols = gapColumns(g, vm.window.spanS, w);
  const top = Math.max(g.downS * 1.25, ...cols.map((c) => c ?? 0), 0.001);
  const steps = ctx.theme.unicode ? EIGHTHS_U : EIGHTHS_A;
  const downRow = Math.min(chartH - 1, Math.floor((g.downS / top) * chartH));
  for (let row = chartH - 1; row >= 0; row--) {
    const line: Line[number][] = [];
    for (const c of cols) {
      const over = c !== undefined && c > g.downS;
      let ch: string;
      if (c === undefined) ch = ' ';
      else {
        const level = (c / top) * chartH - row;
        ch = level >= 1 ? steps[8]! : level <= 0 ? ' ' : steps[Math.max(1, Math.round(level * 8))]!;
      }
      if (chartH === 1 && over) ch = '!';
      if (ch === ' ' && row === downRow && chartH > 1) line.push(seg('-', { fg: 'red' }));
      else line.push(seg(ch, over ? { fg: 'red', bold: true } : { fg: 'green' }));
    }
    out.push(merge(line));
  }
  const stats = `int ${secs(g.intervalS)}  down ${secs(g.downS)}${chartH > 1 ? ' (---)' : ''}  max ${secs(g.maxGapS)}  late ${g.late}  >down ${g.overDown}`;
  out.push([seg(stats, g.overDown ? { fg: 'red', bold: true } : undefined)]);
  out.push(histogramLine(g, w));
  return out.slice(0, ctx.height);
}

/** "x int: <0.5:0 0.5-0.9:0 0.9-1.1:37 …" — counts by gap / interval. */
export function histogramLine(g: GapsVM, w: number): Line {
  const total = g.histogram.reduce((n, b) => n + b.count, 0) || 1;
  const wide = w >= 70;
  const parts: Line[number][] = [seg('gap/int ', { fg: 'gray' })];
  g.histogram.forEach((b, i) => {
    if (!wide && b.count === 0) return;
    const hot = i >= 5 && b.count > 0;
    const bar = wide ? '#'.repeat(Math.round((b.count / total) * 4)) : '';
    parts.push(seg(`${b.label}:`, { fg: 'gray' }), seg(`${b.count}${bar ? ' ' + bar : ''} `, hot ? { fg: 'red', bold: true } : undefined));
  });
  return parts;
}

function merge(line: Line[number][]): Line {
  const out: Line[number][] = [];
  for (const s of line) {
    const last = out[out.length - 1];
    if (last && JSON.stringify(last.style) === JSON.stringify(s.style)) out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}

