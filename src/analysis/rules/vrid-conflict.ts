// Two clusters on one VRID: routers whose virtual address sets have nothing in common. They drop
// each other's adverts (keepalived: "received an unexpected ip number count" or an auth failure),
// but a master restarts its advert timer on each of them, so masters go quiet and backups take
// over; both clusters also share the virtual MAC 00:00:5e:00:01:<VRID>. The fix is a VRID of its
// own for one cluster — never "make the configurations agree".

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { fmtTime } from '../rule-context.js';
import { list, partitionEvidence, partitionPairs, routersOf } from './partition-pairs.js';

export const vridConflict: Rule = {
  code: C.vridConflict,
  kind: 'cause',
  run(ctx) {
    return partitionPairs(ctx)
      .filter((p) => p.primary === 'conflict')
      .map((p) => {
        const { a, b } = p;
        const later = b.firstSeen >= a.firstSeen ? b : a;
        const cluster = (v: typeof a): string => `${list(routersOf(v).map((r) => ctx.who(v, r.address)))} (${v.signature.vips.length === 1 ? 'VIP' : 'VIPs'} ${v.signature.vips.join(', ')})`;
        const changes = a.changes + b.changes; // counted whole (transitions keeps the newest)
        const mac = `00:00:5e:00:0${a.family === 6 ? 2 : 1}:${a.vrid.toString(16).padStart(2, '0')}`;
        return ctx.finding(
          C.vridConflict,
          'cause',
          S.critical,
          a,
          `VRID ${a.vrid}${a.family === 6 ? ' (IPv6)' : ''} on ${a.segment} is used by two clusters: ${cluster(a)} and ${cluster(b)} — give one of them another VRID`,
          [
            partitionEvidence(ctx, a, (r) => `priority ${r.priority}`),
            partitionEvidence(ctx, b, (r) => `priority ${r.priority}`),
            `each drops the other cluster's adverts, but a master restarts its advert timer on every one of them, so masters go quiet and backups take over: ${changes} change(s) of master while both were on the wire`,
            `both use the virtual MAC ${mac}`,
            `${cluster(later)} appeared later, at ${fmtTime(later.firstSeen)}`,
          ],
          [
            `Change virtual_router_id of one cluster — e.g. the one of ${list(routersOf(later).map((r) => r.address))} — to a VRID no other cluster uses on ${a.segment}, on every node of that cluster. Do not try to make the two configurations agree: they are different clusters.`,
          ],
          p.from,
          p.to,
        );
      });
  },
};
