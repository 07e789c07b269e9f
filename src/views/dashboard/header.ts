// Header: what is being read, the capture clock, what was counted, and the replay state.

import type { DashboardViewModel } from './view-model.js';
import type { PanelCtx } from './panel.js';
import { seg, type Line } from './text.js';

const STATE_TEXT = { loading: 'LOADING', playing: 'PLAYING', paused: 'PAUSED', end: 'END', live: 'LIVE' } as const;

export function header(vm: DashboardViewModel, ctx: PanelCtx): Line[] {
  const r = vm.replay;
  const crit = vm.findings.filter((f) => f.severity === 'critical').length;
  const warn = vm.findings.filter((f) => f.severity === 'warning').length;
  const verdict = crit + warn === 0 ? seg(vm.rows.length ? ' HEALTHY ' : ' NO VRRP ', { fg: 'green', bold: true }) : seg(` ${crit} CRIT ${warn} WARN `, { fg: 'white', bg: crit ? 'red' : 'yellow', bold: true });
  const state = seg(` ${STATE_TEXT[r.state]} `, { inverse: true, bold: true });
  const line1: Line = [
    seg('vrrpscope ', { bold: true }),
    seg(vm.source, { fg: 'cyan' }),
    seg(`  ${vm.clock} UTC  `),
    state,
    seg(` ${r.position}  speed ${r.speed}`),
  ];
  const c = vm.counts;
  const counts = ctx.width >= 100 ? `packets ${c.packets}  adverts ${c.adverts}  GARP/NA ${c.garps}  malformed ${c.malformed}  dropped ${c.dropped}` : `pkts ${c.packets} adv ${c.adverts} garp ${c.garps} bad ${c.malformed} drop ${c.dropped}`;
  const line2: Line = [verdict, seg(`  ${counts}  `), seg(`window ${vm.window.label}`, { fg: 'gray' }), ...(vm.filter ? [seg(`  filter "${vm.filter}" ${vm.rows.length}/${vm.totalRows}`, { fg: 'yellow', bold: true })] : [])];
  return [line1, line2];
}
