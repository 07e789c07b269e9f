// Header: what is being read, the capture clock, what was counted, and the replay state.

import type { DashboardViewModel } from './view-model.js';
import type { PanelCtx } from './panel.js';
import { seg, type Line } from './text.js';

const STATE_TEXT = { loading: 'LOADING', playing: 'PLAYING', paused: 'PAUSED', end: 'END', live: 'LIVE' } as const;

export function header(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const r = vm.replay;
  const w = ctx.width;
  const crit = vm.findings.filter((f) => f.severity === 'critical').length;
  const warn = vm.findings.filter((f) => f.severity === 'warning').length;
  const verdict = crit + warn === 0 ? seg(vm.rows.length ? ' HEALTHY ' : r.state === 'loading' ? ' reading… ' : ' NO VRRP ', { fg: 'green', bold: true, inverse: true }) : seg(` ${crit} CRIT ${warn} WARN `, { fg: crit ? 'red' : 'yellow', bold: true, inverse: true });
  const clock = `${vm.clock} UTC`;
  const name = 'vrrpscope  ';
  const src = vm.source.length > w - name.length - clock.length - 2 ? vm.source.slice(0, Math.max(0, w - name.length - clock.length - 3)) + '~' : vm.source;
  const line1: Line = [seg(name, { bold: true }), seg(src, { fg: 'cyan' }), seg(' '.repeat(Math.max(1, w - name.length - src.length - clock.length))), seg(clock, { bold: true })];
  const c = vm.counts;
  const counts = w >= 110 ? `packets ${c.packets}  adverts ${c.adverts}  GARP/NA ${c.garps}  malformed ${c.malformed}  dropped ${c.dropped}` : `pkts ${c.packets} adv ${c.adverts} garp ${c.garps} bad ${c.malformed}${c.dropped ? ` drop ${c.dropped}` : ''}`;
  const line2: Line = [
    seg(` ${STATE_TEXT[r.state]} `, { inverse: true, bold: true }),
    seg(` ${r.position} ${r.speed}  `),
    verdict,
    seg(`  ${counts}`),
    ...(vm.filter ? [seg(`  filter "${vm.filter}" ${vm.rows.length}/${vm.totalRows}`, { fg: 'yellow', bold: true })] : []),
  ];
  return [line1, line2];
}
