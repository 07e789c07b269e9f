// Cause: adverts whose checksum is wrong under every variant (v2 message, v3 pseudo-header, v3
// message only) — the peers drop them, unless the capture was taken on the sender before offload.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';

export const badChecksum: Rule = {
  code: C.badChecksum,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids)
      for (const r of v.routers.values())
        if (r.badChecksum > 0)
          out.push(ctx.finding(C.badChecksum, 'cause', S.warning, v, `${ctx.where(v)}: ${r.badChecksum} advert(s) from ${ctx.who(v, r.address)} have a checksum that is wrong under every variant`, [`checksum variant otherwise: ${r.checksumVariant ?? 'none'}`], ['If the capture is taken on the sending host, checksum offload can leave it unfilled; otherwise the peers will drop these adverts.'], r.firstSeen, r.lastAdvert));
    return out;
  },
};
