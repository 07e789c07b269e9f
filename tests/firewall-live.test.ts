// The firewall verdict over REAL rulesets: each test builds rules with Debian's iptables /
// ip6tables / nft inside a throwaway network namespace (vsf-…), captures `iptables-save`,
// `ip6tables-save` and `nft -j list ruleset` there, and asks the evaluator about a VRRP advert.
// Needs root and iptables, nftables, iproute2; skips with the reason otherwise.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { evaluateVrrpInput, type FirewallRulesets, type FirewallVerdict, type VrrpInputQuery } from '../src/host/firewall/index.js';

const TOOLS = ['ip', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save', 'nft'];

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'firewall namespace tests need root (ip netns, iptables, nft)';
  const missing = TOOLS.filter((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status !== 0);
  if (missing.length) return `firewall namespace tests need ${missing.join(', ')} (apt-get install iptables nftables iproute2)`;
  const probe = `vsf-probe-${randomBytes(3).toString('hex')}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace here: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

const skip = skipReason();
const RUN = randomBytes(3).toString('hex');
const created: string[] = [];
let seq = 0;

function run(cmd: string, args: readonly string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** A fresh namespace with `script` (sh, one command a line) run inside; returns what the tools print there. */
function rulesetsAfter(script: string, nftFile?: string): FirewallRulesets {
  const ns = `vsf-${RUN}-${++seq}`;
  run('ip', ['netns', 'add', ns]);
  created.push(ns);
  run('ip', ['netns', 'exec', ns, 'sh', '-ec', script]);
  if (nftFile !== undefined) run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], nftFile);
  return {
    iptablesSave: run('ip', ['netns', 'exec', ns, 'iptables-save']),
    ip6tablesSave: run('ip', ['netns', 'exec', ns, 'ip6tables-save']),
    nftJson: run('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset']),
  };
}

const PEER = '192.168.2.12';
const q = (iface: string, extra: Partial<VrrpInputQuery> = {}): VrrpInputQuery => ({ src: PEER, iface, ...extra });
const only = (rs: FirewallRulesets, which: keyof FirewallRulesets): FirewallRulesets => ({ [which]: rs[which] });
const ipt = (rs: FirewallRulesets, query: VrrpInputQuery): FirewallVerdict => evaluateVrrpInput(only(rs, 'iptablesSave'), query).overall;
const nft = (rs: FirewallRulesets, query: VrrpInputQuery): FirewallVerdict => evaluateVrrpInput(only(rs, 'nftJson'), query).overall;
const all = (rs: FirewallRulesets, query: VrrpInputQuery): FirewallVerdict => evaluateVrrpInput(rs, query).overall;
const show = (v: FirewallVerdict): string => JSON.stringify(v, null, 1);

after(() => {
  for (const ns of created) spawnSync('ip', ['netns', 'del', ns]);
});

describe('firewall verdict over real iptables-save output', { skip }, () => {
  test('empty ruleset: accepted, nothing to fix', () => {
    const rs = rulesetsAfter('true');
    for (const v of [ipt(rs, q('eth0')), nft(rs, q('eth0')), all(rs, q('eth0'))]) {
      assert.equal(v.verdict, 'accept', show(v));
      assert.equal(v.confidence, 'certain', show(v));
      assert.equal(v.fix.iptables, '');
    }
  });

  test('policy DROP and no VRRP rule: dropped by the policy', () => {
    const rs = rulesetsAfter(['iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -P INPUT DROP'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.confidence, 'certain');
    assert.deepEqual(v.decidedBy, { tool: 'iptables', table: 'filter', chain: 'INPUT', policy: 'DROP' });
    assert.equal(v.fix.iptables, 'iptables -I INPUT -i eth0 -p vrrp -j ACCEPT');
    assert.equal(v.fix.nftables, 'nft insert rule ip filter INPUT iifname "eth0" meta l4proto vrrp accept');
    assert.equal(v.managedBy, 'iptables');
  });

  test('the incident: -p vrrp -j DROP on eth0 — eth0 dropped by that rule, eth1 accepted', () => {
    const rs = rulesetsAfter(['iptables -A INPUT -i eth0 -p tcp --dport 80 -j ACCEPT', 'iptables -A INPUT -i eth0 -p vrrp -j DROP'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.confidence, 'certain');
    assert.equal(v.decidedBy.chain, 'INPUT');
    assert.equal(v.decidedBy.ruleNumber, 2);
    assert.equal(v.decidedBy.ruleText, '-A INPUT -i eth0 -p vrrp -j DROP');
    assert.equal(v.fix.iptables, 'iptables -I INPUT 2 -i eth0 -p vrrp -j ACCEPT');
    const v1 = ipt(rs, q('eth1', { src: '10.1.2.12' }));
    assert.equal(v1.verdict, 'accept', show(v1));
    assert.equal(v1.confidence, 'certain');
    assert.equal(v1.decidedBy.policy, 'ACCEPT');
    // Both tools given (iptables-nft: nft shows the same table): judged once, same answer.
    const both = evaluateVrrpInput(rs, q('eth0'));
    assert.equal(both.overall.verdict, 'drop');
    assert.equal(both.overall.decidedBy.tool, 'iptables');
    const nftOnly = both.perTool.find((x) => x.decidedBy.tool === 'nftables');
    assert.equal(nftOnly?.verdict, 'accept', 'the ip filter table is left to iptables');
    assert.ok(nftOnly?.reasons.some((r) => /belong to iptables-nft/.test(r)));
    // nft alone reads the same rules natively and agrees, naming the rule by handle.
    const n = nft(rs, q('eth0'));
    assert.equal(n.verdict, 'drop', show(n));
    assert.equal(n.decidedBy.table, 'ip filter');
    assert.match(n.fix.nftables, /^nft insert rule ip filter INPUT position \d+ iifname "eth0" meta l4proto vrrp accept$/);
  });

  test('-p vrrp -j ACCEPT before a DROP: accepted by rule 1', () => {
    const rs = rulesetsAfter(['iptables -A INPUT -p vrrp -j ACCEPT', 'iptables -A INPUT -j DROP'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'accept', show(v));
    assert.equal(v.decidedBy.ruleNumber, 1);
    assert.equal(v.confidence, 'certain');
  });

  test('accept on eth1 only: eth0 dropped (and told why rule 1 does not apply), eth1 accepted', () => {
    const rs = rulesetsAfter(['iptables -A INPUT -i eth1 -p vrrp -j ACCEPT', 'iptables -P INPUT DROP'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.ok(v.reasons.some((r) => /rule 1 .*would accept VRRP, but not this advert: -i eth1 does not match eth0/.test(r)), show(v));
    assert.equal(ipt(rs, q('eth1', { src: '10.1.2.12' })).verdict, 'accept');
    // wildcard interface
    const w = rulesetsAfter(['iptables -A INPUT -i eth+ -p 112 -j ACCEPT', 'iptables -P INPUT DROP'].join('\n'));
    assert.equal(ipt(w, q('eth0')).verdict, 'accept');
    assert.equal(ipt(w, q('bond0')).verdict, 'drop');
  });

  test('RH-Firewall-1-INPUT with a fail2ban chain that RETURNs, ending in REJECT icmp-host-prohibited', () => {
    const rs = rulesetsAfter(
      [
        'iptables -N RH-Firewall-1-INPUT',
        'iptables -N f2b-sshd',
        'iptables -A INPUT -j RH-Firewall-1-INPUT',
        'iptables -A RH-Firewall-1-INPUT -i lo -j ACCEPT',
        'iptables -A RH-Firewall-1-INPUT -p icmp --icmp-type any -j ACCEPT',
        'iptables -A RH-Firewall-1-INPUT -p tcp --dport 22 -j f2b-sshd',
        'iptables -A RH-Firewall-1-INPUT -j f2b-sshd',
        'iptables -A RH-Firewall-1-INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT',
        'iptables -A RH-Firewall-1-INPUT -m state --state NEW -m tcp -p tcp --dport 22 -j ACCEPT',
        'iptables -A RH-Firewall-1-INPUT -j REJECT --reject-with icmp-host-prohibited',
        'iptables -A f2b-sshd -s 203.0.113.7/32 -j REJECT --reject-with icmp-port-unreachable',
        'iptables -A f2b-sshd -j RETURN',
      ].join('\n'),
    );
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'reject', show(v));
    assert.equal(v.confidence, 'certain');
    assert.equal(v.decidedBy.chain, 'RH-Firewall-1-INPUT');
    assert.equal(v.decidedBy.ruleNumber, 7);
    assert.equal(v.decidedBy.ruleText, '-A RH-Firewall-1-INPUT -j REJECT --reject-with icmp-host-prohibited');
    assert.equal(v.fix.iptables, 'iptables -I RH-Firewall-1-INPUT 7 -i eth0 -p vrrp -j ACCEPT');
    assert.ok(v.reasons.some((r) => /jump to RH-Firewall-1-INPUT/.test(r)));
    assert.ok(v.reasons.some((r) => /f2b-sshd rule 2 .*→ return/.test(r)), show(v));
    // the banned address is rejected inside f2b-sshd
    const b = ipt(rs, q('eth0', { src: '203.0.113.7' }));
    assert.equal(b.decidedBy.chain, 'f2b-sshd');
    assert.equal(b.fix.iptables, 'iptables -I f2b-sshd 1 -i eth0 -p vrrp -j ACCEPT');
  });

  test('conntrack ESTABLISHED,RELATED then policy DROP: multicast VRRP is NEW, dropped; unicast is uncertain', () => {
    const rs = rulesetsAfter(['iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -P INPUT DROP'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.confidence, 'certain');
    const u = ipt(rs, q('eth0', { dst: '192.168.2.11' }));
    assert.equal(u.verdict, 'drop', show(u));
    assert.equal(u.confidence, 'uncertain');
    assert.ok(u.reasons.some((r) => /ESTABLISHED once this host has itself advertised/.test(r)), show(u));
    assert.ok(u.reasons.some((r) => /verdict would be accept/.test(r)), show(u));
  });

  test('raw NOTRACK makes the advert UNTRACKED; --ctstate UNTRACKED accepts it', () => {
    const rs = rulesetsAfter(['iptables -t raw -A PREROUTING -p vrrp -j CT --notrack', 'iptables -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT', 'iptables -P INPUT DROP'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'accept', show(v));
    assert.equal(v.confidence, 'certain');
  });

  test('REJECT of protocol vrrp', () => {
    const rs = rulesetsAfter('iptables -A INPUT -p vrrp -j REJECT');
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'reject', show(v));
    assert.equal(v.decidedBy.ruleNumber, 1);
  });

  test('a DROP in mangle PREROUTING decides before filter accepts; the fix names the table', () => {
    const rs = rulesetsAfter(['iptables -t mangle -A PREROUTING -i eth0 -p vrrp -j DROP', 'iptables -A INPUT -p vrrp -j ACCEPT'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.decidedBy.table, 'mangle');
    assert.equal(v.fix.iptables, 'iptables -t mangle -I PREROUTING 1 -i eth0 -p vrrp -j ACCEPT');
  });

  test('a rule with a match the evaluator does not know makes the verdict uncertain and names it', () => {
    const rs = rulesetsAfter(['iptables -A INPUT -m mark --mark 0x1 -j ACCEPT', 'iptables -P INPUT DROP'].join('\n'));
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.confidence, 'uncertain');
    assert.ok(v.reasons.some((r) => /-m mark --mark 0x1/.test(r)), show(v));
    // …but not when both outcomes agree
    const r2 = rulesetsAfter(['iptables -A INPUT -m recent --name x --rcheck -j DROP', 'iptables -P INPUT DROP'].join('\n'));
    assert.equal(ipt(r2, q('eth0')).confidence, 'certain');
  });

  test('a ufw layout (built by hand): dropped by INPUT policy, managed by ufw, before.rules line', () => {
    const rs = rulesetsAfter(
      [
        ...['before-logging-input', 'before-input', 'after-input', 'after-logging-input', 'reject-input', 'track-input', 'not-local', 'user-input', 'logging-deny', 'skip-to-policy-input'].map((c) => `iptables -N ufw-${c}`),
        'iptables -P INPUT DROP',
        ...['before-logging-input', 'before-input', 'after-input', 'after-logging-input', 'reject-input', 'track-input'].map((c) => `iptables -A INPUT -j ufw-${c}`),
        'iptables -A ufw-before-input -i lo -j ACCEPT',
        'iptables -A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        'iptables -A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny',
        'iptables -A ufw-before-input -m conntrack --ctstate INVALID -j DROP',
        'iptables -A ufw-before-input -p icmp -m icmp --icmp-type 8 -j ACCEPT',
        'iptables -A ufw-before-input -p udp --sport 67 --dport 68 -j ACCEPT',
        'iptables -A ufw-before-input -j ufw-not-local',
        'iptables -A ufw-before-input -d 224.0.0.251/32 -p udp -m udp --dport 5353 -j ACCEPT',
        'iptables -A ufw-before-input -j ufw-user-input',
        'iptables -A ufw-not-local -m addrtype --dst-type LOCAL -j RETURN',
        'iptables -A ufw-not-local -m addrtype --dst-type MULTICAST -j RETURN',
        'iptables -A ufw-not-local -m addrtype --dst-type BROADCAST -j RETURN',
        'iptables -A ufw-not-local -m limit --limit 3/min --limit-burst 10 -j ufw-logging-deny',
        'iptables -A ufw-not-local -j DROP',
        'iptables -A ufw-user-input -p tcp -m tcp --dport 80 -j ACCEPT',
        'iptables -A ufw-after-input -p udp -m udp --dport 137 -j ufw-skip-to-policy-input',
        'iptables -A ufw-skip-to-policy-input -j DROP',
        'iptables -A ufw-logging-deny -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "',
      ].join('\n'),
    );
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.confidence, 'certain', show(v));
    assert.equal(v.decidedBy.policy, 'DROP');
    assert.equal(v.managedBy, 'ufw');
    assert.match(v.fix.ufw, /^-A ufw-before-input -i eth0 -p vrrp -j ACCEPT$/m);
    assert.match(v.fix.ufw, /before\.rules/);
    // unicast peers: dst-type LOCAL returns as well
    assert.equal(ipt(rs, q('eth0', { dst: '192.168.2.11' })).verdict, 'drop');
  });

  test('a firewalld layout on iptables (built by hand): rejected at the end of INPUT, zone public', () => {
    const rs = rulesetsAfter(
      [
        ...['INPUT_direct', 'INPUT_ZONES', 'IN_public', 'IN_public_log', 'IN_public_deny', 'IN_public_allow', 'IN_internal', 'IN_internal_allow'].map((c) => `iptables -N ${c}`),
        'iptables -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        'iptables -A INPUT -i lo -j ACCEPT',
        'iptables -A INPUT -j INPUT_direct',
        'iptables -A INPUT -j INPUT_ZONES',
        'iptables -A INPUT -m conntrack --ctstate INVALID -j DROP',
        'iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited',
        'iptables -A INPUT_ZONES -i eth0 -g IN_public',
        'iptables -A INPUT_ZONES -i eth1 -g IN_internal',
        'iptables -A INPUT_ZONES -g IN_public',
        'iptables -A IN_public -j IN_public_log',
        'iptables -A IN_public -j IN_public_deny',
        'iptables -A IN_public -j IN_public_allow',
        'iptables -A IN_public -p icmp -j ACCEPT',
        'iptables -A IN_public_allow -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT',
        'iptables -A IN_internal -j IN_internal_allow',
        'iptables -A IN_internal_allow -p vrrp -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT',
      ].join('\n'),
    );
    const v = ipt(rs, q('eth0'));
    assert.equal(v.verdict, 'reject', show(v));
    assert.equal(v.decidedBy.chain, 'INPUT');
    assert.equal(v.decidedBy.ruleNumber, 6);
    assert.equal(v.managedBy, 'firewalld');
    assert.equal(v.zone, 'public');
    assert.equal(v.fix.firewalld, `firewall-cmd --permanent --zone=public --add-rich-rule='rule protocol value="vrrp" accept' && firewall-cmd --reload`);
    const v1 = ipt(rs, q('eth1', { src: '10.1.2.12' }));
    assert.equal(v1.verdict, 'accept', show(v1));
    assert.equal(v1.zone, 'internal');
  });

  test('IPv6 via ip6tables: fe80:: → ff02::12 dropped on eth0; IPv4 rules do not apply', () => {
    const rs = rulesetsAfter(['ip6tables -A INPUT -i eth0 -p vrrp -j DROP', 'iptables -A INPUT -p vrrp -j ACCEPT'].join('\n'));
    const v = evaluateVrrpInput(only(rs, 'ip6tablesSave'), { src: 'fe80::2:ff:fe00:12', iface: 'eth0' }).overall;
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.decidedBy.tool, 'ip6tables');
    assert.equal(v.fix.iptables, 'ip6tables -I INPUT 1 -i eth0 -p vrrp -j ACCEPT');
    assert.match(v.fix.ufw, /ufw6-before-input/);
    // With all rulesets given, the IPv6 advert is judged by ip6tables (not iptables).
    const a = evaluateVrrpInput(rs, { src: 'fe80::2:ff:fe00:12', iface: 'eth0' });
    assert.equal(a.overall.verdict, 'drop');
    assert.deepEqual(a.perTool.map((x) => x.decidedBy.tool), ['ip6tables', 'nftables']);
    assert.equal(evaluateVrrpInput(rs, q('eth0')).overall.verdict, 'accept');
  });
});

describe('firewall verdict over real nft -j list ruleset output', { skip }, () => {
  test('inet table, two input chains by priority: the later one drops although the first accepts', () => {
    const rs = rulesetsAfter(
      'true',
      `table inet filter {
        chain late { type filter hook input priority 10; policy accept; iifname "eth0" meta l4proto vrrp counter drop; }
        chain early { type filter hook input priority 0; policy drop; meta l4proto vrrp accept; }
      }`,
    );
    const v = nft(rs, q('eth0'));
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(v.decidedBy.table, 'inet filter');
    assert.equal(v.decidedBy.chain, 'late');
    assert.ok(v.decidedBy.handle !== undefined);
    assert.equal(v.fix.nftables, `nft insert rule inet filter late position ${v.decidedBy.handle} iifname "eth0" meta l4proto vrrp accept`);
    assert.ok(v.reasons.some((r) => /every chain on the hook must accept/.test(r)), show(v));
    assert.equal(nft(rs, q('eth1', { src: '10.1.2.12' })).verdict, 'accept');
  });

  test('sets { vrrp, ah }, iifname != "eth0", ct state, policy drop', () => {
    const rs = rulesetsAfter(
      'true',
      `table inet filter {
        chain input {
          type filter hook input priority filter; policy drop;
          ct state established,related accept
          ct state invalid drop
          iif "lo" accept
          tcp dport 80 accept
          iifname != "eth0" meta l4proto { vrrp, ah } accept
        }
      }`,
    );
    const v0 = nft(rs, q('eth0'));
    assert.equal(v0.verdict, 'drop', show(v0));
    assert.equal(v0.decidedBy.policy, 'drop');
    assert.equal(v0.confidence, 'certain');
    assert.equal(v0.fix.nftables, 'nft add rule inet filter input iifname "eth0" meta l4proto vrrp accept');
    assert.ok(v0.reasons.some((r) => /would accept VRRP, but not this advert: iifname != eth0 excludes it/.test(r)), show(v0));
    const v1 = nft(rs, q('eth1', { src: '10.1.2.12' }));
    assert.equal(v1.verdict, 'accept', show(v1));
    assert.equal(v1.decidedBy.ruleNumber, 5);
    assert.equal(nft(rs, q('eth1', { src: '10.1.2.12', protocol: 'ah' })).verdict, 'accept');
    assert.equal(nft(rs, { src: 'fe80::1', iface: 'eth1' }).verdict, 'accept', 'inet covers IPv6');
  });

  test('named set of peers, vmap, jump into a user chain with return, reject', () => {
    const rs = rulesetsAfter(
      'true',
      `table ip fw {
        set peers { type ipv4_addr; flags interval; elements = { 192.168.2.0/28, 10.1.2.12 } }
        chain vrrp_in { ip saddr @peers accept; return; }
        chain input {
          type filter hook input priority 0; policy accept;
          meta l4proto vmap { vrrp : jump vrrp_in, tcp : accept }
          meta l4proto vrrp reject with icmp type admin-prohibited
        }
      }`,
    );
    const v = nft(rs, q('eth0'));
    assert.equal(v.verdict, 'accept', show(v));
    assert.equal(v.decidedBy.chain, 'vrrp_in');
    const x = nft(rs, q('eth0', { src: '192.168.2.99' }));
    assert.equal(x.verdict, 'reject', show(x));
    assert.equal(x.decidedBy.chain, 'input');
    assert.equal(x.decidedBy.ruleNumber, 2);
    assert.match(x.fix.nftables, /^nft insert rule ip fw input position \d+ /);
  });

  test('a firewalld layout on nftables (built by hand): table inet firewalld, zone from filter_INPUT_ZONES', () => {
    const rs = rulesetsAfter(
      'true',
      `table inet firewalld {
        chain filter_INPUT {
          type filter hook input priority filter + 10; policy accept;
          ct state { established, related } accept
          ct status dnat accept
          iifname "lo" accept
          jump filter_INPUT_ZONES
          ct state { invalid } drop
          reject with icmpx admin-prohibited
        }
        chain filter_INPUT_ZONES {
          iifname "eth1" goto filter_IN_trusted
          iifname "eth0" goto filter_IN_public
          goto filter_IN_public
        }
        chain filter_IN_public { jump filter_IN_public_allow; meta l4proto { icmp, ipv6-icmp } accept; }
        chain filter_IN_public_allow { tcp dport 80 ct state { new, untracked } accept; }
        chain filter_IN_trusted { accept; }
      }`,
    );
    const v = nft(rs, q('eth0'));
    assert.equal(v.verdict, 'reject', show(v));
    assert.equal(v.decidedBy.chain, 'filter_INPUT');
    assert.equal(v.managedBy, 'firewalld');
    assert.equal(v.zone, 'public');
    assert.match(v.fix.firewalld, /--zone=public --add-rich-rule='rule protocol value="vrrp" accept'/);
    assert.ok(v.confidence === 'uncertain', '`ct status dnat` is not understood');
    assert.ok(v.reasons.some((r) => /ct status/.test(r)), show(v));
    const t = nft(rs, q('eth1', { src: '10.1.2.12' }));
    assert.equal(t.verdict, 'accept');
    assert.equal(t.zone, 'trusted');
  });

  test('IPv6 in an inet table: ip6 saddr / nexthdr, ip matches do not apply', () => {
    const rs = rulesetsAfter(
      'true',
      `table inet filter {
        chain input {
          type filter hook input priority 0; policy drop;
          ip protocol vrrp accept
          ip6 saddr fe80::/10 ip6 daddr ff02::12 ip6 nexthdr vrrp iifname "eth1" accept
        }
      }`,
    );
    const v = nft(rs, { src: 'fe80::2:ff:fe00:12', iface: 'eth0' });
    assert.equal(v.verdict, 'drop', show(v));
    assert.equal(nft(rs, { src: 'fe80::2:ff:fe00:12', iface: 'eth1' }).verdict, 'accept');
    assert.equal(nft(rs, q('eth0')).verdict, 'accept');
  });

  test('iptables rules and a native nft table together: both must accept', () => {
    const rs = rulesetsAfter('iptables -A INPUT -p vrrp -j ACCEPT', `table inet filter {
        chain input { type filter hook input priority 5; policy accept; iifname "eth0" meta l4proto vrrp drop; }
      }`);
    const e = evaluateVrrpInput(rs, q('eth0'));
    assert.equal(e.perTool.find((x) => x.decidedBy.tool === 'iptables')?.verdict, 'accept');
    assert.equal(e.perTool.find((x) => x.decidedBy.tool === 'nftables')?.verdict, 'drop');
    assert.equal(e.overall.verdict, 'drop', show(e.overall));
    assert.equal(e.overall.decidedBy.tool, 'nftables');
    assert.match(e.overall.fix.nftables, /^nft insert rule inet filter input position \d+ /);
  });
});
