// Cause: a virtual IP announced (gratuitous ARP, ARP reply, unsolicited or solicited NA) by a MAC
// that is neither a router of a VRID that carries the address nor that VRID's virtual MAC — an
// address conflict (a host configured with the VIP) or ARP spoofing. One announcement is enough:
// clients that heard it send the VIP's traffic there.

import type { VipState, VridState } from '../../model/model-types.js';
import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { fmtTime, ifaceOf, type RuleContext } from '../rule-context.js';
import { list } from './partition-pairs.js';

export const vipConflict: Rule = {
  code: C.vipConflict,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const vip of ctx.t.vips.values()) {
      const owners = vridsOf(ctx, vip);
      if (owners.length === 0) continue;
      const known = new Set<string>();
      for (const v of owners) {
        known.add(`00:00:5e:00:0${v.family === 6 ? 2 : 1}:${v.vrid.toString(16).padStart(2, '0')}`);
        for (const g of [v, ...ctx.t.siblings(v)]) for (const r of g.routers.values()) for (const m of r.macs) known.add(m.toLowerCase());
      }
      const foreign = vip.announcers.filter((a) => !known.has(a.mac.toLowerCase()));
      if (foreign.length === 0) continue;
      const v = owners[0]!;
      const routers = owners.flatMap((o) => [...o.routers.values()]);
      const macs = [...new Set(foreign.map((a) => a.mac))];
      const what = (k: string): string => (k === 'garp' ? 'gratuitous ARP' : k === 'na' ? 'unsolicited neighbour advert' : vip.family === 4 ? 'ARP reply' : 'neighbour advert');
      out.push(
        ctx.finding(
          C.vipConflict,
          'cause',
          S.critical,
          v,
          `${vip.address} on ${ifaceOf(vip.segment)} was announced by ${list(macs)}, which is no router of ${ctx.where(v)} — an address conflict or ARP spoofing: clients that heard it send ${vip.address}'s traffic there`,
          [
            ...foreign.slice(0, 6).map((a) => `${fmtTime(a.first)}${a.last !== a.first ? `–${fmtTime(a.last)}` : ''}: ${a.count} × ${what(a.kind)} "${vip.address} is at ${a.mac}"`),
            `the routers of VRID ${v.vrid}: ${routers.map((r) => `${r.address} (${r.macs.join(', ') || 'MAC unknown'})`).join(', ')}`,
          ],
          [
            `Find the host with ${macs[0]}: the switch's MAC address table, or on a node of the segment  ip neigh show ${vip.address}  and  bridge fdb show | grep -i ${macs[0]} ; then remove ${vip.address} from it (a static address, a clone of a node, a second cluster).`,
          ],
          foreign[0]!.first,
          foreign.reduce((m, a) => (a.last > m ? a.last : m), foreign[0]!.last),
        ),
      );
    }
    return out;
  },
};

/** The virtual routers on this VIP's segment and family whose adverts list it. */
export function vridsOf(ctx: RuleContext, vip: VipState): VridState[] {
  return ctx.vrids.filter((v) => v.segment === vip.segment && v.family === vip.family && v.signature.vips.includes(vip.address));
}
