// `vrrpscope --ssh node1 --ssh node2` against real sshd and real keepalived in network namespaces
// (root; `npm run test:live`), from a third namespace, with keys and a known_hosts made here and an
// ssh config passed with --ssh-config. One run through the incident's phases: a healthy pair (no
// warning), node2's firewall dropping VRRP on eth0 (adverts-dropped-on-host naming node2 and the
// rule), node2's connection killed (lost, then back), node1's keepalived stopped (node2 takes
// over). node2's clock is made 3 s wrong through the test hook: its offset must be measured and its
// packets merged on the right time. node1's tcpdump captures `-i any` (LINUX_SLL2, interface
// indexes named from ip -j link); node2's claims to be too old for that, so it is captured per
// interface; node1's `ip` knows no -j (old iproute2): its indexes are named from `ip -o link`, and
// its own addresses can only come from keepalived's data dump, asked over ssh. Afterwards: no tcpdump or ssh left anywhere, and the
// bundle written meanwhile (with the data dumps) gives the same findings when read back. Then a
// non-root user over ssh: refused with one clear line without a sudoers rule, watched with one.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, runCli } from '../helpers/run-cli.js';
import { killAll, restored, start } from '../helpers/dashboard-pty.js';
import { liveSkipReason, sleep } from './helpers/lab.js';
import { SshLab, sshSkipReason } from './helpers/ssh-lab.js';

const skip = liveSkipReason() ?? sshSkipReason();
type Line = { type: string; [k: string]: unknown };

