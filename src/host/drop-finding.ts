// adverts-dropped-on-host, as one plain sentence: the peer, the interface, the node and the rule
// that decides (the firewall question asked as the wire carried the adverts), with the fix to paste;
// or, when the drop is over, the same in the past tense.

import { firewallAdvice } from '../analysis/advice.js';
import { ifaceOf } from '../analysis/analyze.js';
import { FindingCode as C, type Finding } from '../analysis/finding.js';
import type { VridState } from '../model/model-types.js';
import type { AdvertLedger } from './advert-ledger.js';
import { evaluateVrrpInput, type FirewallVerdict, type VrrpInputQuery } from './firewall/index.js';
import type { HostEvidence } from './host-evidence.js';
import { finding, type InstanceRef, clock } from './host-finding.js';

/**
 * The firewall question for the peer's adverts as the wire carried them: its source, the interface,
 * the destination when they were unicast (this host's address: rules on it, and on the source,
 * decide; multicast goes to 224.0.0.18 / ff02::12, the evaluator's default), AH when they came in it.
 */
export function advertQuery(ledger: AdvertLedger, v: VridState, peer: string, iface: string): VrrpInputQuery {
  const r = v.routers.get(peer);
  const how = ledger.delivery(v.segment, v.vrid, v.family, peer) ?? { dst: r?.dst ?? '', ah: r?.authType === 2 };
  const unicast = how.dst !== '' && !/^(224\.0\.0\.18|ff02::12)$/i.test(how.dst);
  return { src: peer, iface, ...(unicast ? { dst: how.dst } : {}), ...(how.ah && v.family === 4 ? { protocol: 'ah' as const } : {}) };
}

/** Whether the ruleset given surely accepts the peer's adverts (it was read at the end, after any fix). */
export function acceptsNow(ev: HostEvidence, ledger: AdvertLedger, v: VridState, peer: string, iface: string): boolean {
  if (!ev.firewall) return false;
  try {
    const o = evaluateVrrpInput(ev.firewall, advertQuery(ledger, v, peer, iface)).overall;
    return o.verdict === 'accept' && o.confidence === 'certain';
  } catch {
    return false;
  }
}

/** A drop that is over: keepalived counts (or logs) the adverts again, or the peer went quiet and the ruleset accepts it now. */
export type Over = { readonly at: bigint; readonly how: 'counting' | 'quiet' };

