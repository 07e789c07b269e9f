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
import { loadBundle, type HostEvidence } from '../src/host/host-evidence.js';

const LAB = fileURLToPath(new URL('../../tests/fixtures/lab/', import.meta.url));

type Iface = { ipv4?: string; ifindex?: number; mac?: string };
type Node = { interfaces: Record<string, Iface> };
/** A cause the recording must produce: `code` with the host bundle of the culprit node, `wireCode` (null: none) from the wire alone. */
type Cause = { code: string; wireCode?: string | null; bundleCode?: string; needsBundle?: boolean; segment?: string; vrid?: number; culprit?: { node?: string; address?: string; interface?: string } | null };
export type Diagnosis = {
  needsEnd?: boolean;
  causes?: Cause[];
  symptoms?: string[];
  healthy?: string[];
  mustSay?: string[];
  /** Sentences only the host bundle can give (the deciding rule). */
  mustSayWithBundle?: string[];
  mustNotSay?: string[];
  forbid?: string[];
  notFindings?: string[];
  /** What the wire alone shows, when it differs. */
  wireOnly?: { causes?: Cause[]; symptoms?: string[]; mustSay?: string[] };
  /** Nodes whose own capture cannot see the fault (loss after it left them, and nobody reacted). */
  blindFrom?: string[];
};
type Scenario = { scenario: string; variant: number; expect: Record<string, string>; expectDetail?: Record<string, unknown>; nodes: Record<string, Node>; diagnosis?: Diagnosis };

/** The ways an operator may hand us the same recording. */
type Form = { name: string; inputs: (dir: string) => CaptureInput[] | undefined; named: boolean; hasEnd: boolean; node?: string; bundle?: string };
const forms: Form[] = [
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
  { name: 'node2.pcapng with node2\'s host bundle', inputs: (d) => (existsSync(join(d, 'node2.ip-link.json')) ? [{ label: undefined, path: join(d, 'node2.pcapng') }] : undefined), named: true, hasEnd: true, bundle: 'node2' },
  {
    name: 'node1 per-interface pcaps with node1\'s host bundle',
    inputs: (d) => (existsSync(join(d, 'node1.ip-link.json')) && existsSync(join(d, 'node1-eth1.pcap')) ? [{ label: 'eth0', path: join(d, 'node1-eth0.pcap') }, { label: 'eth1', path: join(d, 'node1-eth1.pcap') }] : undefined),
    named: true,
    hasEnd: false,
    bundle: 'node1',
  },
];
for (const f of forms) f.node ??= f.bundle ?? (/^node(\d)/.exec(f.name) ? `node${/^node(\d)/.exec(f.name)![1]}` : undefined);

/** A node's host bundle as the lab recorded it: config, every JSON dump at the time in its name, log, rulesets. */
function bundleOf(dir: string, node: string): HostEvidence {
  const json = readdirSync(dir)
    .filter((f) => f.startsWith(`${node}-json-`))
    .sort()
    .map((f) => `${join(dir, f)}@${f.slice(`${node}-json-`.length, -'.json'.length)}`);
  const fw = [`${node}.iptables-save`, `${node}.ip6tables-save`, `${node}.nft.json`].map((f) => join(dir, f)).filter((f) => existsSync(f));
  return loadBundle({ conf: join(dir, `${node}.conf`), json, log: join(dir, `${node}.log`), firewall: fw });
}

/** The cause codes this form must produce. */
function causesFor(dx: Diagnosis, form: Form): Cause[] {
  if (!form.bundle) {
    if (dx.wireOnly?.causes) return dx.wireOnly.causes;
    return (dx.causes ?? []).filter((c) => !c.needsBundle && c.wireCode !== null).map((c) => ({ ...c, code: c.wireCode ?? c.code }));
  }
  // With a bundle, host-only causes show only on the culprit's own bundle; elsewhere the wire's code.
  return (dx.causes ?? []).flatMap((c) => {
    const own = !c.culprit?.node || c.culprit.node === form.bundle;
    const code = own ? (c.bundleCode ?? c.code) : c.needsBundle ? null : (c.wireCode === undefined ? c.code : c.wireCode);
    return code ? [{ ...c, code }] : [];
  });
}

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

// Every recording: those with a `diagnosis` block state their ground truth in finding codes and
// sentences; the older ones get theirs from `expect` (legacyDiagnosis). tests/lab-recordings.test.ts
// checks that every recording reads cleanly and matches its manifest.
const dirs = existsSync(LAB) ? readdirSync(LAB).filter((d) => existsSync(join(LAB, d, 'scenario.json'))).sort() : [];

test('the lab recordings are present', () => {
  assert.ok(dirs.length >= 50, `expected the recorded scenarios under ${LAB}, found ${dirs.length}`);
});

for (const dir of dirs) {
  const sc = JSON.parse(readFileSync(join(LAB, dir, 'scenario.json'), 'utf8')) as Scenario;
  for (const form of forms) {
    const inputs = form.inputs(join(LAB, dir));
    if (!inputs || !inputs.every((i) => existsSync(i.path))) continue;
    test(`${dir} via ${form.name}`, async () => {
      const warnings: string[] = [];
      const host = form.bundle ? bundleOf(join(LAB, dir), form.bundle) : undefined;
      const { findings, timeline, reports } = await analyzeCaptures(inputs, { warn: (m) => warnings.push(m), ...(host ? { host } : {}) });
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
        const blind = form.node !== undefined && (dx.blindFrom ?? []).includes(form.node);
        for (const c of blind ? [] : key === '*' ? causesFor(dx, form) : (dx.causes ?? [])) {
          const f = mine.find((x) => x.code === c.code && (c.vrid === undefined || x.vrid === c.vrid));
          assert.ok(f, `${got} — missing cause ${c.code}`);
          assert.equal(f.kind, 'cause', `${label}: ${c.code} is a cause`);
          assert.notEqual(f.severity, 'info', `${label}: ${c.code} is acted on`);
        }
        for (const s of blind ? [] : (!form.bundle && dx.wireOnly?.symptoms) || dx.symptoms || []) {
          const f = mine.find((x) => x.code === s);
          assert.ok(f, `${got} — missing symptom ${s}`);
          if (f.kind === 'symptom') assert.ok(f.causedBy, `${label}: ${s} names its cause`);
        }
        for (const code of [...(dx.forbid ?? []), ...(dx.notFindings ?? [])]) assert.ok(!mine.some((f) => f.code === code && serious(f)), `${got} — must not say ${code}`);
        // Causes come first in the report.
        const firstSerious = findings.find(serious);
        if (firstSerious && (dx.causes ?? []).length) assert.equal(firstSerious.kind, 'cause', `${label}: a cause comes first`);
        // The sentences belong to the causes: a form that cannot see any of them (another node's
        // bundle, a healthy-looking wire) has none to say.
        const seen = (dx.causes ?? []).length === 0 || causesFor(dx, form).length > 0;
        const say = !form.bundle && dx.wireOnly ? (dx.wireOnly.mustSay ?? []) : seen ? (dx.mustSay ?? []) : [];
        for (const s of [...(blind ? [] : say), ...(form.bundle && !blind && causesFor(dx, form).some((c) => c.culprit?.node === form.bundle) ? (dx.mustSayWithBundle ?? []) : [])]) assert.ok(report.replace(/\s+/g, ' ').includes(rename(s)), `${label}: the report must say "${rename(s)}"\n${report}`);
        for (const s of dx.mustNotSay ?? []) assert.ok(!report.includes(rename(s)), `${label}: the report must not say "${rename(s)}"`);
      }
    });
  }
}
