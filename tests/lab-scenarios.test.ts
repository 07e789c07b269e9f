// Scenario tests on captures recorded from real keepalived 2.2 in network namespaces
// (tests/lab/record.sh). Each scenario.json names the fault applied and what must be concluded
// per segment/VRID; every scenario is recorded in two variants (timing, start order, priorities)
// and read through several capture forms, so the findings are not tuned to one recording.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../src/analysis/finding.js';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import type { CaptureInput } from '../src/capture/capture-source.js';

const LAB = fileURLToPath(new URL('../../tests/fixtures/lab/', import.meta.url));

type Scenario = { scenario: string; variant: number; expect: Record<string, string> };

/** The ways an operator may hand us the same recording. */
const forms: { name: string; inputs: (dir: string) => CaptureInput[] | undefined; segments: 'names' | 'vrid-only'; hasEnd: boolean }[] = [
  { name: 'node2.pcapng (dumpcap, eth0+eth1)', inputs: (d) => [{ label: undefined, path: join(d, 'node2.pcapng') }], segments: 'names', hasEnd: true },
  {
    name: 'node2 per-interface pcaps, -r eth0=… -r eth1=…',
    inputs: (d) => [
      { label: 'eth0', path: join(d, 'node2-eth0.pcap') },
      { label: 'eth1', path: join(d, 'node2-eth1.pcap') },
    ],
    segments: 'names',
    hasEnd: false,
  },
  {
    name: 'node1 per-interface pcaps',
    inputs: (d) =>
      existsSync(join(d, 'node1-eth1.pcap'))
        ? [
            { label: 'eth0', path: join(d, 'node1-eth0.pcap') },
            { label: 'eth1', path: join(d, 'node1-eth1.pcap') },
          ]
        : undefined,
    segments: 'names',
    hasEnd: false,
  },
  { name: 'node2 -i any (SLL2)', inputs: (d) => [{ label: undefined, path: join(d, 'node2-any.pcap') }], segments: 'vrid-only', hasEnd: false },
];

const serious = (f: Finding): boolean => f.severity !== 'info';

function check(expect: string, fs: Finding[], label: string, hasEnd: boolean, others: Record<string, string>, named: boolean): void {
  // With -i any (SLL2) the capture has interface indexes, not names.
  const eth0 = named ? 'eth0' : 'if\\d+';
  const eth1 = named ? 'eth1' : 'if\\d+';
  const codes = fs.map((f) => `${f.code}:${f.severity}`);
  const msg = `${label}: got ${JSON.stringify(codes)}`;
  const has = (code: string, sev?: string): boolean => fs.some((f) => f.code === code && (sev === undefined || f.severity === sev));
  switch (expect) {
    case 'healthy':
    case 'healthy-on-wire':
      assert.deepEqual(fs.filter(serious).map((f) => f.code), [], msg);
      return;
    case 'split-brain': {
      assert.ok(has('split-brain', 'critical'), msg);
      const fw = fs.find((f) => f.code === 'check-firewall' && f.severity === 'critical');
      assert.ok(fw, msg);
      assert.match(fw.message, new RegExp(`check the firewall on ${eth0}`), msg);
      if (Object.values(others).some((e) => e === 'healthy')) assert.match(fw.message, new RegExp(`seen on ${eth1}`), msg);
      return;
    }
    case 'takeover-by-deaf-node':
      assert.ok(has('check-firewall'), msg);
      assert.match(fs.find((f) => f.code === 'check-firewall')!.message, new RegExp(eth0), msg);
      return;
    case 'auth-mismatch':
    case 'interval-mismatch':
      assert.ok(has(expect, 'warning'), msg);
      assert.ok(!has('check-firewall'), `${msg} (a mismatch, not a firewall)`);
      return;
    case 'vrid-conflict':
      assert.ok(has('vrid-conflict', 'critical'), msg);
      assert.ok(!has('check-firewall'), msg);
      return;
    case 'failover':
    case 'failover-failback':
      assert.ok(has('master-change', 'info'), msg);
      assert.deepEqual(fs.filter(serious).map((f) => f.code), [], `${msg} (a clean failover is info only)`);
      return;
    case 'no-master':
      // Silence at the end is only measurable where the capture says when it stopped (pcapng ISB).
      if (hasEnd) assert.ok(has('no-master', 'critical'), msg);
      assert.ok(!has('check-firewall') && !has('split-brain'), msg);
      return;
    case 'flapping':
      assert.ok(has('flapping') || has('master-silent'), msg);
      assert.ok(!fs.some((f) => f.code === 'check-firewall' && f.severity === 'critical'), `${msg} (loss is not a firewall)`);
      return;
    default:
      assert.fail(`${label}: scenario expectation '${expect}' has no rule in this test`);
  }
}

// The classic recordings. Those with a `diagnosis` block (issue 10: version mismatch, crash loop, stall, …)
// state their ground truth in finding codes and sentences; the diagnosis tests assert them, not the
// expectation labels below. tests/lab-recordings.test.ts checks that every recording reads cleanly.
const classic = (d: string): boolean => (JSON.parse(readFileSync(join(LAB, d, 'scenario.json'), 'utf8')) as { diagnosis?: unknown }).diagnosis === undefined;
const dirs = existsSync(LAB) ? readdirSync(LAB).filter((d) => existsSync(join(LAB, d, 'scenario.json')) && classic(d)).sort() : [];

test('the lab recordings are present', () => {
  assert.ok(dirs.length >= 20, `expected the recorded scenarios under ${LAB}, found ${dirs.length}`);
});

for (const dir of dirs) {
  const sc = JSON.parse(readFileSync(join(LAB, dir, 'scenario.json'), 'utf8')) as Scenario;
  for (const form of forms) {
    const inputs = form.inputs(join(LAB, dir));
    if (!inputs || !inputs.every((i) => existsSync(i.path))) continue;
    test(`${dir} via ${form.name}`, async () => {
      const warnings: string[] = [];
      const { findings, timeline } = await analyzeCaptures(inputs, { warn: (m) => warnings.push(m) });
      assert.deepEqual(warnings, [], 'the recordings read cleanly');
      for (const [key, expect] of Object.entries(sc.expect)) {
        const [seg, vridText] = key.split('/') as [string, string];
        const vrid = Number(vridText);
        const mine = findings.filter((f) => (f.vrid === vrid || f.vrid === undefined) && (form.segments === 'vrid-only' || f.segment === undefined || f.segment === seg));
        assert.ok([...timeline.vrids.values()].some((v) => v.vrid === vrid), `${dir}: VRID ${vrid} seen`);
        const others = Object.fromEntries(Object.entries(sc.expect).filter(([k]) => k !== key));
        check(expect, mine, `${dir} ${key} via ${form.name}`, form.hasEnd, others, form.segments === 'names');
      }
    });
  }
}
