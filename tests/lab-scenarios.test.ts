// Scenario tests on captures recorded from real keepalived 2.2 in network namespaces
// (tests/lab/record.sh). Each scenario.json names the fault applied and what must be concluded per
// segment/VRID — the cause findings, the symptoms, what must not be said, and the sentences the
// operator must read (`diagnosis`; for the older recordings it is derived from `expect` and the
// manifest's facts below). Every scenario is recorded in two variants and read through several
// capture forms, so the findings are not tuned to one recording.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../src/analysis/finding.js';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import type { CaptureInput } from '../src/capture/capture-source.js';
import { renderReport } from '../src/views/report.js';

const LAB = fileURLToPath(new URL('../../tests/fixtures/lab/', import.meta.url));

type Iface = { ipv4?: string; ifindex?: number; mac?: string };
type Node = { interfaces: Record<string, Iface> };
type Cause = { code: string; segment?: string; vrid?: number; culprit?: { node?: string; address?: string; interface?: string } };
export type Diagnosis = { needsEnd?: boolean; causes?: Cause[]; symptoms?: string[]; healthy?: string[]; mustSay?: string[]; mustNotSay?: string[]; forbid?: string[] };
type Scenario = { scenario: string; variant: number; expect: Record<string, string>; expectDetail?: Record<string, unknown>; nodes: Record<string, Node>; diagnosis?: Diagnosis };

/** The ways an operator may hand us the same recording. */
const forms: { name: string; inputs: (dir: string) => CaptureInput[] | undefined; named: boolean; hasEnd: boolean }[] = [
  { name: 'node2.pcapng (dumpcap, eth0+eth1)', inputs: (d) => [{ label: undefined, path: join(d, 'node2.pcapng') }], named: true, hasEnd: true },
  {
    name: 'node2 per-interface pcaps, -r eth0=… -r eth1=…',
    inputs: (d) => [
      { label: 'eth0', path: join(d, 'node2-eth0.pcap') },
      { label: 'eth1', path: join(d, 'node2-eth1.pcap') },
    ],
    named: true,
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
    named: true,
    hasEnd: false,
  },
  { name: 'node2 -i any (SLL2)', inputs: (d) => [{ label: undefined, path: join(d, 'node2-any.pcap') }], named: false, hasEnd: false },
  { name: 'observer on the segment', inputs: (d) => (existsSync(join(d, 'observer.pcapng')) ? [{ label: undefined, path: join(d, 'observer.pcapng') }] : undefined), named: true, hasEnd: true },
];

const serious = (f: Finding): boolean => f.severity !== 'info';
/** Symptom and cause codes a mismatch or conflict must never be mistaken for. */
const NOT_A_MISMATCH = ['check-firewall', 'flapping', 'advert-loss', 'split-brain', 'one-way-vrrp', 'master-gone', 'master-stalled', 'master-silent', 'no-master'];

const addr = (sc: Scenario, node: string, iface = 'eth0'): string => sc.nodes[node]?.interfaces[iface]?.ipv4 ?? node;

/** The diagnosis of a recording made before scenario files carried one, from its `expect` and facts. */
export function legacyDiagnosis(sc: Scenario, key: string, expect: string): Diagnosis {
  const [iface] = key.split('/') as [string];
  const d = sc.expectDetail ?? {};
  const drops = (d['firewallDropsOn'] ?? {}) as Record<string, string[]>;
  switch (expect) {
    case 'healthy':
    case 'healthy-on-wire':
    case 'failover':
    case 'failover-failback':
      return { healthy: [key] };
    case 'split-brain': {
      const nodes = Object.keys(drops);
      if (nodes.length === 1) {
        const deaf = addr(sc, nodes[0]!, iface);
        return { causes: [{ code: 'one-way-vrrp' }], symptoms: ['split-brain'], mustSay: [deaf, `check the firewall on ${iface} of ${deaf}`] };
      }
      return { causes: [{ code: 'check-firewall' }], symptoms: ['split-brain'], mustSay: [`check the firewall on ${iface}`, 'VRRP adverts are accepted on eth1 but not on eth0'], forbid: ['one-way-vrrp', 'advert-loss'] };
    }
    case 'takeover-by-deaf-node': {
      const deaf = addr(sc, Object.keys(drops)[0]!, iface);
      return { causes: [{ code: 'one-way-vrrp' }], mustSay: [`check the firewall on ${iface} of ${deaf}`, 'yielded because it hears'], forbid: ['check-firewall', 'split-brain'] };
    }
    case 'auth-mismatch': {
      const auth = d['authStrings'] as Record<string, string>;
      return { causes: [{ code: 'auth-mismatch' }], mustSay: Object.values(auth).map((a) => `"${a}"`).concat(['both act as master']), forbid: NOT_A_MISMATCH };
    }
    case 'interval-mismatch': {
      const ints = Object.values(d['advertInt'] as Record<string, number>);
      return { causes: [{ code: 'interval-mismatch' }], mustSay: ints.map((i) => `every ${i.toFixed(1)} s`).concat(['advert_interval_err']), forbid: NOT_A_MISMATCH };
    }
    case 'vrid-conflict':
      return { causes: [{ code: 'vrid-conflict' }], mustSay: [...(d['foreignVips'] as string[]), 'two clusters', 'another VRID'], forbid: NOT_A_MISMATCH };
    case 'no-master': {
      const last = (d['lastMaster'] as Record<string, string>)[key]!;
      return { needsEnd: true, causes: [{ code: 'master-gone' }], symptoms: ['no-master'], mustSay: [addr(sc, last, iface), 'without resigning'], forbid: ['check-firewall', 'split-brain', 'advert-loss'] };
    }
    case 'flapping':
      return { causes: [{ code: 'advert-loss' }], mustSay: ['packet loss'], forbid: ['check-firewall', 'one-way-vrrp', 'master-stalled', 'master-gone', 'split-brain'] };
    default:
      throw new Error(`${sc.scenario}: expectation '${expect}' has no legacy diagnosis`);
  }
}

