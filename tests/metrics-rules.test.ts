// contrib/prometheus/vrrpscope-rules.yml under promtool: `check rules`, then `test rules` on series
// the exporter produces from the lab recordings (real keepalived, tests/lab), sampled every second of
// packet time as a scrape would: each alert fires where the lab has its fault and nothing fires on
// the healthy recordings. Alerts no lab recording exercises get hand-made series (say so below).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadBundle } from '../src/host/host-evidence.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/corpus.js';
import { requireBinary } from './helpers/prometheus.js';
import { promtoolValues, sampleRecording } from './helpers/scrape-series.js';

const RULES = `${REPO_ROOT}contrib/prometheus/vrrpscope-rules.yml`;

/** Metrics the rules read. */
const USED = new Set(
  [...readFileSync(RULES, 'utf8').matchAll(/vrrpscope_[a-z_]+/g)].map((m) => m[0]),
);

/**
 * Lab recording (node2's capture) → the alerts firing at its end, one entry per firing series (both
 * VRIDs lose their master in no-master; each virtual IP moves in lossy-eth0). They follow the
 * diagnosis: a cause and its symptoms, as docs/findings.md tells them.
 */
const LAB: Record<string, string[]> = {
  'firewall-eth0-both': ['VrrpCheckFirewall', 'VrrpSplitBrain'],
  'firewall-eth0-both-v2': ['VrrpCheckFirewall', 'VrrpSplitBrain'],
  'auth-mismatch': ['VrrpAuthMismatch'],
  'interval-mismatch': ['VrrpIntervalMismatch'],
  'vrid-conflict': ['VrrpVridConflict'],
  // advert-loss (VrrpCause), the master's silence it caused, and the VIPs' MAC moving back and forth.
  'lossy-eth0': ['VrrpCause', 'VrrpMasterSilent', 'VrrpVipMacFlipflop', 'VrrpVipMacFlipflop'],
  'lossy-eth0-v2': ['VrrpCause', 'VrrpMasterSilent'],
  // master-gone (VrrpCause) on both VRIDs, and no master on both.
  'no-master': ['VrrpCause', 'VrrpCause', 'VrrpNoMaster', 'VrrpNoMaster'],
  healthy: [],
  'healthy-v2': [],
  'failover-failback': [],
  'priority-track': [],
  'vrrpv3-ipv6': [],
};

/** sync-group-firewall, node2's capture with its keepalived dumps, log and iptables-save. */
const HOST_FIRING = ['VrrpAdvertsDroppedOnHost'];

type Test = { name: string; series: { series: string; values: string }[]; evalS: number; firing: string[] };

function promtoolFile(tests: readonly Test[]): string {
  const lines = [`rule_files: [${JSON.stringify(RULES)}]`, 'evaluation_interval: 1s', 'tests:'];
  for (const t of tests) {
    lines.push(`  # ${t.name}`, '  - interval: 1s', '    input_series:');
    for (const s of t.series) lines.push(`      - series: ${JSON.stringify(s.series)}`, `        values: ${JSON.stringify(s.values)}`);
    lines.push('    promql_expr_test:', '      - expr: count by (alertname) (ALERTS{alertstate="firing"})', `        eval_time: ${t.evalS}s`, '        exp_samples:');
    if (t.firing.length === 0) lines[lines.length - 1] += ' []';
    const counts = new Map<string, number>();
    for (const a of t.firing) counts.set(a, (counts.get(a) ?? 0) + 1);
    for (const [a, n] of counts) lines.push(`          - labels: '{alertname="${a}"}'`, `            value: ${n}`);
  }
  return lines.join('\n') + '\n';
}

