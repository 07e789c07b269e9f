// Detail view of one VRID (Enter): every router side by side with mismatching settings marked,
// the virtual IPs with their current MAC owner and GARP history, the master history, and the
// VRID's findings with all their evidence and advice.

import { routerStyle, statusStyle } from './badges.js';
import { findingLines } from './findings.js';
import type { PanelCtx } from './panel.js';
import { fit, seg, titleLine, type Line } from './text.js';
import type { DashboardViewModel } from './view-model.js';

export function detailLines(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const d = vm.detail;
  const w = ctx.width;
  if (!d) return [[seg('no VRID selected')]];
  const out: Line[] = [];
  out.push([seg(`VRID ${d.label} `, { bold: true }), seg(` ${d.status} `, statusStyle(d.status)), seg(d.mismatches.length ? `  settings differ: ${d.mismatches.join(', ')}` : '  settings agree', d.mismatches.length ? { fg: 'yellow', bold: true } : { fg: 'green' })]);
  out.push(titleLine('Routers', w, ctx.theme, false, `${d.routers.length}`));
  const nameW = 14;
  const n = Math.max(1, d.routers.length);
  const colW = Math.max(12, Math.floor((w - nameW - 2) / Math.min(n, Math.max(1, Math.floor((w - nameW - 2) / 12)))));
  const perPage = Math.max(1, Math.floor((w - nameW - 2) / colW));
  for (let p = 0; p < d.routers.length; p += perPage) {
    const group = d.routers.slice(p, p + perPage);
    out.push([seg(fit('', nameW + 2)), ...group.flatMap((r) => [seg(r.letter, routerStyle(r.letter)), seg(' ' + fit(r.address, colW - 2) + ' ', { bold: true })])]);
    const names = group[0]?.fields.map((f) => f.name) ?? [];
    for (const name of names) {
      const bad = d.mismatches.includes(name);
      out.push([
        seg(bad ? '!=' : '  ', bad ? { fg: 'yellow', bold: true } : undefined),
        seg(fit(name, nameW), bad ? { fg: 'yellow', bold: true } : { fg: 'gray' }),
        ...group.map((r) => seg(fit(r.fields.find((f) => f.name === name)?.value ?? '', colW), bad ? { fg: 'yellow', bold: true } : undefined)),
      ]);
    }
  }
  out.push(titleLine('Virtual IPs', w, ctx.theme, false, `${d.vips.length}`));
  for (const v of d.vips) {
    out.push([seg(`  ${fit(v.address, Math.max(16, v.address.length))}`, { bold: true }), seg(` owner ${v.owner}  ${v.garps} gratuitous ARP/NA`)]);
    for (const b of v.bursts) out.push([seg(`      ${b}`, { fg: 'gray' })]);
  }
  if (d.vips.length === 0) out.push([seg('  (adverts list none)', { fg: 'gray' })]);
  out.push(titleLine('Master history', w, ctx.theme, false, 'last 20'));
  for (const h of d.history) out.push([seg(`  ${h}`)]);
  out.push(titleLine('Findings', w, ctx.theme, false, `${d.findings.length}`));
  out.push(...findingLines(d.findings, w, true));
  if (d.findings.length === 0) out.push([seg('  none for this VRID', { fg: 'green' })]);
  return out;
}

export function detailPanel(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const lines = detailLines(vm, ctx);
  const scroll = Math.max(0, Math.min(ctx.scroll, lines.length - ctx.height));
  return lines.slice(scroll, scroll + ctx.height);
}