const dirs = existsSync(LAB) ? readdirSync(LAB).filter((d) => existsSync(join(LAB, d, 'scenario.json'))).sort() : [];

test('the lab recordings are present', () => {
  assert.ok(dirs.length >= 26, `expected the recorded scenarios under ${LAB}, found ${dirs.length}`);
});

for (const dir of dirs) {
  const sc = JSON.parse(readFileSync(join(LAB, dir, 'scenario.json'), 'utf8')) as Scenario;
  for (const form of forms) {
    const inputs = form.inputs(join(LAB, dir));
    if (!inputs || !inputs.every((i) => existsSync(i.path))) continue;
    test(`${dir} via ${form.name}`, async () => {
      const warnings: string[] = [];
      const { findings, timeline, reports } = await analyzeCaptures(inputs, { warn: (m) => warnings.push(m) });
      assert.deepEqual(warnings, [], 'the recordings read cleanly');
      const report = renderReport(timeline, findings, reports.map((r) => ({ name: r.name, frames: r.frames, error: r.error?.message })));
      // -i any knows interface indexes only; the node whose capture it is names them.
      const rename = (s: string): string => (form.named ? s : s.replace(/\beth(\d)\b/g, (_m, n: string) => `if${sc.nodes['node2']?.interfaces[`eth${n}`]?.ifindex ?? '?'}`));
      const keys = sc.diagnosis ? [['*', sc.diagnosis] as const] : Object.entries(sc.expect).map(([k, e]) => [k, legacyDiagnosis(sc, k, e)] as const);
      for (const [key, dx] of keys) {
        const label = `${dir} ${key} via ${form.name}`;
        const [seg, vridText] = key.split('/') as [string, string | undefined];
        const scope = (f: Finding): boolean => key === '*' || ((f.vrid === Number(vridText) || f.vrid === undefined) && (f.segment === undefined || f.segment === rename(seg)));
        const mine = findings.filter(scope);
        const got = `${label}: got ${JSON.stringify(mine.map((f) => `${f.code}:${f.severity}`))}`;
        for (const h of dx.healthy ?? []) {
          const [hs, hv] = h.split('/') as [string, string];
          const bad = findings.filter((f) => serious(f) && f.vrid === Number(hv) && (f.segment === undefined || f.segment === rename(hs)));
          assert.deepEqual(bad.map((f) => f.code), [], `${label}: ${h} must be healthy`);
        }
        // A silence at the end is only measurable where the capture says when it stopped (pcapng ISB).
        if (dx.needsEnd && !form.hasEnd) {
          assert.ok(!mine.some((f) => f.code === 'check-firewall' || f.code === 'split-brain'), got);
          continue;
        }
        for (const c of dx.causes ?? []) {
          const f = mine.find((x) => x.code === c.code);
          assert.ok(f, `${got} — missing cause ${c.code}`);
          assert.equal(f.kind, 'cause', `${label}: ${c.code} is a cause`);
          assert.notEqual(f.severity, 'info', `${label}: ${c.code} is acted on`);
        }
        for (const s of dx.symptoms ?? []) {
          const f = mine.find((x) => x.code === s);
          assert.ok(f, `${got} — missing symptom ${s}`);
          assert.ok(f.causedBy, `${label}: ${s} names its cause`);
        }
        for (const code of dx.forbid ?? []) assert.ok(!mine.some((f) => f.code === code && serious(f)), `${got} — must not say ${code}`);
        // Causes come first in the report.
        const firstSerious = findings.find(serious);
        if (firstSerious && (dx.causes ?? []).length) assert.equal(firstSerious.kind, 'cause', `${label}: a cause comes first`);
        for (const s of dx.mustSay ?? []) assert.ok(report.replace(/\s+/g, ' ').includes(rename(s)), `${label}: the report must say "${rename(s)}"\n${report}`);
        for (const s of dx.mustNotSay ?? []) assert.ok(!report.includes(rename(s)), `${label}: the report must not say "${rename(s)}"`);
      }
    });
  }
}
