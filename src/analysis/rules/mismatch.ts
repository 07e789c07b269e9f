// One cluster that cannot hear itself: the same virtual addresses on one VRID, but a version,
// authentication, VRRPv2 interval or address list that the peers reject (RFC 3768 §7.1, RFC 5798
// §7.1; keepalived vrrp_in_chk). Each side drops the other's adverts and acts as master; a master
// restarts its advert timer on every packet for its VRID, even a rejected one, so the two take
// turns or one goes almost silent while still holding the VIPs. Never flapping, loss or a firewall.

import type { FindingCode } from '../finding.js';
import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { secs, type RuleContext } from '../rule-context.js';
import { authOf, list, nearlySilent, partitionEvidence, partitionPairs, routersOf, type PartitionPair, type Primary } from './partition-pairs.js';
import type { RouterState } from '../../model/model-types.js';

type Spec = { code: FindingCode; primary: Primary; what: (r: RouterState) => string; log: string; advice: string[] };

const specs: Spec[] = [
  {
    code: C.versionMismatch,
    primary: 'version',
    what: (r) => `VRRPv${r.version}`,
    log: "keepalived logs 'wrong version. Received 3 and expect 2' (or the reverse) for each of them",
    advice: ['Set the same VRRP version on every node of the instance: vrrp_version in global_defs, or version in the vrrp_instance; restart keepalived on the node(s) you change.'],
  },
  {
    code: C.authMismatch,
    primary: 'auth',
    what: authOf,
    log: "keepalived logs 'received an invalid passwd!' (or 'received a N auth, expecting M!') and counts auth_failure",
    advice: ['Use the same authentication block (auth_type and auth_pass, of which keepalived compares the first 8 characters) on every node of the instance, then reload keepalived on the node you change.'],
  },
  {
    code: C.intervalMismatch,
    primary: 'interval',
    what: (r) => `every ${secs(BigInt(r.intervalCs) * 10_000_000n)}`,
    log: "keepalived logs 'advertisement interval mismatch mine=… rcv'd=…', but its advert_interval_err counter stays 0: do not trust that counter",
    advice: ['Set the same advert_int on every node of the instance (VRRPv2 routers must discard adverts with another interval, RFC 3768 §7.1).'],
  },
  {
    code: C.vipMismatch,
    primary: 'vips',
    what: (r) => `virtual addresses ${r.vips.join(', ') || '(none)'}`,
    log: "keepalived logs 'received an unexpected ip number count' or 'ip address associated with VRID … not present in MASTER advert'",
    advice: ['Make virtual_ipaddress identical (same addresses, same count) on every node of the instance; keepalived drops adverts whose address list differs.'],
  },
];

function rule(spec: Spec): Rule {
  return {
    code: spec.code,
    kind: 'cause',
    run(ctx) {
      return partitionPairs(ctx)
        .filter((p) => p.primary === spec.primary)
        .map((p) => one(ctx, spec, p));
    },
  };
}

function one(ctx: RuleContext, spec: Spec, p: PartitionPair) {
  const { a, b } = p;
  const sides = [a, b].map((v) => `${list(routersOf(v).map((r) => ctx.who(v, r.address)))} ${spec.primary === 'vips' ? 'lists' : 'sends'} ${spec.what(routersOf(v)[0]!)}`);
  const silent = [a, b].flatMap((v) => nearlySilent(ctx, v).map((r) => ({ v, r })));
  const outcome = p.bothMaster ? 'each drops the other\'s adverts, so both act as master' : 'each drops the other\'s adverts';
  const more = [p.diff.version && spec.primary !== 'version' ? 'version' : '', p.diff.auth && spec.primary !== 'auth' ? 'authentication' : '', p.diff.interval && spec.primary !== 'interval' ? 'interval' : '', p.diff.vips && spec.primary !== 'vips' ? 'virtual addresses' : ''].filter(Boolean);
  const evidence = [
    partitionEvidence(ctx, a, spec.what),
    partitionEvidence(ctx, b, spec.what),
    ...silent.map(({ v, r }) => `${ctx.who(v, r.address)} went almost silent (${r.adverts} advert${r.adverts === 1 ? "" : "s"}) yet keeps announcing the virtual addresses: a master restarts its advert timer on every packet for its VRID, even one it rejects`),
    spec.log,
    ...(more.length ? [`they also differ in: ${more.join(', ')}`] : []),
  ];
  return ctx.finding(
    spec.code,
    'cause',
    p.bothMaster ? S.critical : S.warning,
    a,
    `VRID ${a.vrid}${a.family === 6 ? ' (IPv6)' : ''} on ${a.segment}: ${sides.join(', but ')} — ${outcome}${p.bothMaster ? ' (both hold the virtual IPs)' : ''}`,
    evidence,
    spec.advice,
    p.from,
    p.to,
  );
}

export const versionMismatch = rule(specs[0]!);
export const authMismatch = rule(specs[1]!);
export const intervalMismatch = rule(specs[2]!);
export const vipMismatch = rule(specs[3]!);
