// The firewall verdict offline, over outputs captured from Debian's iptables-save / ip6tables-save /
// `nft -j list ruleset` in namespaces (tests/fixtures/firewall/generate.sh), plus `--firewall FILE`
// splitting and rulesets the evaluator must call uncertain or unknown.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluateVrrpInput, splitFirewallDump, type FirewallRulesets } from '../src/host/firewall/index.js';

const DIR = fileURLToPath(new URL('../../tests/fixtures/firewall/', import.meta.url));
const read = (f: string): string => readFileSync(DIR + f, 'utf8');

test('incident: VRRP dropped on eth0 by INPUT rule 4, accepted on eth1 (iptables-save and nft JSON agree)', () => {
  const rs: FirewallRulesets = { iptablesSave: read('incident.iptables-save'), nftJson: read('incident.nft.json') };
  const e = evaluateVrrpInput(rs, { src: '192.168.2.12', iface: 'eth0' });
  assert.equal(e.overall.verdict, 'drop');
  assert.equal(e.overall.confidence, 'certain');
  assert.deepEqual(e.overall.decidedBy, { tool: 'iptables', table: 'filter', chain: 'INPUT', ruleNumber: 4, ruleText: '-A INPUT -i eth0 -p vrrp -j DROP' });
  assert.equal(e.overall.fix.iptables, 'iptables -I INPUT 4 -i eth0 -p vrrp -j ACCEPT');
  assert.ok(e.overall.reasons.some((r) => /RELATED,ESTABLISHED.*multicast VRRP is NEW/.test(r)));
  const n = evaluateVrrpInput({ nftJson: rs.nftJson }, { src: '192.168.2.12', iface: 'eth0' }).overall;
  assert.equal(n.verdict, 'drop');
  assert.equal(n.decidedBy.ruleNumber, 4);
  assert.match(n.fix.nftables, /^nft insert rule ip filter INPUT position \d+ iifname "eth0" meta l4proto vrrp accept$/);
  // nft shows the conntrack match only as an opaque xt match, which could accept: uncertain.
  assert.equal(n.confidence, 'uncertain');
  assert.ok(n.reasons.some((r) => /compat match "conntrack"/.test(r)));
  assert.equal(evaluateVrrpInput(rs, { src: '10.1.2.12', iface: 'eth1' }).overall.verdict, 'accept');
});

test('RH-Firewall-1-INPUT: rejected by its last rule over IPv4 and IPv6; eth1 accepted', () => {
  const rs: FirewallRulesets = { iptablesSave: read('rh-firewall.iptables-save'), ip6tablesSave: read('rh-firewall.ip6tables-save') };
  const v4 = evaluateVrrpInput(rs, { src: '192.168.2.12', iface: 'eth0' }).overall;
  assert.equal(v4.verdict, 'reject');
  assert.equal(v4.decidedBy.chain, 'RH-Firewall-1-INPUT');
  assert.equal(v4.decidedBy.ruleNumber, 5);
  assert.equal(v4.fix.iptables, 'iptables -I RH-Firewall-1-INPUT 5 -i eth0 -p vrrp -j ACCEPT');
  const v6 = evaluateVrrpInput(rs, { src: 'fe80::200:5eff:fe00:112', iface: 'eth0' }).overall;
  assert.equal(v6.verdict, 'reject');
  assert.equal(v6.decidedBy.tool, 'ip6tables');
  assert.equal(v6.fix.iptables, 'ip6tables -I RH-Firewall-1-INPUT 5 -i eth0 -p vrrp -j ACCEPT');
  assert.equal(evaluateVrrpInput(rs, { src: 'fe80::1', iface: 'eth1' }).overall.verdict, 'accept');
  assert.equal(evaluateVrrpInput(rs, { src: '10.1.2.12', iface: 'eth1', protocol: 'ah' }).overall.verdict, 'reject', 'AH is not VRRP');
});

test('nft inet: the second input chain (priority 10) drops one peer although the first accepts', () => {
  const rs = { nftJson: read('nft-inet.nft.json') };
  const a = evaluateVrrpInput(rs, { src: '192.168.2.12', iface: 'eth0' }).overall;
  assert.equal(a.verdict, 'accept');
  assert.equal(a.decidedBy.ruleNumber, 5);
  const d = evaluateVrrpInput(rs, { src: '192.168.2.13', iface: 'eth0' }).overall;
  assert.equal(d.verdict, 'drop');
  assert.equal(d.decidedBy.chain, 'audit');
  assert.equal(d.fix.nftables, `nft insert rule inet filter audit position ${d.decidedBy.handle} iifname "eth0" meta l4proto vrrp accept`);
  assert.equal(evaluateVrrpInput(rs, { src: '10.9.9.9', iface: 'eth0' }).overall.verdict, 'drop');
  assert.equal(evaluateVrrpInput(rs, { src: '10.9.9.9', iface: 'eth1', protocol: 'ah' }).overall.verdict, 'accept');
});

test('firewalld on nftables: zone public, firewall-cmd fix with --zone', () => {
  const v = evaluateVrrpInput({ nftJson: read('firewalld-nft.nft.json') }, { src: '192.168.2.12', iface: 'eth0' }).overall;
  assert.equal(v.verdict, 'reject');
  assert.equal(v.managedBy, 'firewalld');
  assert.equal(v.zone, 'public');
  assert.equal(v.confidence, 'certain');
  assert.equal(v.fix.firewalld, `firewall-cmd --permanent --zone=public --add-rich-rule='rule protocol value="vrrp" accept' && firewall-cmd --reload`);
});

test('--firewall FILE: one file with iptables-save, ip6tables-save and nft JSON is split back', () => {
  const text = [read('rh-firewall.iptables-save'), read('rh-firewall.ip6tables-save'), read('rh-firewall.nft.json')].join('\n');
  const rs = splitFirewallDump(text);
  assert.ok(rs.iptablesSave?.includes('icmp-host-prohibited'));
  assert.ok(rs.ip6tablesSave?.includes('icmp6-adm-prohibited'));
  assert.ok(rs.nftJson?.startsWith('{"nftables"'));
  assert.equal(evaluateVrrpInput(rs, { src: '192.168.2.12', iface: 'eth0' }).overall.verdict, 'reject');
});

test('what cannot be judged is said so', () => {
  assert.equal(evaluateVrrpInput({}, { src: '192.168.2.12', iface: 'eth0' }).overall.verdict, 'unknown');
  const bad = evaluateVrrpInput({ nftJson: '{"nftables": [' }, { src: '192.168.2.12', iface: 'eth0' }).overall;
  assert.equal(bad.verdict, 'unknown');
  assert.match(bad.reasons.join('\n'), /nft JSON not readable/);
  const q = evaluateVrrpInput({ iptablesSave: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p vrrp -j NFQUEUE --queue-num 1\nCOMMIT\n' }, { src: '192.168.2.12', iface: 'eth0' }).overall;
  assert.equal(q.verdict, 'unknown');
  const jumpMissing = evaluateVrrpInput({ iptablesSave: '*filter\n:INPUT DROP [0:0]\n-A INPUT -m set --match-set vrrp-peers src -j ACCEPT\nCOMMIT\n' }, { src: '192.168.2.12', iface: 'eth0' }).overall;
  assert.equal(jumpMissing.verdict, 'drop');
  assert.equal(jumpMissing.confidence, 'uncertain');
  assert.match(jumpMissing.reasons.join('\n'), /-m set --match-set vrrp-peers src is not understood/);
  assert.throws(() => evaluateVrrpInput({}, { src: 'peer1', iface: 'eth0' }), /not an IPv4 or IPv6 address/);
});
