// VRID table: one row per segment + VRID — unhealthy first unless the stable order was asked for
// (`o`) — with a text badge for its state, the master (every master, in a split brain), the other
// routers, timers and how often mastership changed. The VRID is never cut: segment names shrink
// (segment-name.ts), and so do addresses, from the middle, never the priority beside them.

import { statusStyle } from './badges.js';
import type { PanelCtx } from './panel.js';
import { age, fit, right, seg, titleLine, type Line } from './text.js';
import { labelWidth, shortSegment, vridLabeler, withPriority } from '../segment-name.js';
import { intervalText } from '../time-format.js';
import type { ClaimVM, DashboardViewModel, VridRowVM } from './view-model.js';

type Columns = { label: number; master: number; backups: number; vips: number; instance: number; timers: boolean; per10: boolean; flap: boolean };

/** Columns that fit: the wide ones drop out first on narrow screens; the master takes what is left. */
function columns(width: number, rows: readonly VridRowVM[]): Columns {
  const timers = width >= 76;
  const per10 = width >= 76;
  // Below 110 columns the flaps are left to the master-changes pane ("1f"): the masters need the room.
  const flap = width >= 110;
  const label = labelWidth(width, rows);
  const fixed = 1 + label + 1 + 11 + 1 + (timers ? 17 : 0) + 5 + (per10 ? 5 : 0) + (flap ? 5 : 0);
  const instance = width >= 180 && rows.some((r) => r.instance !== undefined) ? 30 : 0;
  const vips = width >= 180 ? 28 : 0;
  const backups = width >= 180 ? 34 : width >= 140 ? 34 : width >= 110 ? 22 : 0;
  const extra = (backups ? backups + 1 : 0) + (vips ? vips + 1 : 0) + (instance ? instance + 1 : 0);
  const master = Math.max(14, Math.min(width >= 110 ? 36 : 30, width - fixed - extra));
  return { label, master, backups, vips, instance, timers, per10, flap };
}

export function vridTable(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const w = ctx.width;
  const c = columns(w, vm.rows);
  const order = vm.order === 'stable' ? 'stable order' : 'problems first';
  const out: Line[] = [titleLine('VRIDs', w, ctx.theme, ctx.focused, vm.filter ? `filter: ${vm.filter}` : `${vm.rows.length}, ${order} (o)`)];
  const head =
    ` ${fit('SEG/VRID', c.label)} ${fit('STATE', 11)} ${fit('MASTER (PRIO)', c.master)}` +
    (c.backups ? ` ${fit(c.instance ? 'BACKUPS' : 'BACKUPS / INSTANCE', c.backups)}` : '') +
    (c.vips ? ` ${fit('VIPS', c.vips)}` : '') +
    (c.instance ? ` ${fit('KEEPALIVED INSTANCE', c.instance)}` : '') +
    (c.timers ? ` ${right('INT', 5)} ${right('LAST/DOWN', 10)}` : '') +
    ` ${right('CHG', 4)}` +
    (c.per10 ? ` ${right('/10m', 4)}` : '') +
    (c.flap ? ` ${right('FLAP', 4)}` : '');
  out.push([seg(head, { bold: true, underline: true })]);
  const room = Math.max(0, ctx.height - 2);
  if (vm.rows.length === 0) {
    out.push([seg(vm.totalRows ? ' (no VRID matches the filter)' : ' (no VRRP advertisements yet)', { fg: 'gray' })]);
    return out;
  }
  // Keep the selected row in view.
  const start = Math.max(0, vm.selected >= room ? vm.selected - room + 1 : 0);
  const labelOf = vridLabeler(vm.rows, c.label);
  for (let i = start; i < Math.min(vm.rows.length, start + room); i++) out.push(row(vm.rows[i]!, i === vm.selected, c, w, labelOf));
  return out;
}

/** Shortens an address from the middle to `n` characters (an IPv6 address keeps both ends). */
export function shortAddress(a: string, n: number): string {
  return shortSegment(a, n);
}

/**
 * "192.168.2.12 (100)"; in a split brain every master: "192.168.2.12+.11 (100)". Addresses shrink
 * from the middle to fit; the priorities never do.
 */
