// The exporter without Prometheus: format negotiation, --metrics parsing, counters that stay
// monotonic while the model keeps only a window of events, and bounded cardinality over a long run
// with routers and VRIDs coming and going.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry, type RegistryContentType } from 'prom-client';
import { analyze } from '../src/analysis/analyze.js';
import { parseMetricsArgs } from '../src/cli/metrics-args.js';
import { Timeline } from '../src/model/timeline.js';
import { startMetricsServer, wantsOpenMetrics } from '../src/views/metrics/metrics-server.js';
import { snapshotModel } from '../src/views/metrics/model-snapshot.js';
import { VrrpMetrics, type MetricsFeed } from '../src/views/metrics/vrrp-metrics.js';
import { advert, at } from './helpers/synthetic-packets.js';
import { spawn } from 'node:child_process';
import { BIN, runCli } from './helpers/run-cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { metricsPort } from './helpers/prometheus.js';

const fail = (m: string): never => {
  throw new Error(m);
};

function feedOf(t: Timeline): MetricsFeed {
  return { snapshot: () => snapshotModel(t, analyze(t)), capture: () => [{ name: 'eth0', up: true, frames: t.counters.packets, dropped: 3 }] };
}

async function scrape(t: Timeline, expireNs?: bigint): Promise<{ text: () => Promise<string>; metrics: VrrpMetrics; registry: Registry<RegistryContentType> }> {
  const registry = new Registry<RegistryContentType>();
  const metrics = new VrrpMetrics(registry, feedOf(t), expireNs);
  return {
    metrics,
    registry,
    text: async () => {
      metrics.update();
      return registry.metrics();
    },
  };
}

function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function count(text: string, name: string): number {
  return text.split('\n').filter((l) => l.startsWith(name + '{')).length;
}

describe('--metrics option', () => {
  it('takes PORT, :PORT, ADDR:PORT, [v6]:PORT; loopback without an address', () => {
    assert.deepEqual(parseMetricsArgs('9688', undefined, fail)?.listen, { host: '127.0.0.1', port: 9688 });
    assert.deepEqual(parseMetricsArgs(':9688', undefined, fail)?.listen, { host: '127.0.0.1', port: 9688 });
    assert.deepEqual(parseMetricsArgs('0.0.0.0:9100', undefined, fail)?.listen, { host: '0.0.0.0', port: 9100 });
    assert.deepEqual(parseMetricsArgs('[::1]:9688', undefined, fail)?.listen, { host: '::1', port: 9688 });
    assert.equal(parseMetricsArgs('9688', '10m', fail)?.expireNs, 600_000_000_000n);
    assert.equal(parseMetricsArgs(undefined, undefined, fail), undefined);
  });
  it('refuses what is not an address and port, in one line', () => {
    assert.throws(() => parseMetricsArgs('eth0:9688', undefined, fail), /not an IP address/);
    assert.throws(() => parseMetricsArgs('99999', undefined, fail), /\[ADDRESS:\]PORT/);
    assert.throws(() => parseMetricsArgs('x', undefined, fail), /\[ADDRESS:\]PORT/);
    assert.throws(() => parseMetricsArgs('9688', 'soon', fail), /--metrics-expire/);
    assert.throws(() => parseMetricsArgs(undefined, '1h', fail), /goes with --metrics/);
  });
});

