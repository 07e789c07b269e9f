// VRID table: one row per segment + VRID, in a stable order (segment, VRID, family), with a text
// badge for its state, the master, the other routers, timers and how often mastership changed.

import { statusStyle } from './badges.js';
import type { PanelCtx } from './panel.js';
import { age, fit, right, seg, titleLine, type Line } from './text.js';
import type { DashboardViewModel, VridRowVM } from './view-model.js';

/** Columns that fit: the wide ones drop out first on narrow screens. */
function columns(width: number): { label: number; master: number; backups: number; timers: boolean; per10: boolean } {
  if (width >= 140) return { label: 14, master: 26, backups: 34, timers: true, per10: true };
  if (width >= 110) return { label: 12, master: 24, backups: 22, timers: true, per10: true };
  return { label: 10, master: 21, backups: 0, timers: width >= 76, per10: width >= 76 };
}

export function vridTable(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const w = ctx.width;
  const c = columns(w);
  const out: Line[] = [titleLine('VRIDs', w, ctx.theme, ctx.focused, vm.filter ? `filter: ${vm.filter}` : `${vm.rows.length}`)];
  const head =
    ` ${fit('SEG/VRID', c.label)} ${fit('STATE', 11)} ${fit('MASTER (PRIO)', c.master)}` +
    (c.backups ? ` ${fit('BACKUPS', c.backups)}` : '') +
    (c.timers ? ` ${right('INT', 4)} ${right('LAST/DOWN', 10)}` : '') +
    ` ${right('CHG', 4)}` +
    (c.per10 ? ` ${right('/10m', 4)} ${right('FLAP', 4)}` : '');
  out.push([seg(head, { bold: true, underline: true })]);
  const room = Math.max(0, ctx.height - 2);
  if (vm.rows.length === 0) {
    out.push([seg(vm.totalRows ? ' (no VRID matches the filter)' : ' (no VRRP advertisements yet)', { fg: 'gray' })]);
    return out;
  }
  // Keep the selected row in view.
  const start = Math.max(0, vm.selected >= room ? vm.selected - room + 1 : 0);
  for (let i = start; i < Math.min(vm.rows.length, start + room); i++) out.push(row(vm.rows[i]!, i === vm.selected, c, w));
  return out;
}

function row(r: VridRowVM, selected: boolean, c: ReturnType<typeof columns>, w: number): Line {
  const sel = selected ? { inverse: true } : undefined;
  const master = r.master === undefined ? '-' : `${r.master}${r.masterLocal ? '*' : ''} (${r.masterPriority})`;
  const last = r.lastAdvertAgeS === undefined ? '-' : `${age(r.lastAdvertAgeS)}/${age(r.downS)}`;
  const late = r.lastAdvertAgeS !== undefined && r.downS !== undefined && r.lastAdvertAgeS > r.downS;
  const line: Line = [
    seg(selected ? '>' : ' ', sel),
    seg(fit(r.label, c.label), { ...sel, bold: true }),
    seg(' ', sel),
    seg(fit(r.status, 11), statusStyle(r.status)),
    seg(` ${fit(master, c.master)}`, sel),
    ...(c.backups ? [seg(` ${fit(r.backups.join(', ') || '-', c.backups)}`, sel)] : []),
    ...(c.timers ? [seg(` ${right(r.intervalS === undefined ? '-' : `${r.intervalS}s`, 4)} `, sel), seg(right(last + (late ? '!' : ''), 10), late ? { fg: 'red', bold: true } : sel)] : []),
    seg(` ${right(String(r.changes), 4)}`, sel),
    ...(c.per10 ? [seg(` ${right(String(r.changesPer10Min), 4)} ${right(String(r.flapsPer10Min), 4)}`, sel)] : []),
  ];
  const used = line.reduce((n, s) => n + s.text.length, 0);
  return used < w ? [...line, seg(' '.repeat(w - used), sel)] : line;
}
