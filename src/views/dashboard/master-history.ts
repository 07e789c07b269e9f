// Master history: per VRID a band across the visible window, one letter per router that was
// master (A, B, … in order of appearance, coloured too), with marks: a split brain is every
// master's letter in turn on red ("ABAB", opened by '!'), '|' a master change, 'x' an advert gap
// past master-down, '.' no master, blank before the VRID was seen.

import { routerStyle } from './badges.js';
import type { PanelCtx } from './panel.js';
import { fit, seg, titleLine, type Line, type Style } from './text.js';
import { labelWidth, vridLabeler } from '../segment-name.js';
import type { BandVM, DashboardViewModel } from './view-model.js';

export function bandCells(band: BandVM, spanS: number, width: number): string[] {
  const cells = new Array<string>(width).fill(' ');
  if (width <= 0 || spanS <= 0) return cells;
  const col = (t: number): number => Math.min(width - 1, Math.max(0, Math.floor((t / spanS) * width)));
  for (const s of band.spans) {
    const a = col(s.startS);
    const b = Math.max(a, Math.ceil((s.endS / spanS) * width) - 1);
    for (let i = a; i <= Math.min(b, width - 1); i++) cells[i] = s.letter ?? '.';
  }
  // Two masters at once: both letters, alternating, so the band says who (and '!' where it began).
  band.splits.forEach((s, k) => {
    const who = band.splitLetters[k] ?? [];
    const a = col(s.startS);
    for (let i = a; i <= col(s.endS); i++) {
      if (cells[i] === ' ') continue;
      cells[i] = i === a || who.length < 2 ? '!' : `${who[(i - a) % who.length]}!`;
    }
  });
  for (const t of band.changes) cells[col(t)] = '|';
  for (const t of band.gaps) cells[col(t)] = 'x';
  return cells;
}

function cellStyle(c: string): Style | undefined {
  if (c === '!' || c.endsWith('!')) return { fg: 'white', bg: 'red', bold: true };
  if (c === '|') return { bold: true };
  if (c === 'x') return { fg: 'yellow', bold: true };
  if (c === '.') return { fg: 'gray' };
  if (c >= 'A' && c <= 'Z') return routerStyle(c);
  return undefined;
}

export function masterHistory(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const w = ctx.width;
  const out: Line[] = [titleLine('Master history', w, ctx.theme, ctx.focused, `window ${vm.window.label}  +/- zoom`)];
  const labelW = labelWidth(ctx.screenWidth ?? w, vm.rows) + 1;
  const bw = Math.max(1, w - labelW - 1);
  const room = Math.max(1, ctx.height - 3);
  const start = Math.max(0, vm.selected >= room ? vm.selected - room + 1 : 0);
  const shown = vm.rows.slice(start, start + room);
  const labelOf = vridLabeler(vm.rows, labelW - 1);
  for (const r of shown) {
    const cells = bandCells(r.band, vm.window.spanS, bw);
    const line: Seg[] = [seg(fit(labelOf(r), labelW), r === vm.rows[vm.selected] ? { bold: true, inverse: true } : { bold: true }), seg(' ')];
    // Runs of one style share a segment ("A!" is letter A inside a split: drawn as A on red).
    let run = '';
    let runStyle: Style | undefined;
    let runKey = '';
    for (const c of cells) {
      const key = c.endsWith('!') ? '!' : c;
      if (run && runKey !== key) {
        line.push(seg(run, runStyle));
        run = '';
      }
      if (!run) {
        runKey = key;
        runStyle = cellStyle(c);
      }
      run += c.length > 1 ? c[0] : c;
    }
    if (run) line.push(seg(run, runStyle));
    out.push(line);
  }
  if (vm.rows.length === 0) out.push([seg(' (nothing to draw)', { fg: 'gray' })]);
  const axis = ' '.repeat(labelW + 1) + vm.window.startLabel;
  out.push([seg(axis + ' '.repeat(Math.max(1, w - axis.length - vm.window.endLabel.length)) + vm.window.endLabel, { fg: 'gray' })]);
  const sel = vm.rows[vm.selected];
  if (sel) {
    const legend: Seg[] = [seg(fit(labelOf(sel), labelW) + ' ', { bold: true })];
    for (const l of sel.legend) legend.push(seg(l.letter, routerStyle(l.letter)), seg(` ${l.address}${l.local ? '*' : ''}  `));
    // The marks' key only where it fits whole (the help overlay has it too).
    const used = legend.reduce((n, x) => n + x.text.length, 0);
    const marks: Seg[] = [seg('!AB', cellStyle('!')), seg(' both master  '), seg('|', cellStyle('|')), seg(' change  '), seg('x', cellStyle('x')), seg(' gap>down  . none')];
    const full = marks.reduce((n, x) => n + x.text.length, 0);
    if (used + full <= w) legend.push(...marks);
    else if (used + 15 <= w) legend.push(...marks.slice(0, 2));
    out.push(legend);
  }
  return out.slice(0, ctx.height);
}

type Seg = Line[number];
