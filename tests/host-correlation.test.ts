// Host correlation on the lab's recordings: the wire next to keepalived's own counters, log and
// configuration and the host's firewall ruleset — all produced by the real programs in the lab.
// The incident with a sync group: the wire is healthy, only the host bundle shows the drop.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import { loadBundle, type HostEvidence } from '../src/host/host-evidence.js';
import { parseKeepalivedConfText } from '../src/host/keepalived/config.js';

const LAB = fileURLToPath(new URL('../../tests/fixtures/lab/', import.meta.url));

/** node2's bundle: its config, every JSON dump at the time in its name, its log, its ruleset. */
function bundle(dir: string, node = 'node2', firewall = true): HostEvidence {
  const d = join(LAB, dir);
  const json = readdirSync(d)
    .filter((f) => f.startsWith(`${node}-json-`))
    .sort()
    .map((f) => `${join(d, f)}@${f.slice(`${node}-json-`.length, -'.json'.length)}`);
  const fw = [`${node}.iptables-save`, `${node}.nft.json`].map((f) => join(d, f)).filter((f) => firewall && existsSync(f));
  return loadBundle({ conf: join(d, `${node}.conf`), json, log: join(d, `${node}.log`), firewall: fw });
}

async function run(dir: string, host: HostEvidence) {
  const warnings: string[] = [];
  const a = await analyzeCaptures([{ label: undefined, path: join(LAB, dir, 'node2.pcapng') }], { warn: (m) => warnings.push(m), host });
  assert.deepEqual(warnings, []);
  assert.deepEqual(host.problems, []);
  return a;
}

// The victim is the node whose SERVICE instance is BACKUP but wants MASTER (v1: node2, v2: node1).
const victims = [
  { dir: 'sync-group-firewall', node: 'node2', inputs: (d: string) => [{ label: undefined, path: join(d, 'node2.pcapng') }] },
  {
    dir: 'sync-group-firewall-v2',
    node: 'node1',
    inputs: (d: string) => [
      { label: 'eth0', path: join(d, 'node1-eth0.pcap') },
      { label: 'eth1', path: join(d, 'node1-eth1.pcap') },
    ],
  },
];

for (const { dir, node, inputs } of victims) {
  test(`${dir}: the wire alone is healthy; with ${node}'s bundle, adverts-dropped-on-host names the DROP rule`, async () => {
    const d = join(LAB, dir);
    const wireOnly = await analyzeCaptures(inputs(d), { warn: () => undefined });
    assert.deepEqual(wireOnly.findings.filter((f) => f.severity !== 'info').map((f) => f.code), [], 'the wire looks healthy');

    const host = bundle(dir, node);
    const { findings, instances } = await analyzeCaptures(inputs(d), { warn: () => undefined, host });
    assert.deepEqual(host.problems, []);
    const dropped = findings.filter((f) => f.code === 'adverts-dropped-on-host');
    assert.equal(dropped.length, 1, JSON.stringify(findings.map((f) => f.code)));
    const f = dropped[0]!;
    assert.equal(f.severity, 'critical');
    assert.equal(f.segment, 'eth0');
    assert.equal(f.vrid, 51);
    assert.match(f.message, new RegExp(`reach eth0 on ${node} but keepalived never gets them \\(\\d+ of \\d+ counted\\): this host's firewall drops them — iptables filter INPUT rule \\d+ \`-A INPUT -i eth0 -p vrrp -j DROP\``));
    assert.equal(f.kind, 'cause');
    assert.match(f.message, /-A INPUT -i eth0 -p vrrp -j DROP/);
    assert.ok(f.evidence.some((e) => /state BACKUP, wants MASTER/.test(e)), f.evidence.join('\n'));
    assert.ok(f.evidence.some((e) => /Receive advertisement timeout/.test(e)));
    assert.ok(f.advice.some((a) => /iptables -I INPUT 1 -i eth0 -p vrrp -j ACCEPT/.test(a)), f.advice.join('\n'));
    assert.ok(!findings.some((x) => x.segment === 'eth1' && x.severity !== 'info'), 'eth1 / VRID 52 stays healthy');
    assert.deepEqual(
      instances.map((l) => [l.name, l.vrid.segment, l.vrid.vrid, l.syncGroup]).sort(),
      [
        ['BACKEND', 'eth1', 52, 'G1'],
        ['SERVICE', 'eth0', 51, 'G1'],
      ],
    );
  });

  test(`${dir}: the other node's bundle (the master) raises nothing`, async () => {
    const other = node === 'node2' ? 'node1' : 'node2';
    const d = join(LAB, dir);
    const { findings } = await analyzeCaptures([{ label: 'eth0', path: join(d, `${other}-eth0.pcap`) }, { label: 'eth1', path: join(d, `${other}-eth1.pcap`) }], { warn: () => undefined, host: bundle(dir, other) });
    assert.deepEqual(findings.filter((f) => f.severity !== 'info').map((f) => f.code), []);
  });
}

