// Cause: adverts with TTL / hop limit other than 255 — receivers must discard them (RFC 3768 §7.1,
// RFC 5798 §5.1.1.3): something routes or rewrites VRRP between the nodes.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';

export const badTtl: Rule = {
  code: C.badTtl,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids)
      for (const r of v.routers.values())
        if (r.badTtl > 0 && !r.unicast)
          out.push(ctx.finding(C.badTtl, 'cause', S.warning, v, `${ctx.where(v)}: ${r.badTtl} advert(s) from ${ctx.who(v, r.address)} arrived with ${v.family === 4 ? 'TTL' : 'hop limit'} ${r.ttl}, not 255 — receivers must discard them (RFC 5798 §5.1.1.3)`, [`last TTL ${r.ttl}`], ['Something routes or rewrites the adverts (a router between the nodes, a tunnel, an iptables TTL rule): VRRP must stay on one link.'], r.firstSeen, r.lastAdvert));
    return out;
  },
};
