// Header: what is being read, the capture clock, what was counted, the replay state, and a banner
// line with the worst problem and its fix in the cause finding's words.

import { severityBadge, severityStyle } from './badges.js';
import type { DashboardViewModel } from './view-model.js';
import type { PanelCtx } from './panel.js';
import { seg, type Line } from './text.js';
import { labelWidth, vridLabeler } from '../segment-name.js';

const STATE_TEXT = { loading: 'LOADING', playing: 'PLAYING', paused: 'PAUSED', end: 'END', live: 'LIVE', stream: 'STREAM' } as const;

export const HEADER_ROWS = 3;

export function header(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const r = vm.replay;
  const w = ctx.width;
  const crit = vm.verdict.critical;
  const warn = vm.verdict.warning;
  const verdict = crit + warn === 0 ? seg(vm.rows.length ? ' HEALTHY ' : r.state === 'loading' ? ' reading… ' : ' NO VRRP ', { fg: 'green', bold: true, inverse: true }) : seg(` ${crit} CRIT ${warn} WARN `, { fg: crit ? 'red' : 'yellow', bold: true, inverse: true });
  const clock = `${vm.clock} UTC`;
  const name = 'vrrpscope  ';
  const src = vm.source.length > w - name.length - clock.length - 2 ? vm.source.slice(0, Math.max(0, w - name.length - clock.length - 3)) + '~' : vm.source;
  const line1: Line = [seg(name, { bold: true }), seg(src, { fg: 'cyan' }), seg(' '.repeat(Math.max(1, w - name.length - src.length - clock.length))), seg(clock, { bold: true })];
  const c = vm.counts;
  const counts = w >= 110 ? `packets ${c.packets}  adverts ${c.adverts}  GARP/NA ${c.garps}  malformed ${c.malformed}  dropped ${c.dropped}` : `pkts ${c.packets} adv ${c.adverts} garp ${c.garps} bad ${c.malformed}${c.dropped ? ` drop ${c.dropped}` : ''}`;
  const where = [r.position, r.speed].filter(Boolean).join(' ');
  const line2: Line[number][] = [
    seg(` ${STATE_TEXT[r.state]} `, { inverse: true, bold: true }),
    seg(where ? ` ${where}  ` : ' '),
    ...(r.note ? [seg(`${r.note}  `, r.note.startsWith('input closed') ? { fg: 'yellow', bold: true } : undefined)] : []),
    verdict,
    // The counts are the first thing to go when the line is short: the state and verdict matter more.
    seg(`  ${counts}`),
  ];
  if (vm.filter) line2.splice(line2.length - 1, 0, seg(`  filter "${vm.filter}" ${vm.rows.length}/${vm.totalRows}`, { fg: 'yellow', bold: true }));
  return [line1, line2, bannerLine(vm, w)];
}

/** "CRIT eth0/51 SPLIT-BRAIN: adverts seen on eth1 but not … — check the firewall on eth0" in one line. */
export function bannerLine(vm: DashboardViewModel, w: number): Line {
  const b = vm.banner;
  if (b.severity === 'none') return [seg(` ${b.what}`, { fg: 'gray' })];
  if (b.severity === 'ok') return [seg(' OK ', { fg: 'green', bold: true, inverse: true }), seg(` ${b.what}`, { fg: 'green' })];
  const badge = ` ${severityBadge[b.severity]} `;
  const what = b.where ? `${vridLabeler(vm.rows, labelWidth(w, vm.rows))(b.where)} ${b.where.status}` : b.what;
  const more = b.more > 0 ? `  (+${b.more} more)` : '';
  const room = w - badge.length - 1 - what.length - 2 - more.length;
  // The whole message when it fits, else just its fix ("check the firewall on eth0").
  const text = b.message.length <= room ? b.message : b.fix.length <= room ? b.fix : b.fix.slice(0, Math.max(0, room - 1)) + '~';
  return [seg(badge, { ...severityStyle(b.severity), inverse: true }), seg(` ${what}`, { bold: true }), seg(`: ${text}`, { bold: true }), seg(more, { fg: 'gray' })];
}