test('without the ruleset the finding still stands, with the generic rules to add', async () => {
  const { findings } = await run('sync-group-firewall', bundle('sync-group-firewall', 'node2', false));
  const f = findings.find((x) => x.code === 'adverts-dropped-on-host')!;
  assert.ok(f);
  assert.ok(f.advice.some((a) => /iptables -I INPUT -i eth0 -p vrrp -j ACCEPT/.test(a)));
});

for (const dir of ['healthy', 'healthy-v2', 'failover-failback', 'unicast-peers', 'vrrpv3-ipv6']) {
  test(`${dir}: node2's bundle adds no warning (keepalived counted what the wire carried)`, async () => {
    const { findings } = await run(dir, bundle(dir));
    assert.deepEqual(findings.filter((f) => f.severity !== 'info').map((f) => `${f.code} ${f.message}`), []);
  });
}

test('firewall-eth0-both: node2 drops node1\'s adverts — seen in its counters too', async () => {
  const { findings } = await run('firewall-eth0-both', bundle('firewall-eth0-both'));
  const f = findings.find((x) => x.code === 'adverts-dropped-on-host');
  assert.ok(f, JSON.stringify(findings.map((x) => x.code)));
  assert.equal(f.segment, 'eth0');
  assert.match(f.message, /peer 192\.168\.2\.11/);
});

test('interval-mismatch: the wire disagrees with node2\'s configuration', async () => {
  const { findings } = await run('interval-mismatch', bundle('interval-mismatch'));
  const f = findings.find((x) => x.code === 'config-mismatch');
  assert.ok(f, JSON.stringify(findings.map((x) => x.code)));
  assert.ok(f.evidence.some((e) => /advertises every 2 s, the configuration says advert_int 1|advertises every 1 s, the configuration says advert_int 2/.test(e)), f.evidence.join('\n'));
});

test('a configured VRID never on the wire, and a unicast peer that never spoke', async () => {
  const ev = bundle('healthy');
  ev.config = parseKeepalivedConfText(
    `vrrp_instance GHOST {\n  interface eth0\n  virtual_router_id 99\n  priority 100\n  advert_int 1\n  virtual_ipaddress {\n    192.168.2.99/24\n  }\n}\n` +
      `vrrp_instance SERVICE {\n  interface eth0\n  virtual_router_id 51\n  priority 100\n  advert_int 1\n  unicast_peer {\n    192.168.2.77\n  }\n  authentication {\n    auth_type PASS\n    auth_pass vrrp51\n  }\n  virtual_ipaddress {\n    192.168.2.1/24\n    192.168.2.2/24\n  }\n}\n`,
    'test.conf',
  );
  const { findings } = await run('healthy', ev);
  const codes = findings.filter((f) => f.severity !== 'info').map((f) => f.code).sort();
  assert.deepEqual(codes, ['config-vrid-unseen', 'unicast-peer-silent']);
  assert.match(findings.find((f) => f.code === 'config-vrid-unseen')!.message, /GHOST \(eth0, VRID 99\)/);
});

test('across every lab recording and both nodes: adverts-dropped-on-host only where that node really drops VRRP', async () => {
  const fired: string[] = [];
  // The classic recordings; those with a `diagnosis` block (issue 10) are asserted by the diagnosis tests.
  const classic = (dir: string): boolean => (JSON.parse(readFileSync(join(LAB, dir, 'scenario.json'), 'utf8')) as { diagnosis?: unknown }).diagnosis === undefined;
  for (const dir of readdirSync(LAB).sort().filter(classic)) {
    for (const node of ['node1', 'node2']) {
      const d = join(LAB, dir);
      if (!existsSync(join(d, `${node}-eth0.pcap`))) continue;
      const { findings } = await analyzeCaptures(
        [
          { label: 'eth0', path: join(d, `${node}-eth0.pcap`) },
          { label: 'eth1', path: join(d, `${node}-eth1.pcap`) },
        ],
        { warn: () => undefined, host: bundle(dir, node) },
      );
      if (!findings.some((f) => f.code === 'adverts-dropped-on-host')) continue;
      fired.push(`${dir}/${node}`);
      const rules = existsSync(join(d, `${node}.iptables-save`)) ? readFileSync(join(d, `${node}.iptables-save`), 'utf8') : '';
      assert.match(rules, /-A INPUT -i eth0 -p vrrp -j DROP/, `${dir}/${node}: no DROP rule, yet adverts-dropped-on-host`);
    }
  }
  // The recordings where a node drops its peer's adverts while the peer advertises must all be caught.
  for (const must of ['firewall-eth0-both/node1', 'firewall-eth0-both/node2', 'firewall-eth0-both-v2/node1', 'firewall-eth0-both-v2/node2', 'sync-group-firewall/node2', 'sync-group-firewall-v2/node1']) {
    assert.ok(fired.includes(must), `${must} not caught; fired: ${fired.join(', ')}`);
  }
});