export function mastersText(ms: readonly ClaimVM[], width: number): string {
  if (ms.length === 0) return '-';
  const prios = [...new Set(ms.map((m) => m.priority))];
  const prio = ` (${prios.length === 1 ? prios[0] : ms.map((m) => m.priority).join('/')})`;
  const first = ms[0]!.address;
  const sep = first.includes(':') ? ':' : '.';
  const prefix = commonPrefix(ms.map((m) => m.address), sep);
  const names = ms.map((m, i) => `${i > 0 && prefix && m.address.startsWith(prefix) ? sep + m.address.slice(prefix.length) : m.address}${m.local ? '*' : ''}`);
  const full = names.join('+') + prio;
  if (full.length <= width) return full;
  if (ms.length > 1) {
    const counted = `${ms.length} masters${prio}`;
    const room = width - prio.length - names.slice(1).join('+').length - 1;
    if (room >= 8) return `${shortAddress(names[0]!, room)}+${names.slice(1).join('+')}${prio}`;
    return counted.length <= width ? counted : counted.slice(0, width);
  }
  return withPriority(names[0]!, prios[0]!, width);
}

/**
 * "10.0.0.2 (90), 10.0.0.3 (80)" in `width`: when they do not all fit, as many as do and "+N", each
 * address shortened from the middle before its priority is touched.
 */
export function fitRouters(list: readonly string[], width: number): string {
  if (list.length === 0) return '-';
  const all = list.join(', ');
  if (all.length <= width || width <= 0) return all;
  const shrink = (x: string, w: number): string => {
    const m = /^(\S+)( \(\d+\).*)$/.exec(x);
    return m && w - m[2]!.length >= 6 ? shortSegment(m[1]!, w - m[2]!.length) + m[2] : x.slice(0, Math.max(0, w));
  };
  for (let n = list.length; n >= 1; n--) {
    const more = n < list.length ? ` +${list.length - n}` : '';
    const head = list.slice(0, n - 1).join(', ');
    const room = width - more.length - (head ? head.length + 2 : 0);
    const lastFull = list[n - 1]!;
    if (lastFull.length <= room) return `${head ? head + ', ' : ''}${lastFull}${more}`;
    if (n === 1) return shrink(lastFull, room) + more;
  }
  return all.slice(0, width);
}

/** The longest prefix all addresses share, ending at a separator ("192.168.2.", "fe80::5054:ff:"). */
export function commonPrefix(as: readonly string[], sep: string): string {
  if (as.length < 2) return '';
  let p = as[0]!;
  for (const a of as) while (!a.startsWith(p)) p = p.slice(0, -1);
  return p.slice(0, p.lastIndexOf(sep) + 1);
}

function row(r: VridRowVM, selected: boolean, c: Columns, w: number, labelOf: (r: VridRowVM) => string): Line {
  const sel = selected ? { inverse: true } : undefined;
  const master = mastersText(r.masters, c.master);
  const last = r.lastAdvertAgeS === undefined ? '-' : `${age(r.lastAdvertAgeS)}/${age(r.downS)}`;
  const late = r.lastAdvertAgeS !== undefined && r.downS !== undefined && r.lastAdvertAgeS > r.downS;
  const backups = fitRouters([...(c.instance === 0 && r.instance !== undefined ? [`[${r.instance}]`] : []), ...r.backups], c.backups);
  const line: Line = [
    seg(selected ? '>' : ' ', sel),
    seg(fit(labelOf(r), c.label), { ...sel, bold: true }),
    seg(' ', sel),
    seg(fit(r.status, 11), statusStyle(r.status)),
    seg(` ${fit(master, c.master)}`, r.masters.length > 1 ? { ...sel, bold: true } : sel),
    ...(c.backups ? [seg(` ${fit(backups, c.backups)}`, sel)] : []),
    ...(c.vips ? [seg(` ${fit(r.vips.join(' ') || '-', c.vips)}`, sel)] : []),
    ...(c.instance ? [seg(` ${fit(r.instance ?? '-', c.instance)}`, sel)] : []),
    ...(c.timers ? [seg(` ${right(r.intervalS === undefined ? '-' : intervalText(Math.round(r.intervalS * 100)), 5)} `, sel), seg(right(last + (late ? '!' : ''), 10), late ? { fg: 'red', bold: true } : sel)] : []),
    seg(` ${right(String(r.changes), 4)}`, sel),
    ...(c.per10 ? [seg(` ${right(String(r.changesPer10Min), 4)}`, sel)] : []),
    ...(c.flap ? [seg(` ${right(String(r.flapsPer10Min), 4)}`, r.flapping ? { ...sel, fg: 'red', bold: true } : sel)] : []),
  ];
  const used = line.reduce((n, s) => n + s.text.length, 0);
  return used < w ? [...line, seg(' '.repeat(w - used), sel)] : line;
}
