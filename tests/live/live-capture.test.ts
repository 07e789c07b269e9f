// Live capture against real keepalived in network namespaces (root; `npm run test:live`):
// vrrpscope -i eth0 -i eth1 --json inside node2 while the cluster starts, while a firewall drops
// VRRP on eth0, while the master stops, while eth0 goes down and up; -w files read by tcpdump and
// replayed; the error messages (no privileges, no cap binding, unknown interface); -Z.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { BIN } from '../helpers/run-cli.js';
import { Lab, liveSkipReason, sh, sleep } from './helpers/lab.js';

const skip = liveSkipReason();

type Line = { type: string; [k: string]: unknown };
type Run = {
  /** Resolves when a line matching `pred` arrived (rejects after timeoutMs). */
  until(pred: (l: Line) => boolean, timeoutMs: number): Promise<Line>;
  readonly pid: number;
  readonly done: Promise<{ status: number | null; lines: Line[]; stderr: string }>;
};

/** Starts vrrpscope inside a namespace. */
function runIn(lab: Lab, node: number, args: readonly string[], env: Record<string, string> = {}): Run {
  const child = spawn('ip', ['netns', 'exec', lab.ns(node), process.execPath, BIN, ...args], { env: { ...process.env, TZ: 'UTC', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  let buf = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    buf += s;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Line);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<{ status: number | null; lines: Line[]; stderr: string }>((r) => child.on('close', (status) => r({ status, lines, stderr })));
  return {
    pid: child.pid!,
    done,
    until(pred, timeoutMs) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out; lines so far: ${lines.map((l) => JSON.stringify(l).slice(0, 160)).join('\n')}\nstderr: ${stderr}`)), timeoutMs);
        const check = (): void => {
          const l = lines.find(pred);
          if (l) {
            clearTimeout(t);
            resolve(l);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

type Summary = {
  vrids: { segment: string; vrid: number; master: string | null; routers: { address: string; thisHost: boolean }[]; adverts: number }[];
  capture: { dropped: number | null; interfaces: { name: string; state: string; frames: number; received: number | null; dropped: number | null; opens: number }[] };
};
type FindingLine = { code: string; segment: string | null; vrid: number | null; severity: string };

function summaryOf(lines: Line[]): Summary {
  const s = lines.filter((l) => l.type === 'summary');
  assert.equal(s.length, 1, 'exactly one summary');
  return s[0] as unknown as Summary;
}

/** The final findings: the summary's count of finding lines right before it (live --json also streams them earlier). */
function finalFindings(lines: Line[]): FindingLine[] {
  const end = lines.findIndex((l) => l.type === 'summary');
  const c = lines[end]!['findings'] as { critical: number; warning: number; info: number };
  const n = c.critical + c.warning + c.info;
  const out = lines.slice(end - n, end);
  assert.ok(out.every((l) => l.type === 'finding'));
  return out as unknown as FindingLine[];
}

const has = (fs: FindingLine[], code: string, segment: string): boolean => fs.some((f) => f.code === code && f.segment === segment);

describe('live capture in network namespaces', { skip }, () => {
  const lab = new Lab(`t${process.pid % 10000}`);
  const file = (n: string): string => `${lab.dir}/${n}`;

  before(() => {
    lab.setup([1, 2]);
  });
  after(() => {
    lab.destroy();
    lab.removeDir();
  });

  test('the cluster starting: masters and VRIDs, streamed as they happen; -w is read by tcpdump and replays to the same findings', async () => {
    const run = runIn(lab, 2, ['-i', 'eth0', '-i', 'eth1', '--json', '--duration', '12s', '-w', file('start.pcapng')]);
    await sleep(1000);
    // node2 (priority 100) first: it becomes master; then node1 (150) preempts it.
    lab.startKeepalived(2, { priority: 100 });
    await lab.keepalivedReady(2);
    await lab.waitFor(() => lab.holders('192.168.2.1').includes(2), 8000, 'node2 master');
    lab.startKeepalived(1, { priority: 150 });
    await lab.keepalivedReady(1);
    // The preemption is streamed while the capture runs, not only at the end.
    const t = await run.until((l) => l.type === 'transition' && l['segment'] === 'eth0', 5000);
    assert.deepEqual([t['from'], t['to'], t['reason']], ['192.168.2.12', '192.168.2.11', 'preemption']);
    const { status, lines, stderr } = await run.done;
    assert.equal(status, 0, stderr);
    const s = summaryOf(lines);
    const masters = Object.fromEntries(s.vrids.map((v) => [`${v.segment}/${v.vrid}`, v.master]));
    assert.deepEqual(masters, { 'eth0/51': '192.168.2.11', 'eth1/52': '10.1.2.11' });
    assert.deepEqual(
      s.capture.interfaces.map((i) => [i.name, i.state, i.dropped]),
      [
        ['eth0', 'up', 0],
        ['eth1', 'up', 0],
      ],
    );
    const transitions = lines.filter((l) => l.type === 'transition').map((l) => `${l['segment']}/${l['vrid']}→${l['to']}`);
    const eth0 = s.vrids.find((v) => v.segment === 'eth0')!;
    assert.ok(eth0.routers.some((r) => r.address === '192.168.2.12' && r.thisHost), 'node2 knows its own adverts');
    assert.ok(eth0.routers.some((r) => r.address === '192.168.2.11' && !r.thisHost));
    assert.ok(transitions.includes('eth0/51→192.168.2.11') && transitions.includes('eth1/52→10.1.2.11'), transitions.join(', '));

    for (const i of s.capture.interfaces) assert.ok(i.received !== null && Math.abs(i.received - i.frames) <= 2, `${i.name}: kernel ${i.received}, seen ${i.frames}`);
    // The recording: tcpdump reads every frame, with the interface names; the replay agrees.
    const frames = s.capture.interfaces.reduce((n, i) => n + i.frames, 0);
    const td = spawnSync('tcpdump', ['-n', '-r', file('start.pcapng')], { encoding: 'utf8' });
    assert.equal(td.status, 0, td.stderr);
    assert.equal(td.stdout.trim().split('\n').length, frames);
    assert.match(td.stdout, /VRRPv2, Advertisement, vrid 51, prio 150/);
    const names = sh('tshark', ['-r', file('start.pcapng'), '-T', 'fields', '-e', 'frame.interface_name'], { allowFail: true });
    if (names) assert.deepEqual([...new Set(names.trim().split('\n'))].sort(), ['eth0', 'eth1']);
    const replay = spawnSync(process.execPath, [BIN, '-r', file('start.pcapng'), '--json'], { encoding: 'utf8' });
    const rlines = replay.stdout.trim().split('\n').map((l) => JSON.parse(l) as Line);
    const key = (f: FindingLine): string => `${f.code}|${f.segment}|${f.vrid}`;
    assert.deepEqual(finalFindings(rlines).map(key), finalFindings(lines).map(key));
    assert.deepEqual(
      summaryOf(rlines).vrids.map((v) => [v.segment, v.vrid, v.master, v.adverts]),
      s.vrids.map((v) => [v.segment, v.vrid, v.master, v.adverts]),
    );
  });

  test('iptables drops VRRP on eth0 on both nodes: split-brain and check-firewall for eth0, live (and the incident page and ticket at the end)', async () => {
    for (const n of [1, 2]) lab.exec(n, 'iptables', ['-A', 'INPUT', '-i', 'eth0', '-p', 'vrrp', '-j', 'DROP']);
    try {
      const run = runIn(lab, 2, ['-i', 'eth0', '-i', 'eth1', '--json', '--duration', '10s', '--html', file('split.html'), '--markdown', file('split.md')]);
      // Streamed while running: node2 stops hearing node1 on eth0 and claims mastership too.
      const split = await run.until((l) => l.type === 'finding' && l['code'] === 'split-brain', 10_000);
      assert.equal(split['segment'], 'eth0');
      const { lines } = await run.done;
      const fs = finalFindings(lines);
      assert.ok(has(fs, 'split-brain', 'eth0'), JSON.stringify(fs));
      // The cause: from the wire (a steady split of two master-down intervals: check-firewall) or, as
      // keepalived's own counters and the ruleset are read live beside it, confirmed on this host.
      assert.ok(has(fs, 'check-firewall', 'eth0') || has(fs, 'adverts-dropped-on-host', 'eth0'), JSON.stringify(fs));
      assert.ok(!fs.some((f) => f.segment === 'eth1' && f.severity !== 'info'), 'eth1 stays healthy');
      const eth0 = summaryOf(lines).vrids.find((v) => v.segment === 'eth0')!;
      assert.ok(eth0.routers.some((r) => r.address === '192.168.2.12' && r.thisHost), 'this host advertises on eth0');
      // Written when the live run ends: the cause first, the split brain drawn on eth0, the packets behind the marks.
      const html = readFileSync(file('split.html'), 'utf8');
      assert.match(html, /<ol class="causes"><li>.*?<code class="code">(?:check-firewall|adverts-dropped-on-host)<\/code> <span class="mono">eth0\/51<\/span>/s);
      assert.match(html, /<section class="vrid" id="v\d+" data-vrid="eth0\/51">(?:(?!<\/section>).)*<rect class="split"/s);
      // (a takeover mark only when the second master is the better one: a worse one's claim is the split itself)
      assert.match(html, /<g class="mark (?:takeover|garp)"[^>]* data-detail="[^"]* — frame \d+ of eth0/);
      assert.match(html, /eth0 \(live, up/);
      const md = readFileSync(file('split.md'), 'utf8');
      assert.match(md, /### Cause\n\n1\. \*\*CRITICAL\*\* `(?:check-firewall|adverts-dropped-on-host)` on eth0\/51: /);
    } finally {
      for (const n of [1, 2]) lab.exec(n, 'iptables', ['-D', 'INPUT', '-i', 'eth0', '-p', 'vrrp', '-j', 'DROP'], { allowFail: true });
    }
    await lab.waitFor(() => lab.holders('192.168.2.1').length === 1, 15_000, 'one master on eth0 again');
  });

  test('stopping the master: priority-zero and master-change', async () => {
    const run = runIn(lab, 2, ['-i', 'eth0', '-i', 'eth1', '--json', '--duration', '7s']);
    await run.until((l) => l.type === 'interface' || l.type === 'transition', 500).catch(() => undefined);
    await sleep(2000);
    await lab.stopKeepalived(1);
    const { lines } = await run.done;
    const fs = finalFindings(lines);
    for (const seg of ['eth0', 'eth1']) {
      assert.ok(has(fs, 'priority-zero', seg), `priority-zero on ${seg}: ${JSON.stringify(fs)}`);
      assert.ok(has(fs, 'master-change', seg), `master-change on ${seg}`);
    }
    const masters = Object.fromEntries(summaryOf(lines).vrids.map((v) => [`${v.segment}/${v.vrid}`, v.master]));
    assert.deepEqual(masters, { 'eth0/51': '192.168.2.12', 'eth1/52': '10.1.2.12' });
  });

  test('eth0 going down and up is survived: shown down, re-opened, eth1 runs on', async () => {
    const run = runIn(lab, 2, ['-i', 'eth0', '-i', 'eth1', '--json', '--duration', '10s', '-w', file('flap.pcapng')]);
    await sleep(2500);
    sh('ip', ['-n', lab.ns(2), 'link', 'set', 'eth0', 'down']);
    await run.until((l) => l.type === 'interface' && l['name'] === 'eth0' && l['state'] === 'down', 3000);
    await sleep(2000);
    sh('ip', ['-n', lab.ns(2), 'link', 'set', 'eth0', 'up']);
    await run.until((l) => l.type === 'interface' && l['name'] === 'eth0' && l['state'] === 'up', 4000);
    const { status, lines, stderr } = await run.done;
    assert.notEqual(status, 2, stderr);
    const s = summaryOf(lines);
    const eth0 = s.capture.interfaces.find((i) => i.name === 'eth0')!;
    assert.equal(eth0.state, 'up');
    assert.equal(eth0.opens, 2);
    // node2 is master on both (node1 stopped above): eth1 adverts kept coming all along.
    const eth1 = s.vrids.find((v) => v.segment === 'eth1')!;
    assert.ok(eth1.adverts >= 8, `eth1 adverts: ${eth1.adverts}`);
    const td = spawnSync('tcpdump', ['-n', '-r', file('flap.pcapng')], { encoding: 'utf8' });
    assert.equal(td.status, 0, td.stderr);
  });

  test('frames reach the model through a stream where no FIFO can be made (no mkfifo), and the kernel counted what was seen', async () => {
    // PATH without mkfifo (nor anything else): the workers' frames then come over a stream pipe.
    const ip = sh('sh', ['-c', 'command -v ip']).trim();
    const child = spawn(ip, ['netns', 'exec', lab.ns(2), process.execPath, BIN, '-i', 'eth0', '-i', 'eth1', '--json', '--duration', '5s'], { env: { PATH: '/nonexistent', TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (x: string) => (out += x));
    child.stderr.setEncoding('utf8').on('data', (x: string) => (err += x));
    const status = await new Promise<number | null>((r) => child.on('close', r));
    assert.notEqual(status, 2, err);
    const lines = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    const s = summaryOf(lines);
    const masters = Object.fromEntries(s.vrids.map((v) => [`${v.segment}/${v.vrid}`, v.master]));
    assert.deepEqual(masters, { 'eth0/51': '192.168.2.12', 'eth1/52': '10.1.2.12' });
    for (const i of s.capture.interfaces) {
      assert.ok(i.frames >= 4, `${i.name}: ${i.frames} frames`);
      // The workers read the kernel's counters before closing their handles: nothing goes missing.
      assert.ok(i.received !== null && Math.abs(i.received - i.frames) <= 2, `${i.name}: kernel ${i.received}, seen ${i.frames}`);
    }
  });

  test('-Z drops root once the handles are open', async () => {
    const run = runIn(lab, 2, ['-i', 'eth0', '--report', '--duration', '4s', '-Z', 'nobody']);
    await sleep(2500);
    // The vrrpscope process (child of `ip netns exec`, which execs it: same pid) and its workers.
    const users = sh('ps', ['-o', 'user=', '--ppid', String(run.pid), '-p', String(run.pid)], { allowFail: true }).trim().split(/\s+/);
    const { status, stderr } = await run.done;
    assert.ok(users.length >= 2 && users.every((u) => u === 'nobody'), `users: ${users.join(',')}; ${stderr}`);
    assert.notEqual(status, 2, stderr);
  });

  test('what to do when capture is not possible: no privileges, no cap binding, unknown interface', () => {
    const asNobody = spawnSync('ip', ['netns', 'exec', lab.ns(2), 'setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', process.execPath, BIN, '--report'], { encoding: 'utf8' });
    assert.equal(asNobody.status, 2);
    const line = asNobody.stderr.trim();
    assert.equal(line.split('\n').length, 1, line);
    assert.match(line, /sudo/);
    assert.match(line, /setcap cap_net_raw,cap_net_admin=eip \$\(readlink -f \$\(which node\)\)/);
    assert.match(line, /every node script/);

    const noCap = spawnSync('ip', ['netns', 'exec', lab.ns(2), process.execPath, BIN, '--report'], { encoding: 'utf8', env: { ...process.env, VRRPSCOPE_NO_CAP: '1' } });
    assert.equal(noCap.status, 2);
    assert.match(noCap.stderr, /libpcap-dev/);
    assert.match(noCap.stderr, /libpcap-devel/);
    assert.match(noCap.stderr, /npm rebuild cap/);
    const replay = spawnSync(process.execPath, [BIN, '-r', file('start.pcapng'), '--report'], { encoding: 'utf8', env: { ...process.env, VRRPSCOPE_NO_CAP: '1' } });
    assert.ok(replay.status === 0 || replay.status === 1, replay.stderr);

    const unknown = spawnSync('ip', ['netns', 'exec', lab.ns(2), process.execPath, BIN, '-i', 'eth9', '--report'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no interface 'eth9'.*there are: eth0, eth1, lo/);
  });

  after(() => {
    for (const n of ['start.pcapng', 'flap.pcapng']) rmSync(file(n), { force: true });
  });
});
