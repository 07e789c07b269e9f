// The exporter against a real Prometheus: vrrpscope reads lab recordings (real keepalived, see
// tests/lab) from standard input, paced by their packet timestamps at 2x, with --metrics and no
// view; Prometheus scrapes every second and evaluates contrib/prometheus/vrrpscope-rules.yml; the
// assertions are PromQL over its HTTP API. Also `promtool check metrics` on a real scrape.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from './helpers/corpus.js';
import { pace, pcapngBlocks } from './helpers/paced-pcapng.js';
import { metricsPort, Prometheus, requireBinary } from './helpers/prometheus.js';
import { BIN } from './helpers/run-cli.js';

const SPEED = 2;
const RULES = `${REPO_ROOT}contrib/prometheus/vrrpscope-rules.yml`;
const SCENARIOS = {
  split: 'firewall-eth0-both',
  failover: 'failover-failback',
  lossy: 'lossy-eth0-v2',
  nomaster: 'no-master',
  healthy: 'healthy',
} as const;
type Name = keyof typeof SCENARIOS;

type Exporter = { readonly name: Name; readonly child: ChildProcess; readonly port: number; stderr: () => string };

async function startExporter(name: Name): Promise<Exporter> {
  const child = spawn(process.execPath, [BIN, '-r', '-', '--metrics', '127.0.0.1:0'], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
  const m = metricsPort(child);
  return { name, child, port: await m.port, stderr: m.stderr };
}

const sel = (name: Name, intf: string): string => `{scenario="${name}",intf="${intf}"}`;

describe('exporter scraped by a real Prometheus (lab recordings, paced stream)', () => {
  const prom = new Prometheus();
  const exporters: Exporter[] = [];
  let t0 = 0;
  let t1 = 0;
  let splitSeen: number | undefined;
  let nomasterMarginNegative: number | undefined;

  before(async () => {
    requireBinary('promtool');
    for (const name of Object.keys(SCENARIOS) as Name[]) exporters.push(await startExporter(name));
    await prom.start(
      exporters.map((e) => ({ address: `127.0.0.1:${e.port}`, labels: { scenario: e.name } })),
      [RULES],
    );
    await prom.waitFor('count(up{job="vrrpscope"} == 1)', (s) => s[0]?.value === exporters.length, 20_000);
    t0 = Date.now() / 1000;
    // All recordings at once, each on its own exporter; meanwhile watch for the live states.
    const streams = exporters.map((e) =>
      pace(pcapngBlocks(`${REPO_ROOT}tests/fixtures/lab/${SCENARIOS[e.name]}/node2.pcapng`), SPEED, (b) => void e.child.stdin!.write(b)).then(() => e.child.stdin!.end()),
    );
    const watch = (async () => {
      const end = Date.now() + 40_000;
      while ((splitSeen === undefined || nomasterMarginNegative === undefined) && Date.now() < end) {
        if (splitSeen === undefined && (await prom.query(`vrrpscope_vrid_masters${sel('split', 'eth0')} > 1`)).length > 0) splitSeen = Date.now() / 1000;
        if (nomasterMarginNegative === undefined && (await prom.query(`vrrpscope_vrid_master_down_margin_seconds${sel('nomaster', 'eth0')} < 0`)).length > 0) nomasterMarginNegative = Date.now() / 1000;
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
    await Promise.all([...streams, watch]);
    // Let Prometheus scrape the final states (the exporters keep serving after their input ends).
    await new Promise((r) => setTimeout(r, 3000));
    t1 = Date.now() / 1000;
  });

  after(async () => {
    for (const e of exporters) e.child.kill('SIGTERM');
    await prom.stop();
  });

  const window = (): string => `${Math.ceil(t1 - t0) + 5}s`;

  it('Prometheus scrapes every exporter and the stream got through', async () => {
    for (const e of exporters) {
      const up = await prom.query(`up{scenario="${e.name}"}`);
      assert.equal(up[0]?.value, 1, `${e.name} up`);
      const frames = await prom.query(`vrrpscope_capture_frames_total{scenario="${e.name}"}`);
      assert.ok((frames[0]?.value ?? 0) > 40, `${e.name}: frames ${JSON.stringify(frames)} ${e.stderr()}`);
      // The stream ended: the input is no longer captured.
      assert.equal((await prom.query(`vrrpscope_capture_up{scenario="${e.name}"}`))[0]?.value, 0);
    }
  });

  it('split brain: masters > 1 on eth0 while it lasts, eth1 keeps one master', async () => {
    assert.ok(splitSeen !== undefined, 'vrrpscope_vrid_masters > 1 was never seen during the split-brain recording');
    assert.equal((await prom.query(`vrrpscope_vrid_split_brain${sel('split', 'eth0')}`))[0]?.value, 1);
    assert.equal((await prom.query(`max_over_time(vrrpscope_vrid_masters${sel('split', 'eth1')}[${window()}])`))[0]?.value, 1);
    assert.equal((await prom.query(`max_over_time(vrrpscope_vrid_split_brain${sel('split', 'eth1')}[${window()}])`))[0]?.value, 0);
  });

  it('failover and failback: one master again at the end, and it is the preempting node', async () => {
    const masters = await prom.range(`vrrpscope_vrid_masters${sel('failover', 'eth0')}`, t0, t1);
    const v = masters[0]?.values ?? [];
    assert.equal(v[v.length - 1], 1, `masters over time: ${v.join(' ')}`);
    const changes = await prom.query(`sum(vrrpscope_vrid_master_changes_total${sel('failover', 'eth0')})`);
    assert.ok((changes[0]?.value ?? 0) >= 2, `changes ${JSON.stringify(changes)}`);
    const info = await prom.query(`vrrpscope_vrid_master_info${sel('failover', 'eth0')}`);
    assert.deepEqual(info.map((s) => s.metric['address']), ['192.168.2.11']);
  });

  it('lossy link: the flap counter rises (and stays 0 on the healthy cluster)', async () => {
    const flaps = await prom.range(`vrrpscope_vrid_flaps_total${sel('lossy', 'eth0')}`, t0, t1);
    const v = flaps[0]?.values ?? [];
    assert.ok(v.length > 5, `samples: ${v.join(' ')}`);
    assert.ok(v[v.length - 1]! > v[0]!, `flaps over time: ${v.join(' ')}`);
    for (let i = 1; i < v.length; i++) assert.ok(v[i]! >= v[i - 1]!, `counter went down: ${v.join(' ')}`);
    const healthy = await prom.query(`max_over_time(vrrpscope_vrid_flaps_total{scenario="healthy"}[${window()}])`);
    assert.equal(healthy.length, 2);
    for (const s of healthy) assert.equal(s.value, 0);
  });

  it('no master: the master-down margin goes from positive to negative when the master stops', async () => {
    assert.ok(nomasterMarginNegative !== undefined, 'the margin never went negative');
    assert.ok((await prom.query(`max_over_time(vrrpscope_vrid_master_down_margin_seconds${sel('nomaster', 'eth0')}[${window()}])`))[0]!.value > 0);
    assert.ok((await prom.query(`vrrpscope_vrid_master_down_margin_seconds${sel('nomaster', 'eth0')}`))[0]!.value < 0);
    assert.equal((await prom.query(`vrrpscope_vrid_no_master${sel('nomaster', 'eth0')}`))[0]?.value, 1);
  });

  it('the rules fire where the lab has a fault and stay silent on the healthy cluster', async () => {
    const alerts = await prom.query(`ALERTS`);
    const has = (name: Name, alert: string): boolean => alerts.some((a) => a.metric['scenario'] === name && a.metric['alertname'] === alert);
    assert.ok(has('split', 'VrrpSplitBrain'), JSON.stringify(alerts.map((a) => a.metric)));
    assert.ok(has('split', 'VrrpCheckFirewall'));
    assert.ok(has('nomaster', 'VrrpNoMaster'));
    assert.ok(alerts.some((a) => a.metric['scenario'] === 'nomaster' && a.metric['alertname'] === 'VrrpCause' && a.metric['code'] === 'master-gone'));
    assert.ok(has('lossy', 'VrrpMasterSilent'));
    const healthy = alerts.filter((a) => a.metric['scenario'] === 'healthy' && a.metric['alertname'] !== 'VrrpCaptureDown');
    assert.deepEqual(healthy.map((a) => a.metric['alertname']), []);
  });

  it('every query of the Grafana dashboard runs on this Prometheus, and returns data', async () => {
    const dash = JSON.parse(readFileSync(`${REPO_ROOT}contrib/grafana/vrrpscope-dashboard.json`, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const p of dash.panels) {
      for (const t of p.targets) {
        const q = t.expr.replace(/\$(instance|intf|vrid)/g, '.*').replace(/\[10m\]|\[5m\]|\[1m\]/g, `[${window()}]`);
        const r = await prom.query(q);
        assert.ok(r.length > 0, `${p.title}: ${q} returned nothing`);
      }
    }
  });

  it('promtool check metrics passes on a real scrape (Prometheus text format)', async () => {
    for (const e of exporters) {
      const body = await (await fetch(`http://127.0.0.1:${e.port}/metrics`)).text();
      assert.match(body, /^vrrpscope_vrid_masters\{/m);
      const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
      assert.equal(r.status, 0, `${e.name}: ${r.stdout}${r.stderr}`);
    }
  });
});