describe('--ssh: two nodes over real ssh', { skip }, () => {
  const lab = new SshLab(`s${process.pid % 10000}`);
  const out = mkdtempSync('/var/tmp/vss-out-');
  before(async () => {
    lab.setupSsh([1, 2], [2], [1]);
    await lab.sshdReady(1);
    await lab.sshdReady(2);
  });
  after(() => {
    lab.destroy();
    lab.removeDir();
    rmSync(out, { recursive: true, force: true });
  });

  test('healthy, firewall on node2, connection lost and back, takeover; no strays; the bundle reads back the same', async () => {
    lab.startKeepalived(1, { priority: 100, syncGroup: true, nopreempt: true });
    await lab.keepalivedReady(1);
    await lab.waitFor(() => lab.holders('192.168.2.1').includes(1), 8000, 'node1 master');
    lab.startKeepalived(2, { priority: 100, syncGroup: true, nopreempt: true });
    await lab.keepalivedReady(2);
    await sleep(1500);

    const bundle = join(out, 'bundle');
    const pcap = join(out, 'all.pcapng');
    const args = [BIN, '--ssh', 'node1', '--ssh', 'node2', '--ssh-config', lab.config, '--json', '--duration', '120s', '--keepalived-interval', '2', '--bundle', bundle, '-w', pcap];
    const child = spawn('ip', ['netns', 'exec', lab.client(), process.execPath, ...args], {
      env: { ...process.env, TZ: 'UTC', VRRPSCOPE_TEST_CLOCK_SKEW: 'node2=3' },
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
    const where = (): string => `stderr: ${stderr.slice(-1500)}`;
    let bothUpAt = 0;
    let dropAt = 0;
    const found = (pred: (l: Line) => boolean): Line | undefined => lines.find((x) => pred(x.l))?.l;
    try {
      // 1. Healthy: both nodes up, adverts flowing on both nodes' segments, no warning at all.
      await lab.waitFor(() => lines.filter((x) => x.l.type === 'node' && x.l['state'] === 'up').length >= 2, 20_000, `both nodes up (${where()})`);
      bothUpAt = Date.now();
      await sleep(12_000);
      const early = lines.filter((x) => x.l.type === 'finding' && x.l['severity'] !== 'info').map((x) => `${x.l['code']} ${x.l['segment']}`);
      assert.deepEqual(early, [], `a healthy pair gives no warning (${where()})`);

      // 2. node2's firewall drops VRRP on eth0: the sync group keeps it BACKUP, so only keepalived's counters tell.
      lab.exec(2, 'iptables', ['-A', 'INPUT', '-i', 'eth0', '-p', 'vrrp', '-j', 'DROP']);
      await lab.waitFor(() => found((l) => l.type === 'finding' && l['code'] === 'adverts-dropped-on-host') !== undefined, 30_000, `adverts-dropped-on-host (${where()})`);
      const drop = found((l) => l.type === 'finding' && l['code'] === 'adverts-dropped-on-host')!;
      assert.equal(drop['segment'], 'node2/eth0');
      assert.equal(drop['vrid'], 51);
      assert.match(String(drop['message']), /node2's firewall drops them/);
      assert.match(String(drop['message']), /-A INPUT -i eth0 -p vrrp -j DROP/);
      lab.exec(2, 'iptables', ['-I', 'INPUT', '1', '-i', 'eth0', '-p', 'vrrp', '-j', 'ACCEPT']);

      // 3. node2's connection dies (its sshd session killed): node2 is lost, node1 goes on, node2 comes back.
      const before = lines.length;
      dropAt = Date.now();
      assert.ok(lab.dropConnection(2) > 0, 'an sshd session to kill in node2');
      await lab.waitFor(() => lines.slice(before).some((x) => x.l.type === 'node' && x.l['node'] === 'node2' && x.l['state'] === 'lost'), 20_000, `node2 lost (${where()})`);
      const lostAt = lines.findIndex((x, i) => i >= before && x.l.type === 'node' && x.l['state'] === 'lost');
      await lab.waitFor(() => lines.slice(lostAt).some((x) => x.l.type === 'node' && x.l['node'] === 'node2' && x.l['state'] === 'up'), 30_000, `node2 back (${where()})`);
      assert.ok(!lines.slice(before).some((x) => x.l.type === 'node' && x.l['node'] === 'node1' && x.l['state'] !== 'up'), 'node1 is not affected');
      await sleep(3000);

      // 4. node1's keepalived stops: node2 takes over, seen on both nodes' eth0.
      const beforeStop = lines.length;
      await lab.stopKeepalived(1);
      await lab.waitFor(
        () => lines.slice(beforeStop).some((x) => x.l.type === 'transition' && x.l['segment'] === 'node2/eth0' && x.l['vrid'] === 51 && x.l['to'] === '192.168.2.12'),
        15_000,
        `takeover by node2 on node2/eth0 (${where()})`,
      );
      await sleep(4000);
    } finally {
      child.kill('SIGINT');
    }
    const status = await done;
    assert.notEqual(status, 2, `exit status — ${where()}`);

    // node1 through `-i any` (its indexes named from `ip -o link`: its ip knows no -j), node2 per
    // interface: both named the same way.
    const segs = (summary0: Line): string[] => ((summary0['vrids'] as { segment: string }[]) ?? []).map((v) => v.segment).sort();
    assert.deepEqual(segs(lines.find((x) => x.l.type === 'summary')!.l), ['node1/eth0', 'node1/eth1', 'node2/eth0', 'node2/eth1']);

    // No tcpdump, ssh or sshd session left in any namespace (the listeners are the test's own).
    await sleep(1500);
    for (const ns of [lab.ns(1), lab.ns(2), lab.client()]) {
      const left = lab.processes(ns).filter((p) => p.comm === 'tcpdump' || p.comm === 'ssh' || p.comm === 'journalctl' || /sshd: root/.test(p.args));
      assert.deepEqual(left.map((p) => `${p.comm} ${p.args}`), [], `strays in ${ns}`);
    }

    // The clock: node2's offset measured as the 3 s it was given, with a small uncertainty.
    const summaryAt = lines.findIndex((x) => x.l.type === 'summary');
    const summary = lines[summaryAt]!.l as unknown as { nodes: { node: string; clock: { offsetMs: number; uncertaintyMs: number } | null; losses: number }[]; findings: { critical: number; warning: number; info: number } };
    const n2 = summary.nodes.find((n) => n.node === 'node2')!;
    assert.ok(n2.clock && Math.abs(n2.clock.offsetMs - 3000) < 50 && n2.clock.uncertaintyMs < 50, `node2 clock ${JSON.stringify(n2.clock)}`);
    assert.equal(n2.losses, 1);

    // Merged on the right time: each advert node1 sends while both are watched is seen by node2
    // within a few ms, not 3 s later.
    const packets = runCli(['-r', pcap, '--packets']).stdout.split('\n');
    const times = (seg: string): number[] =>
      packets.filter((l) => l.includes(` ${seg}`) && /VRRPv2 .*vrid 51/.test(l) && l.includes('192.168.2.11')).map((l) => Date.parse(`${l.split(' ')[0]}T${l.split(' ')[1]}Z`));
    const sent = times('node1/eth0').filter((t) => t > bothUpAt + 2000 && t < dropAt - 1000);
    const heard = times('node2/eth0');
    assert.ok(sent.length > 10 && heard.length > 10, `adverts on both (${sent.length}, ${heard.length})`);
    const matched = sent.filter((t) => heard.some((h) => Math.abs(h - t) < 50)).length;
    assert.ok(matched >= sent.length * 0.9, `${matched} of ${sent.length} of node1's adverts matched on node2 within 50 ms`);

    // The bundle: one capture per node, host evidence, manifest; read back, the same findings.
    assert.ok(existsSync(join(bundle, 'manifest.json')) && existsSync(join(bundle, 'node1', 'capture.pcapng')) && existsSync(join(bundle, 'node2', 'capture.pcapng')));
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { nodes: { name: string; keepalived: { config: string; dumps: unknown[] }; firewall: unknown[]; clock: { offsetNs: string } | null; lost: unknown[] }[] };
    assert.deepEqual(manifest.nodes.map((x) => [x.name, x.keepalived.config, x.keepalived.dumps.length > 5, x.firewall.length > 0, x.clock !== null]), [
      ['node1', '/etc/keepalived/keepalived.conf', true, true, true],
      ['node2', '/etc/keepalived/keepalived.conf', true, true, true],
    ]);
    assert.equal(manifest.nodes[1]!.lost.length, 1, 'node2 was lost once');
    // keepalived's data dumps, as the VRRP process wrote them over ssh: at the start (of each
    // connection) and then once a minute — not with every counter dump (every 2 s here).
    const full = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { nodes: { name: string; localAddresses: string[]; interfaces: { link: string | null }; keepalived: { dumps: unknown[]; data: { file: string; timeNs: string }[] } }[] };
    for (const node of full.nodes) {
      const data = node.keepalived.data;
      assert.ok(data.length >= 1 && data.length <= 4 && node.keepalived.dumps.length > 5 * data.length, `${node.name}: ${data.length} data dumps, ${node.keepalived.dumps.length} counter dumps`);
      const text = readFileSync(join(bundle, data[0]!.file), 'utf8');
      assert.match(text, /^------< VRRP Topology >------$/m);
      assert.match(text, /^ VRRP Instance = SERVICE$/m);
      assert.match(text, /^ Name = eth0$/m);
    }
    // node1's own addresses came only from the data dump ("Using src_ip"): its ip -j addr fails,
    // and neither its config nor its JSON dumps name them.
    const n1 = full.nodes.find((x) => x.name === 'node1')!;
    assert.equal(n1.interfaces.link, null);
    assert.deepEqual([...n1.localAddresses].sort(), ['10.1.2.11', '192.168.2.11']);
    const n = summary.findings.critical + summary.findings.warning + summary.findings.info;
    const key = (l: Line): string => `${l['code']} ${l['segment']} ${l['severity']}`;
    const liveFinal = lines.slice(summaryAt - n, summaryAt).map((x) => key(x.l)).sort();
    assert.ok(liveFinal.length > 0);
    // The exit status says whether a warning or worse remained (a graceful takeover leaves none).
    assert.equal(status, liveFinal.some((k) => !k.endsWith(' info')) ? 1 : 0);
    const back = runCli(['-r', bundle, '--json']);
    const backFinal = back.stdout.split('\n').filter((l) => l.startsWith('{"type":"finding"')).map((l) => key(JSON.parse(l) as Line)).sort();
    assert.deepEqual(backFinal, liveFinal, `findings read back from the bundle (stderr: ${back.stderr})`);
    assert.equal(back.status, status, 'the same exit status read back');
    console.log(`final findings, live and read back: ${liveFinal.join("; ")}`);
  });

  test('even when vrrpscope is killed with SIGKILL, no tcpdump or ssh is left on the nodes or here', async () => {
    const child = spawn('ip', ['netns', 'exec', lab.client(), process.execPath, BIN, '--ssh', 'node1', '--ssh', 'node2', '--ssh-config', lab.config, '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const closed = new Promise<void>((r) => child.on('close', () => r()));
    const tcpdumps = (): number => [lab.ns(1), lab.ns(2)].flatMap((ns) => lab.processes(ns)).filter((p) => p.comm === 'tcpdump').length;
    await lab.waitFor(() => tcpdumps() >= 2, 20_000, `a tcpdump on each node (${out.slice(-500)})`);
    // `ip netns exec` execs the program, so the child's pid is vrrpscope's own.
    process.kill(child.pid!, 'SIGKILL');
    await closed;
    const strays = (): string[] =>
      [lab.ns(1), lab.ns(2), lab.client()].flatMap((ns) => lab.processes(ns).filter((p) => p.comm === 'tcpdump' || p.comm === 'ssh' || p.comm === 'journalctl' || /sshd: root/.test(p.args)).map((p) => `${ns}: ${p.comm}`));
    for (let i = 0; i < 50 && strays().length > 0; i++) await sleep(100);
    assert.deepEqual(strays(), []);
  });

  test('the dashboard over ssh: both nodes\' segments, clocks in the header, LOST and back, q restores and leaves nothing behind', async () => {
    // On its own as well as after the first test: node2's keepalived (re)started, the only router.
    await lab.stopKeepalived(2);
    lab.startKeepalived(2, { priority: 100 });
    await lab.keepalivedReady(2);
    const s = start([], { cols: 100, rows: 30, shell: `exec ip netns exec ${lab.client()} '${process.execPath}' '${BIN}' --ssh node1 --ssh node2 --ssh-config '${lab.config}'` });
    try {
      const first = await s.waitFor((x) => /\bn(?:ode)?1\/eth0\/51/.test(x) && /\bn(?:ode)?2\/eth0\/51/.test(x) && /node2 clk [+-]/.test(x), 25_000);
      assert.match(first, /LIVE/);
      assert.match(first, /ssh: node1 clk [+-][\d.]+m?s\/[\d.]+m?s, node2 clk/);
      assert.ok(lab.dropConnection(2) > 0);
      await s.waitFor(/node2 LOST/, 20_000);
      await s.waitFor(/node2 clk/, 30_000);
      s.type('q');
      const e = await s.exited;
      assert.equal(e.exitCode, 0);
      assert.deepEqual(await restored(s), { altLeft: true, cursorShown: true, normalBuffer: true });
    } finally {
      killAll();
    }
    const strays = (): string[] =>
      [lab.ns(1), lab.ns(2), lab.client()].flatMap((ns) => lab.processes(ns).filter((p) => p.comm === 'tcpdump' || p.comm === 'ssh' || p.comm === 'journalctl' || /sshd: root/.test(p.args)).map((p) => `${ns}: ${p.comm} ${p.pid} (${lab.ancestry(p.pid)}) ${p.args}`));
    for (let i = 0; i < 50 && strays().length > 0; i++) await sleep(100);
    assert.deepEqual(strays(), []);
  });

  test('a non-root user: refused in one line without a sudoers rule; with `sudo -n` allowed, capture and host evidence arrive', async () => {
    // node1 alone (its keepalived may have been stopped by the first test).
    await lab.stopKeepalived(1);
    lab.startKeepalived(1, { priority: 100 });
    await lab.keepalivedReady(1);
    // A rule to be read back: only root can run iptables-save.
    lab.exec(1, 'iptables', ['-A', 'INPUT', '-i', 'eth0', '-p', 'vrrp', '-j', 'ACCEPT']);
    const user = 'vsq-op';
    lab.addUser(user);
    const run = (extra: readonly string[]): { status: number | null; stdout: string; stderr: string; ms: number } => {
      const t0 = Date.now();
      const r = spawnSync('ip', ['netns', 'exec', lab.client(), process.execPath, BIN, '--ssh', `${user}@node1`, '--ssh-config', lab.config, ...extra], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, TZ: 'UTC' } });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
    };
    try {
      // 1. No sudoers rule: not a hang, not a stack trace — one line naming the rule it would need.
      lab.sudoers(user, undefined);
      const no = run(['--json', '--duration', '20s']);
      assert.equal(no.status, 2, `refused (${no.stderr})`);
      assert.ok(no.ms < 30_000, `answered in ${no.ms} ms`);
      const said = no.stderr.trim().split('\n');
      assert.equal(said.length, 1, no.stderr);
      assert.match(said[0]!, /^vrrpscope: node1: capturing needs root, and 'sudo -n' is not allowed for vsq-op \(sudo: a password is required\); connect as root, or .*"vsq-op ALL=\(root\) NOPASSWD: \/bin\/sh, \/usr\/bin\/sh"/);
      assert.doesNotMatch(no.stderr, /\bat .*\.js:\d+/);

      // 2. The rule docs/ssh.md gives: the probe says yes, every session runs under sudo -n.
      lab.sudoers(user, `${user} ALL=(root) NOPASSWD: /bin/sh, /usr/bin/sh`);
      const bundle = join(out, 'bundle-sudo');
      const yes = run(['--json', '--duration', '25s', '--keepalived-interval', '2', '--bundle', bundle]);
      assert.ok(yes.status === 0 || yes.status === 1, `ran (${yes.status}): ${yes.stderr.slice(-1500)}`);
      const lines = yes.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
      assert.ok(lines.some((l) => l.type === 'node' && l['node'] === 'node1' && l['state'] === 'up'), yes.stderr);
      const summary = lines.find((l) => l.type === 'summary')!;
      assert.deepEqual(((summary['vrids'] as { segment: string }[]) ?? []).map((v) => v.segment).sort(), ['node1/eth0', 'node1/eth1']);
      const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { nodes: { name: string; keepalived: { config: string | null; dumps: unknown[]; data: unknown[] }; firewall: { file: string }[] }[] };
      const n1 = manifest.nodes[0]!;
      // Root's evidence: keepalived signalled and its files read in its own /tmp, iptables-save run.
      assert.equal(n1.keepalived.config, '/etc/keepalived/keepalived.conf');
      assert.ok(n1.keepalived.dumps.length >= 5 && n1.keepalived.data.length >= 1, `dumps ${n1.keepalived.dumps.length}, data ${n1.keepalived.data.length}`);
      assert.match(readFileSync(join(bundle, n1.firewall.find((f) => f.file.endsWith('iptables-save.txt'))!.file), 'utf8'), /^-A INPUT -i eth0 -p vrrp -j ACCEPT$/m);
      assert.doesNotMatch(yes.stderr, /not allowed|password is required|firewall could not be read/);
      // Nothing of the user's left running anywhere (its sessions, their sudo, tcpdump under it).
      const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
      const left = (): string[] => [lab.ns(1), lab.client()].flatMap((ns) => lab.processes(ns).filter((p) => p.comm === 'tcpdump' || p.comm === 'ssh' || p.comm === 'sudo' || p.args.includes(user)).map((p) => `${ns}: ${p.comm} ${p.args}`));
      for (let i = 0; i < 50 && (left().length > 0 || lab.pidsOfUid(uid).length > 0); i++) await sleep(100);
      assert.deepEqual(left(), []);
      assert.deepEqual(lab.pidsOfUid(uid), []);
    } finally {
      lab.removeUser(user);
    }
  });
});
