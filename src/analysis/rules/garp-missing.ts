// Cause: a new master that announced nothing — no gratuitous ARP (IPv4) or unsolicited neighbour
// advert (IPv6) for its virtual IPs within 6 s of taking over. Neighbours and switches keep sending
// to the old MAC until their caches expire. Only judged where the capture carries ARP/NA at all.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { fmtTime } from '../rule-context.js';

export const garpMissing: Rule = {
  code: C.garpMissing,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v) || !ctx.t.counters.arpSegments.has(v.segment)) continue;
      for (const g of v.garpMissing) {
        out.push(
          ctx.finding(
            C.garpMissing,
            'cause',
            S.warning,
            v,
            `${ctx.where(v)}: new master ${ctx.who(v, g.router)} sent no ${v.family === 4 ? 'gratuitous ARP' : 'unsolicited neighbour advert'} for ${g.vips.join(', ')} after taking over — neighbours keep sending to the old MAC`,
            [`took over at ${fmtTime(g.since)}; nothing from its MAC within 6 s`],
            ['Check garp_master_delay / garp_master_repeat and the vrrp_garp_* settings, and that nothing filters ARP (arptables, ebtables, the switch).'],
            g.since,
            g.since,
          ),
        );
      }
    }
    return out;
  },
};
