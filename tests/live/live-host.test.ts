// The incident with a sync group, live (root; `npm run test:live`): keepalived 2.x keeps node2's
// SERVICE in BACKUP, so the wire stays healthy while node2's firewall drops VRRP on eth0. vrrpscope
// in node2 puts keepalived's counters next to the wire: adverts-dropped-on-host for eth0 / VRID 51
// within 15 s of the DROP rule, naming it, and gone once an accepting rule is inserted.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN } from '../helpers/run-cli.js';
import { Lab, liveSkipReason, sleep } from './helpers/lab.js';

const skip = liveSkipReason();
type Line = { type: string; [k: string]: unknown };

describe('host correlation live in network namespaces', { skip }, () => {
  const lab = new Lab(`h${process.pid % 10000}`);
  before(() => lab.setup([1, 2]));
  after(() => {
    lab.destroy();
    lab.removeDir();
  });

  test('sync group + firewall on eth0: adverts-dropped-on-host appears within 15 s and goes away after the fix', async () => {
    lab.startKeepalived(1, { priority: 100, syncGroup: true, nopreempt: true });
    await lab.keepalivedReady(1);
    await lab.waitFor(() => lab.holders('192.168.2.1').includes(1), 8000, 'node1 master');
    lab.startKeepalived(2, { priority: 100, syncGroup: true, nopreempt: true });
    await lab.keepalivedReady(2);
    await sleep(1500);

    const child = spawn('ip', ['netns', 'exec', lab.ns(2), process.execPath, BIN, '-i', 'eth0', '-i', 'eth1', '--json', '--duration', '42s', '--keepalived-conf', lab.confPath(2), '--keepalived-interval', '2'], {
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: { at: number; l: Line }[] = [];
    let buf = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const p of parts) if (p.startsWith('{')) lines.push({ at: Date.now(), l: JSON.parse(p) as Line });
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const done = new Promise<number | null>((r) => child.on('close', r));

    await sleep(5000);
    for (const n of [1, 2]) lab.exec(n, 'iptables', ['-A', 'INPUT', '-i', 'eth0', '-p', 'vrrp', '-j', 'DROP']);
    const ruleAt = Date.now();
    await lab.waitFor(() => lines.some((x) => x.l.type === 'finding' && x.l['code'] === 'adverts-dropped-on-host'), 16_000, `adverts-dropped-on-host (stderr: ${stderr})`);
    const seen = lines.find((x) => x.l.type === 'finding' && x.l['code'] === 'adverts-dropped-on-host')!;
    assert.ok(seen.at - ruleAt <= 15_000, `appeared ${seen.at - ruleAt} ms after the rule`);
    assert.equal(seen.l['segment'], 'eth0');
    assert.equal(seen.l['vrid'], 51);
    assert.match(String(seen.l['message']), /-A INPUT -i eth0 -p vrrp -j DROP/);
    // The wire itself stays healthy: the sync group keeps node2 in BACKUP.
    assert.ok(!lines.some((x) => x.l.type === 'finding' && x.l['code'] === 'split-brain'));

    for (const n of [1, 2]) lab.exec(n, 'iptables', ['-I', 'INPUT', '1', '-i', 'eth0', '-p', 'vrrp', '-j', 'ACCEPT']);
    const status = await done;
    assert.equal(status, 0, stderr);
    const end = lines.findIndex((x) => x.l.type === 'summary');
    const summary = lines[end]!.l as unknown as { findings: { critical: number; warning: number; info: number }; vrids: { segment: string; vrid: number; keepalived?: { instance: string; syncGroup: string | null } }[] };
    const n = summary.findings.critical + summary.findings.warning + summary.findings.info;
    const final = lines.slice(end - n, end).map((x) => x.l);
    assert.deepEqual(
      final.filter((f) => f['severity'] !== 'info').map((f) => `${f['code']} ${f['segment']}`),
      [],
      'after the accepting rule the finding is gone and nothing else is wrong',
    );
    const eth0 = summary.vrids.find((v) => v.segment === 'eth0' && v.vrid === 51)!;
    assert.deepEqual(eth0.keepalived && [eth0.keepalived.instance, eth0.keepalived.syncGroup], ['SERVICE', 'G1']);
  });
});