/** The finding, its firewall verdict and fix: shared by the counter and the log evidence. */
export function dropFinding(ev: HostEvidence, inst: InstanceRef, v: VridState, ledger: AdvertLedger, peers: Map<string, number>, count: string, evidence: string[], severity: Finding['severity'], from: bigint, to: bigint, onHost: boolean, over?: Over): Finding {
  const iface = inst.interface ?? ifaceOf(v.segment);
  let advice = firewallAdvice(iface);
  let rule = '';
  let accepted = false;
  const peer = [...peers.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (ev.firewall && peer !== undefined) {
    try {
      const verdict = evaluateVrrpInput(ev.firewall, advertQuery(ledger, v, peer, iface)).overall;
      const text = describeVerdict(verdict);
      evidence.push(`firewall (${ev.firewallSource ?? 'ruleset'}): ${text}`);
      for (const r of verdict.reasons.slice(0, 3)) evidence.push(`  ${r}`);
      if (verdict.verdict === 'drop' || verdict.verdict === 'reject') {
        advice = fixAdvice(verdict);
        rule = ruleName(verdict);
      } else if (verdict.verdict === 'accept' && verdict.confidence === 'certain') accepted = true;
      if (accepted) advice = ['The ruleset accepts VRRP on this interface: look at rp_filter, the interface keepalived listens on, and keepalived\'s own rejections in its log (authentication, interval, TTL).'];
    } catch (e) {
      evidence.push(`firewall: could not be judged (${(e as Error).message})`);
    }
  }
  // A `-i any` capture: which index this interface is, and how that was known.
  const mapped = ev.namer?.mappings().find((m) => m.name === ifaceOf(v.segment));
  if (mapped) evidence.push(mapped.how);
  const node = ev.config?.globals.routerId;
  // Over ssh or from a bundle the node is named by its label, as its segments are (node2/eth0).
  const on = ev.scope !== undefined ? `${ev.scope}/${iface}` : `${iface}${node !== undefined && /^[\w.-]{1,64}$/.test(node) ? ` on ${node}` : ''}`;
  const host = ev.scope !== undefined ? ev.scope : 'this host';
  const peerList = [...peers.keys()].map((a) => `peer ${a}`).join(', ');
  if (over !== undefined) {
    // Over: the ruleset given was most likely read after the fix, so it is no evidence of the cause.
    const then = accepted ? `; the ruleset given accepts VRRP on ${iface} now (a rule that dropped them then is gone, or something else on ${host} dropped them)` : rule ? `; ${host}'s firewall still has ${rule}` : '';
    const now = over.how === 'counting' ? `since ${clock(over.at)} it gets them again${then}` : `${[...peers.keys()][0]} has been quiet since ${clock(over.at)} (it yielded, or stopped)${then}`;
    return finding(C.advertsDroppedOnHost, severity, v, `adverts from ${peerList} reached ${on} from ${clock(from)} to ${clock(to)} but keepalived did not get them ${count}; ${now}`, evidence, accepted ? ['Nothing to do now; if the drop comes back, compare the ruleset then with this one.'] : advice, from, to, 'cause');
  }
  const arrive = onHost ? `reach ${on}` : `are on the wire of ${iface} (as captured)`;
  const why = accepted ? `something on ${host} drops them, though its ruleset accepts VRRP on ${iface}` : `${host}'s firewall drops them${rule ? ` — ${rule}` : ''}`;
  return finding(C.advertsDroppedOnHost, severity, v, `adverts from ${peerList} ${arrive} but keepalived never gets them ${count}: ${why}`, evidence, advice, from, to, 'cause');
}

function describeVerdict(v: FirewallVerdict): string {
  const d = v.decidedBy;
  const where = `${d.tool} ${d.table} ${d.chain}`;
  const rule = d.ruleText ? ` rule ${d.ruleNumber ?? d.handle ?? ''} \`${d.ruleText}\``.replace('  ', ' ') : d.policy ? ` policy ${d.policy}` : '';
  const verb = v.verdict === 'drop' ? 'drops it' : v.verdict === 'reject' ? 'rejects it' : v.verdict === 'accept' ? 'accepts it' : 'cannot be judged';
  return `${where}${rule} ${verb}${v.confidence === 'uncertain' ? ' (uncertain)' : ''}${v.managedBy !== d.tool ? `; the rules are managed by ${v.managedBy}` : ''}`;
}

/** The deciding rule in the finding's sentence: `iptables filter INPUT rule 1 \`-A INPUT -i eth0 -p vrrp -j DROP\``. */
function ruleName(v: FirewallVerdict): string {
  const d = v.decidedBy;
  const where = `${d.tool} ${d.table} ${d.chain}`;
  if (d.ruleText) return `${where} rule ${d.ruleNumber ?? d.handle ?? ''}${d.tool === 'nftables' && d.handle !== undefined ? ` (handle ${d.handle})` : ''} \`${d.ruleText}\``.replace('  ', ' ');
  return d.policy ? `the policy ${d.policy} of ${where}` : where;
}

function fixAdvice(v: FirewallVerdict): string[] {
  const f = v.fix;
  const first = v.managedBy === 'firewalld' ? f.firewalld : v.managedBy === 'ufw' ? f.ufw : v.managedBy === 'nftables' ? f.nftables : f.iptables;
  const rest = [f.iptables, f.nftables, f.firewalld, f.ufw].filter((x) => x && x !== first);
  const lines = (prefix: string, text: string): string[] => text.split('\n').map((l, i) => (i === 0 ? `${prefix}${l}` : `    ${l}`));
  return [...lines(`${v.managedBy}: `, first), ...rest.flatMap((x) => lines('or: ', x)), 'On both nodes: each must accept the other\'s adverts.'];
}