function runPromtool(file: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('alert rules (promtool)', () => {
  it('promtool check rules passes', () => {
    requireBinary('promtool');
    const r = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('every alert has a severity, a code, a summary and a runbook link to an existing anchor', () => {
    const text = readFileSync(RULES, 'utf8');
    const blocks = text.split(/\n      - alert: /).slice(1);
    assert.ok(blocks.length >= 12);
    for (const b of blocks) {
      const name = b.split('\n')[0]!;
      assert.match(b, /severity: (critical|warning)/, name);
      assert.match(b, /code: ([a-z-]+|"\{\{ \$labels\.code \}\}")\n/, name);
      assert.match(b, /summary: "/, name);
      const link = /runbook_url: "?(docs\/[a-z-]+\.md)#([a-z-]+|\{\{ \$labels\.code \}\})"?\n/.exec(b);
      assert.ok(link, `${name}: runbook_url`);
      const doc = readFileSync(`${REPO_ROOT}${link[1]}`, 'utf8');
      // A link templated on the finding code: every code the expression selects needs its anchor.
      const codes = link[2]!.startsWith('{{') ? /code=~"([a-z|-]+)"/.exec(b)![1]!.split('|') : [link[2]!];
      for (const c of codes) assert.ok(doc.includes(`<a id="${c}"></a>`), `${name}: no anchor #${c} in ${link[1]}`);
    }
  });

  it('promtool test rules: series from the lab recordings fire the right alerts, none on healthy ones', async () => {
    requireBinary('promtool');
    const tests: Test[] = [];
    for (const [scenario, firing] of Object.entries(LAB)) {
      const { series, steps } = await sampleRecording(`${REPO_ROOT}tests/fixtures/lab/${scenario}/node2.pcapng`, USED, { job: 'vrrpscope', instance: 'lab', scenario });
      tests.push({ name: scenario, series: [...series].map(([s, v]) => ({ series: s, values: promtoolValues(v, steps) })), evalS: steps - 1, firing });
    }
    // With node2's keepalived dumps, log and firewall beside its capture: the drop is on this host.
    const d = `${REPO_ROOT}tests/fixtures/lab/sync-group-firewall/`;
    const json = readdirSync(d).filter((f) => f.startsWith('node2-json-')).sort().map((f) => `${d}${f}@${f.slice('node2-json-'.length, -'.json'.length)}`);
    const host = loadBundle({ conf: `${d}node2.conf`, json, log: `${d}node2.log`, firewall: [`${d}node2.iptables-save`] });
    assert.deepEqual(host.problems, []);
    const withBundle = await sampleRecording(`${d}node2.pcapng`, USED, { job: 'vrrpscope', instance: 'lab', scenario: 'sync-group-firewall+host' }, host);
    // keepalived's instance names label the series (joinable with keepalived exporters' iname).
    assert.ok([...withBundle.series.keys()].some((k) => k.startsWith('vrrpscope_vrid_host_drop_confirmed{') && k.includes('iname="SERVICE"')), [...withBundle.series.keys()].join('\n'));
    tests.push({ name: 'sync-group-firewall with node2 bundle', series: [...withBundle.series].map(([s, v]) => ({ series: s, values: promtoolValues(v, withBundle.steps) })), evalS: withBundle.steps - 1, firing: HOST_FIRING });
    tests.push(...SYNTHETIC);
    const dir = mkdtempSync(join(tmpdir(), 'vsm-rules-'));
    try {
      const file = join(dir, 'lab.test.yml');
      writeFileSync(file, promtoolFile(tests));
      const r = runPromtool(file);
      assert.equal(r.status, 0, r.out);
      // And the test can fail: expecting silence where the split brain is must be refused.
      writeFileSync(file, promtoolFile([{ ...tests[0]!, firing: [] }]));
      assert.notEqual(runPromtool(file).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const L = 'segment="eth0",intf="eth0",vrid="51",family="4",job="vrrpscope",instance="lab"';

/** No lab recording has these faults (yet): hand-made series with the exporter's labels. */
const SYNTHETIC: Test[] = [
  { name: 'version mismatch (synthetic)', series: [{ series: `vrrpscope_vrid_mismatch{${L},kind="version"}`, values: '0 0 1x20' }], evalS: 20, firing: ['VrrpVersionMismatch'] },
  { name: 'GARP missing after a takeover (synthetic)', series: [{ series: `vrrpscope_vrid_garp_missing{${L}}`, values: '0x5 1x15' }], evalS: 20, firing: ['VrrpGarpMissing'] },
  { name: 'fast flapping (synthetic)', series: [{ series: `vrrpscope_vrid_flaps_total{${L}}`, values: '0 0 1 2 3 4 5 6 7 8 9' }], evalS: 10, firing: ['VrrpFlapping', 'VrrpFlappingFast'] },
  { name: 'capture down for a minute (synthetic)', series: [{ series: 'vrrpscope_capture_up{input="eth0",job="vrrpscope",instance="lab"}', values: '1x10 0x80' }], evalS: 85, firing: ['VrrpCaptureDown'] },
  { name: 'kernel drops (synthetic)', series: [{ series: 'vrrpscope_capture_kernel_drops_total{input="eth0",job="vrrpscope",instance="lab"}', values: '0x10 40x10' }], evalS: 20, firing: ['VrrpCaptureDrops'] },
  { name: 'exporter unreachable (synthetic)', series: [{ series: 'up{job="vrrpscope",instance="lab"}', values: '1x10 0x80' }], evalS: 85, firing: ['VrrpscopeDown'] },
];