describe('--metrics on the command line', () => {
  it('bad usage: one line, status 2', () => {
    for (const args of [['--metrics', '99999'], ['--metrics', '9688', '--packets'], ['--metrics-expire', '1h'], ['--metrics', '9688', '--dashboard', '--report']]) {
      const r = runCli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it('a port in use: one line, status 2', async () => {
    const a = await startMetricsServer({ host: '127.0.0.1', port: 0 }, feedOf(new Timeline()));
    try {
      const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const c = spawn(process.execPath, [BIN, '-r', `${REPO_ROOT}tests/fixtures/lab/healthy/node2.pcapng`, '--metrics', String(a.port)], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.setEncoding('utf8').on('data', (x: string) => (err += x));
        c.on('close', (status) => resolve({ status, stderr: err }));
      });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `vrrpscope: --metrics: cannot listen on 127.0.0.1:${a.port} (the port is in use)\n`);
    } finally {
      await a.close();
    }
  });

  it('headless on a file: serves the final state after the input ends; SIGTERM ends it with status 0', async () => {
    const c = spawn(process.execPath, [BIN, '-r', `${REPO_ROOT}tests/fixtures/lab/no-master/node2.pcapng`, '--metrics', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.setEncoding('utf8').on('data', (x: string) => (out += x));
    const port = await metricsPort(c).port;
    const closed = new Promise<number | null>((r) => c.on('close', r));
    let body = '';
    for (let i = 0; i < 50 && !/vrrpscope_capture_up\{input="node2.pcapng"\} 0/.test(body); i++) {
      body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(body, /^vrrpscope_vrid_no_master\{segment="eth0",.*\} 1$/m);
    c.kill('SIGTERM');
    assert.equal(await closed, 0);
    assert.equal(out, '', 'no view: nothing on stdout');
  });
});

describe('format negotiation', () => {
  it("OpenMetrics when the scraper prefers it (Prometheus's own Accept), else the text format", () => {
    assert.equal(wantsOpenMetrics('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), true);
    assert.equal(wantsOpenMetrics('text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5'), false);
    assert.equal(wantsOpenMetrics(undefined), false);
    assert.equal(wantsOpenMetrics('*/*'), false);
  });

  it('serves both over HTTP, with the right content type; 404 elsewhere', async () => {
    const t = new Timeline();
    t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src: '192.168.2.11' }, 1) });
    const s = await startMetricsServer({ host: '127.0.0.1', port: 0 }, feedOf(t));
    try {
      const om = await fetch(s.url, { headers: { accept: 'application/openmetrics-text;version=1.0.0' } });
      assert.match(om.headers.get('content-type') ?? '', /^application\/openmetrics-text; version=1\.0\.0/);
      const omText = await om.text();
      assert.match(omText, /# EOF\n$/);
      assert.match(omText, /^# TYPE vrrpscope_router_adverts counter$/m);
      assert.match(omText, /^vrrpscope_router_adverts_total\{.*address="192\.168\.2\.11"\} 1$/m);
      const text = await (await fetch(s.url)).text();
      assert.match(text, /^# TYPE vrrpscope_router_adverts_total counter$/m);
      assert.doesNotMatch(text, /# EOF/);
      assert.equal((await fetch(s.url.replace('/metrics', '/nope'))).status, 404);
    } finally {
      await s.close();
    }
  });

  it('says which port is taken, in one line', async () => {
    const a = await startMetricsServer({ host: '127.0.0.1', port: 0 }, feedOf(new Timeline()));
    try {
      await assert.rejects(startMetricsServer({ host: '127.0.0.1', port: a.port }, feedOf(new Timeline())), /^Error: --metrics: cannot listen on 127\.0\.0\.1:\d+ \(the port is in use\)$/);
    } finally {
      await a.close();
    }
  });
});

describe('exporter series', () => {
  it('masters, split brain and the current master follow the model; counters only go up', async () => {
    const t = new Timeline();
    const s = await scrape(t);
    const L = '{segment="eth0",intf="eth0",vrid="51",family="4",part="",iname=""}';
    const feed = (src: string, prio: number, sec: number): void => t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src, prio }, sec) });
    for (let i = 0; i < 10; i++) feed('192.168.2.11', 100, i);
    let text = await s.text();
    assert.equal(value(text, `vrrpscope_vrid_masters${L}`), 1);
    assert.equal(value(text, `vrrpscope_vrid_split_brain${L}`), 0);
    assert.match(text, /vrrpscope_vrid_master_info\{.*address="192\.168\.2\.11",mac="02:00:00:00:00:0b"\} 1/);
    // A second router advertises as master too, for longer than master-down: split brain.
    for (let i = 10; i < 20; i++) {
      feed('192.168.2.11', 100, i);
      feed('192.168.2.12', 90, i + 0.5);
    }
    text = await s.text();
    assert.equal(value(text, `vrrpscope_vrid_masters${L}`), 2);
    assert.equal(value(text, `vrrpscope_vrid_split_brain${L}`), 1);
    // The first one stops: one master again, and the margin of the new one is positive.
    for (let i = 20; i < 30; i++) feed('192.168.2.12', 90, i + 0.5);
    text = await s.text();
    assert.equal(value(text, `vrrpscope_vrid_masters${L}`), 1);
    assert.equal(value(text, `vrrpscope_vrid_split_brain${L}`), 0);
    assert.ok(value(text, `vrrpscope_vrid_master_down_margin_seconds${L}`)! > 0);
    // Silence: the margin goes negative, no master.
    t.apply({ kind: 'tick', ts: at(40) });
    text = await s.text();
    assert.ok(value(text, `vrrpscope_vrid_master_down_margin_seconds${L}`)! < 0);
    assert.equal(value(text, `vrrpscope_vrid_no_master${L}`), 1);
    assert.equal(value(text, `vrrpscope_capture_kernel_drops_total{input="eth0"}`), 3);
  });

  it('master changes keep counting after the model let old ones go', async () => {
    const t = new Timeline();
    const s = await scrape(t);
    const L = '{segment="eth0",intf="eth0",vrid="51",family="4",part="",iname=""}';
    // Two routers take turns, each taking over after the other fell silent past master-down (an
    // unplanned change, so every return is a flap): 5000 changes, more than the model keeps.
    let sec = 0;
    let last = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 500; i++) {
        const src = i % 2 === 0 ? '192.168.2.11' : '192.168.2.12';
        t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src, prio: 100 }, sec) });
        t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src, prio: 100 }, sec + 1) });
        sec += 5.5;
      }
      const text = await s.text();
      const total = text.split('\n').filter((l) => l.startsWith(`vrrpscope_vrid_master_changes_total{`)).reduce((acc, l) => acc + Number(l.split(' ').pop()), 0);
      assert.ok(total > last, `round ${round}: ${total} after ${last}`);
      last = total;
      assert.ok(value(text, `vrrpscope_vrid_flaps_total${L}`)! > 0);
    }
    assert.ok(t.vrids.get('eth0|51|4|0')!.transitions.length < last, 'the model kept fewer changes than were counted');
  });

  it('bounded cardinality: 12 h of VRIDs and routers coming and going, series expire', async () => {
    const t = new Timeline();
    const expire = 1_800_000_000_000n; // 30 min
    const s = await scrape(t, expire);
    const GEN_S = 600;
    const PER_GEN = 20;
    const STEP_S = 5;
    let maxMasters = 0;
    let maxRouters = 0;
    let maxTracked = 0;
    let lastLen = 0;
    let firstLen = 0;
    for (let gen = 0; gen < 72; gen++) {
      // Each 10 min: a new segment with 20 VRIDs (new routers); a stable VRID whose backup changes.
      const start = gen * GEN_S;
      for (let sec = start; sec < start + GEN_S; sec += STEP_S) {
        for (let v = 1; v <= PER_GEN; v++) {
          t.apply({ kind: 'packet', segment: `eth${gen}`, packet: advert({ src: `10.${gen}.${v}.1`, vrid: v, cs: STEP_S * 100 }, sec) });
        }
        t.apply({ kind: 'packet', segment: 'core', packet: advert({ src: '10.255.0.1', vrid: 1, prio: 200, cs: STEP_S * 100 }, sec) });
        if (sec === start) t.apply({ kind: 'packet', segment: 'core', packet: advert({ src: `10.255.1.${gen + 1}`, vrid: 1, prio: 100, cs: STEP_S * 100 }, sec + 1) });
      }
      const text = await s.text();
      const masters = count(text, 'vrrpscope_vrid_masters');
      const routers = count(text, 'vrrpscope_router_priority');
      maxMasters = Math.max(maxMasters, masters);
      maxRouters = Math.max(maxRouters, routers);
      maxTracked = Math.max(maxTracked, s.metrics.trackedState);
      if (gen === 10) firstLen = text.length;
      lastLen = text.length;
    }
    // At most the generations seen within 30 min (this one and 3 before), plus the stable VRID.
    assert.ok(maxMasters <= 4 * PER_GEN + 1, `VRID series ${maxMasters}`);
    assert.ok(maxMasters >= 3 * PER_GEN, `VRID series ${maxMasters}: the test must keep several generations`);
    assert.ok(maxRouters <= 4 * PER_GEN + 1 + 4, `router series ${maxRouters}`);
    assert.ok(maxTracked <= 4 * PER_GEN + 1, `exporter state ${maxTracked}`);
    assert.ok(lastLen < firstLen * 1.2, `scrape grew from ${firstLen} to ${lastLen} bytes`);
    assert.ok(t.vrids.size > 1000, 'the model itself saw every generation');
  });
});
