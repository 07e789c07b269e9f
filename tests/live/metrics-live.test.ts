// The exporter on live capture, against real keepalived in network namespaces (root; `npm run
// test:live`): vrrpscope -i eth0 -i eth1 --metrics (headless) inside node2, a real Prometheus in the
// same namespace scraping it every second. PromQL shows one master, then two while a firewall drops
// VRRP on eth0 on both nodes (split brain, the alert firing), one again once the rules are gone,
// and the master-down margin going negative when both daemons are killed. Namespaces: vsm-lm-*.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../helpers/corpus.js';
import { metricsPort, Prometheus, requireBinary } from '../helpers/prometheus.js';
import { BIN } from '../helpers/run-cli.js';
import { Lab, liveSkipReason, sleep } from './helpers/lab.js';

const skip = liveSkipReason();
const RULES = `${REPO_ROOT}contrib/prometheus/vrrpscope-rules.yml`;
const ETH0 = '{intf="eth0",vrid="51"}';
const ETH1 = '{intf="eth1",vrid="52"}';
const DROP = ['INPUT', '-i', 'eth0', '-p', 'vrrp', '-j', 'DROP'];

describe('exporter on live capture, scraped by Prometheus (keepalived in namespaces)', { skip }, () => {
  const lab = new Lab('lm', 'vsm');
  let prom: Prometheus;
  let exporter: ChildProcess | undefined;
  let stderr = (): string => '';
  let t0 = 0;

  before(async () => {
    requireBinary('prometheus');
    lab.setup([1, 2]);
    lab.startKeepalived(1, { priority: 150 });
    lab.startKeepalived(2, { priority: 100 });
    await Promise.all([lab.keepalivedReady(1), lab.keepalivedReady(2)]);
    exporter = spawn('ip', ['netns', 'exec', lab.ns(2), process.execPath, BIN, '-i', 'eth0', '-i', 'eth1', '--metrics', '127.0.0.1:0', '--keepalived-interval', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const m = metricsPort(exporter);
    stderr = m.stderr;
    const port = await m.port;
    prom = new Prometheus(lab.ns(2));
    await prom.start([{ address: `127.0.0.1:${port}`, labels: {} }], [RULES]);
    t0 = Date.now() / 1000;
  });

  after(async () => {
    if (exporter?.pid !== undefined && exporter.exitCode === null) exporter.kill('SIGTERM');
    await prom?.stop();
    lab.destroy();
    lab.removeDir();
  });

  test('one master on each VRID once the cluster has settled', async () => {
    await prom.waitFor(`vrrpscope_vrid_masters${ETH0} == 1 and on() vrrpscope_vrid_masters${ETH1} == 1`, (s) => s.length === 1, 30_000);
    const info = await prom.waitFor(`vrrpscope_vrid_master_info${ETH0}`, (s) => s.length === 1 && s[0]!.metric['address'] === '192.168.2.11', 20_000);
    assert.equal(info[0]!.metric['mac'], '02:00:00:5e:01:00');
    assert.equal((await prom.query(`vrrpscope_capture_up{input="eth0"}`))[0]?.value, 1);
  });

  test('a firewall on eth0 of both nodes: masters > 1 and the split-brain alert fires; eth1 keeps one', async () => {
    for (const n of [1, 2]) lab.exec(n, 'iptables', ['-A', ...DROP]);
    await prom.waitFor(`vrrpscope_vrid_masters${ETH0} > 1`, (s) => s.length === 1, 20_000);
    await prom.waitFor(`vrrpscope_vrid_split_brain${ETH0} == 1`, (s) => s.length === 1, 20_000);
    await prom.waitFor(`ALERTS{alertname="VrrpSplitBrain",alertstate="firing",intf="eth0"}`, (s) => s.length === 1, 30_000);
    assert.equal((await prom.query(`vrrpscope_vrid_masters${ETH1}`))[0]?.value, 1);
  });

  test('the firewall rules go: back to one master, the split brain and its alert end', async () => {
    for (const n of [1, 2]) lab.exec(n, 'iptables', ['-D', ...DROP]);
    await prom.waitFor(`vrrpscope_vrid_masters${ETH0} == 1`, (s) => s.length === 1, 20_000);
    await prom.waitFor(`vrrpscope_vrid_split_brain${ETH0} == 0`, (s) => s.length === 1, 20_000);
    const span = `${Math.ceil(Date.now() / 1000 - t0) + 5}s`;
    assert.equal((await prom.query(`max_over_time(vrrpscope_vrid_masters${ETH1}[${span}])`))[0]?.value, 1);
    assert.equal((await prom.query(`max_over_time(vrrpscope_vrid_split_brain${ETH0}[${span}])`))[0]?.value, 1);
    await prom.waitFor(`ALERTS{alertname="VrrpSplitBrain",intf="eth0"}`, (s) => s.length === 0, 20_000);
  });

  test('both daemons killed (no priority-0 advert): the master-down margin goes negative, no master', async () => {
    assert.ok((await prom.query(`vrrpscope_vrid_master_down_margin_seconds${ETH0}`))[0]!.value > 0);
    // SIGKILL by pid (keepalived's parent and its VRRP child), backup first, as the no-master recording.
    for (const n of [2, 1]) {
      for (const f of ['vrrp.pid', 'keepalived.pid']) {
        try {
          process.kill(Number(readFileSync(join(lab.dir, `n${n}`, f), 'utf8').trim()), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(300);
    }
    await prom.waitFor(`vrrpscope_vrid_master_down_margin_seconds${ETH0} < 0`, (s) => s.length === 1, 20_000);
    await prom.waitFor(`vrrpscope_vrid_no_master${ETH0} == 1`, (s) => s.length === 1, 20_000);
    assert.match(stderr(), /capturing on eth0, eth1/);
  });
});
