// --ssh without a network: targets, the remote commands (run here under a real sh: the scripts end
// their command when stdin closes, the host-evidence loop answers in records), --ssh-dry-run, the
// probe's verdicts, and the clock-offset estimate.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { estimateOffset, formatOffset, parseRemoteClock } from '../src/ssh/clock-offset.js';
import { HostRecordParser, type HostRecord } from '../src/ssh/host-records.js';
import { captureCommand, factsProblem, hostLoopScript, logScript, makeNonce, parseProbe, remoteCommand, untilStdinCloses } from '../src/ssh/remote-commands.js';
import { parseSkew } from '../src/ssh/ssh-source.js';
import { parseSshTarget, parseSshTargets } from '../src/ssh/ssh-target.js';
import { fetchable } from '../src/ssh/ssh-node.js';
import { runCli } from './helpers/run-cli.js';
import type { Finding } from '../src/analysis/finding.js';
import { notBlind } from '../src/cli/host-analysis.js';
import { emptyEvidence } from '../src/host/host-evidence.js';

const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-ssh-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('--ssh targets: [user@]host[:label], IPv6 in brackets, nothing that looks like an option', () => {
  assert.deepEqual(parseSshTarget('node1'), { destination: 'node1', label: 'node1' });
  assert.deepEqual(parseSshTarget('admin@db-1.example.com:db1'), { destination: 'admin@db-1.example.com', label: 'db1' });
  assert.deepEqual(parseSshTarget('root@[fe80::1%eth0]:n2'), { destination: 'root@fe80::1%eth0', label: 'n2' });
  assert.deepEqual(parseSshTarget('[2001:db8::2]'), { destination: '2001:db8::2', label: '2001_db8__2' });
  for (const bad of ['-oProxyCommand=x', 'node1:-x', 'a b', '@host', 'u@', 'node1:a/b', '[::1', 'x;rm']) assert.throws(() => parseSshTarget(bad), /--ssh/, bad);
  assert.throws(() => parseSshTargets(['a:n', 'b:n']), /two nodes are called 'n'/);
});

test('the capture: -i any as LINUX_SLL2 with libpcap ≥ 1.10, per interface (with VLANs) before; --immediate-mode from tcpdump 4.7', () => {
  const now = captureCommand({ tcpdump: '4.99.3', libpcap: '1.10.3' }, undefined);
  assert.match(now, /^tcpdump -U -n --immediate-mode -i any -y LINUX_SLL2 -w - 'vrrp or ip6 proto 112 or \(ip proto 51 and dst host 224\.0\.0\.18\) or arp or \(icmp6 and ip6\[40\] == 136\)'$/);
  const old = captureCommand({ tcpdump: '4.5.1', libpcap: '1.5.3' }, 'eth0');
  assert.match(old, /^tcpdump -U -n -i 'eth0' -w - '.* or \(vlan and \(.*\)\)'$/);
  assert.doesNotMatch(old, /immediate|SLL2/);
  assert.match(logScript(undefined), /journalctl -u keepalived -o json -f/);
  assert.match(logScript("/var/log/it's.log"), /tail -n 50 -F '\/var\/log\/it'\\''s\.log'/);
});

test('remote command lines keep the script intact through the remote shell, with sudo -n only when asked', () => {
  const script = `printf '%s|' "a b" 'c'"'"'d' '$HOME'`;
  const line = remoteCommand(script, false);
  assert.equal(spawnSync('sh', ['-c', line], { encoding: 'utf8' }).stdout, "a b|c'd|$HOME|");
  assert.match(remoteCommand('true', true), /^sudo -n sh -c 'true'$/);
});

function alive(marker: string): boolean {
  return readdirSync('/proc').some((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim() === marker;
    } catch {
      return false;
    }
  });
}

test('a remote script stops its command when its stdin (the ssh channel) closes, and ends by itself with the command', async () => {
  const marker = `sleep 307.${process.pid % 1000}`;
  const c = spawn('sh', ['-c', remoteCommand(untilStdinCloses(marker), false)], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)));
  for (let i = 0; i < 50 && !alive(marker); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(alive(marker), 'the command runs');
  c.stdin.end();
  await exited;
  for (let i = 0; i < 50 && alive(marker); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(marker), false, 'no stray command once stdin closed');
  // With stdin still open, the script ends when its command does, with its status.
  const own = spawn('sh', ['-c', remoteCommand(untilStdinCloses('sh -c "sleep 0.2; exit 7"'), false)], { stdio: ['pipe', 'ignore', 'ignore'] });
  assert.equal(await new Promise<number | null>((r) => own.on('exit', (code) => r(code))), 7);
  own.stdin.end();
});

test('the host-evidence loop under sh: clock, ip -j link, keepalived config with an include in a subdirectory, and it ends with stdin', () => {
  const etc = join(tmp, 'etc-keepalived');
  mkdirSync(join(etc, 'conf.d'), { recursive: true });
  writeFileSync(join(etc, 'keepalived.conf'), 'include conf.d/*.conf\n');
  writeFileSync(join(etc, 'conf.d', 'a.conf'), 'vrrp_instance A {\n  interface eth0\n  virtual_router_id 7\n  priority 100\n}\n');
  const nonce = makeNonce();
  const r = spawnSync('sh', ['-c', remoteCommand(hostLoopScript({ nonce, confPath: join(etc, 'keepalived.conf') }), false)], { input: `t\nk\nc ${join(etc, 'conf.d', 'a.conf')}\n`, encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  const got: HostRecord[] = [];
  const p = new HostRecordParser(nonce, (x) => got.push(x));
  // In small pieces, as it arrives over a network.
  for (let i = 0; i < r.stdout.length; i += 7) p.push(r.stdout.slice(i, i + 7));
  const clock = got.find((x) => x.type === 'clock');
  assert.ok(clock && parseRemoteClock(clock.text), 'a clock answer');
  const files = got.filter((x): x is Extract<HostRecord, { type: 'record' }> => x.type === 'record' && x.kind === 'file');
  assert.deepEqual(files.map((f) => f.arg).sort(), [join(etc, 'conf.d', 'a.conf'), join(etc, 'conf.d', 'a.conf'), join(etc, 'keepalived.conf')].sort());
  assert.equal(files.find((f) => f.arg.endsWith('keepalived.conf'))!.text, 'include conf.d/*.conf');
  assert.ok(files.every((f) => f.status === 0 && f.remoteNs !== undefined));
  assert.ok(got.some((x) => x.type === 'record' && x.kind === 'conf-done'));
});

test('records: a marker with another nonce inside a file does not end it; chunk boundaries anywhere', () => {
  const got: HostRecord[] = [];
  const p = new HostRecordParser('abc', (x) => got.push(x));
  const text = '@@abc begin file 1795640445000000001 /etc/x\nline 1\n@@zzz end 0\n\n@@abc end 0\n@@abc clock 1795640445123456789\n';
  for (const ch of text) p.push(ch);
  assert.deepEqual(got, [
    { type: 'record', kind: 'file', remoteNs: 1795640445000000001n, arg: '/etc/x', status: 0, text: 'line 1\n@@zzz end 0', truncated: false },
    { type: 'clock', text: '1795640445123456789' },
  ]);
});

test('the probe: root, sudo -n, tcpdump versions, interfaces; a clear line when sudo wants a password', () => {
  const f = parseProbe('uid 1000\nuser op\nsudo no sudo: a password is required\ntcpdump 4.99.3\nlibpcap 1.10.3\nif lo\nif eth0\nif eth1\n');
  assert.deepEqual(f, { uid: 1000, user: 'op', sudo: false, sudoMessage: 'sudo: a password is required', tcpdump: '4.99.3', libpcap: '1.10.3', interfaces: ['eth0', 'eth1'] });
  assert.match(factsProblem('node2', f)!, /^node2: capturing needs root, and 'sudo -n' is not allowed for op \(sudo: a password is required\); connect as root, or .*"op ALL=\(root\) NOPASSWD: \/bin\/sh, \/usr\/bin\/sh"/);
  assert.ok(!factsProblem('node2', f)!.includes('\n'), 'one line');
  // sudo not installed: its absence is the reason given.
  assert.match(factsProblem('n', parseProbe('uid 1000\nsudo no sh: 1: sudo: not found\ntcpdump 4.99.3\n'))!, /not allowed for this user \(sh: 1: sudo: not found\)/);
  assert.equal(factsProblem('n', parseProbe('uid 0\ntcpdump 4.9.3\nlibpcap 1.8.1\n')), undefined);
  assert.match(factsProblem('n', parseProbe('uid 0\n'))!, /no tcpdump/);
  assert.match(factsProblem('n', parseProbe('Welcome!\n'))!, /did not answer the probe/);
});

test('--ssh-dry-run prints every remote command per node and runs nothing', () => {
  const r = runCli(['--ssh', 'root@node1', '--ssh', 'admin@node2:n2', '--ssh-config', '/nonexistent/config', '--ssh-dry-run']);
  assert.equal(r.status, 0, r.stderr);
  for (const node of ['## node1 (root@node1)', '## n2 (admin@node2)']) assert.ok(r.stdout.includes(node), node);
  const ssh = r.stdout.split('\n').filter((l) => l.startsWith('ssh '));
  assert.equal(ssh.length, 2 * 7);
  assert.ok(ssh.every((l) => l.includes('-F /nonexistent/config')));
  assert.equal(ssh.filter((l) => l.includes('BatchMode=yes')).length, 2 * 5, 'every session is non-interactive');
  assert.match(r.stdout, /tcpdump -U -n --immediate-mode -i any -y LINUX_SLL2 -w -/);
  assert.match(r.stdout, /sudo -n sh -c/);
  assert.match(r.stdout, /iptables-save; rec ip6tables - ip6tables-save; rec nft - nft -j list ruleset/);
  // keepalived's dumps: which signals, which files, how often.
  assert.match(r.stdout, /one JSON keepalived\.json "" \|\| \{ one STATS keepalived\.stats USR2 .*one DATA keepalived\.data USR1; \}/);
  assert.match(r.stdout, /D \(keepalived's data dump\) at the start and every 60 s; d \(its counters\) at the start and every 5 s/);
  assert.match(runCli(['--ssh', 'n', '--ssh-dry-run', '--keepalived-interval', '90']).stdout, /data dump\) at the start and every 90 s; d \(its counters\) at the start and every 90 s/);
  assert.match(runCli(['--ssh', 'n', '--ssh-dry-run', '--keepalived-interval', '0']).stdout, /keepalived is never signalled/);
});

test('--ssh usage errors are one line', () => {
  assert.match(runCli(['--ssh', 'a', '-r', 'x.pcap']).stderr, /--ssh watches nodes live; it does not go with -r/);
  assert.match(runCli(['--ssh-dry-run']).stderr, /go with --ssh/);
  assert.match(runCli(['--ssh', 'a', '-i', 'eth0']).stderr, /-i, -Z and -B are for local live capture/);
  assert.equal(runCli(['--ssh', 'a', '-r', 'x.pcap']).status, 2);
});

test('clock offset: the shortest round trip wins, the true offset lies within the uncertainty', () => {
  const s = 1_795_640_445_000_000_000n;
  const trueOffset = 2_503_000_000n; // the node is 2.503 s ahead
  const samples = [
    { t0: s, t1: s + 40_000_000n, remote: s + 30_000_000n + trueOffset, resolutionNs: 1n },
    { t0: s + 1_000_000_000n, t1: s + 1_002_000_000n, remote: s + 1_000_500_000n + trueOffset, resolutionNs: 1n },
    { t0: s + 2_000_000_000n, t1: s + 2_010_000_000n, remote: s + 2_009_000_000n + trueOffset, resolutionNs: 1n },
  ];
  const o = estimateOffset(samples)!;
  assert.equal(o.uncertaintyNs, 1_000_000n);
  assert.ok(o.offsetNs - o.uncertaintyNs <= trueOffset && trueOffset <= o.offsetNs + o.uncertaintyNs);
  assert.equal(formatOffset(o), '+2.502 s ± 1.0 ms');
  // Whole seconds only (busybox date): the uncertainty covers the second.
  const coarse = estimateOffset([{ t0: s, t1: s + 2_000_000n, remote: s - 1_000_000_000n, resolutionNs: 1_000_000_000n }])!;
  assert.ok(coarse.uncertaintyNs >= 500_000_000n);
  assert.equal(estimateOffset([]), undefined);
  assert.deepEqual(parseRemoteClock('1795640445123456789\n'), { ns: 1795640445123456789n, resolutionNs: 1n });
  assert.deepEqual(parseRemoteClock('1795640445N'), { ns: 1795640445000000000n, resolutionNs: 1_000_000_000n });
  assert.equal(parseRemoteClock('Tue Dec 1'), undefined);
  assert.deepEqual([...parseSkew('node2=3, node1=-0.5,bad')], [['node2', 3_000_000_000n], ['node1', -500_000_000n]]);
});

test('a lost node is a blind spot: silence findings on its segments then are dropped, the rest stays', () => {
  const s = 1_795_640_445_000_000_000n;
  const f = (code: string, segment: string, from: bigint, to: bigint): Finding => ({ code: code as Finding['code'], severity: 'warning', segment, vrid: 51, family: 4, message: '', evidence: [], advice: [], firstSeen: from, lastSeen: to });
  const node1 = { ...emptyEvidence(), scope: 'node1', blind: [{ from: s + 10_000_000_000n, to: s + 20_000_000_000n }] };
  const node2 = { ...emptyEvidence(), scope: 'node2' };
  const all = [
    f('master-silent', 'node1/eth0', s + 13_000_000_000n, s + 16_000_000_000n), // while node1 was lost
    f('no-master', 'node1/eth0', s + 23_000_000_000n, s + 24_000_000_000n), // within the grace after it
    f('master-silent', 'node1/eth0', s + 40_000_000_000n, s + 44_000_000_000n), // long after: real
    f('master-silent', 'node2/eth0', s + 13_000_000_000n, s + 16_000_000_000n), // node2 saw it: real
    f('split-brain', 'node1/eth0', s + 13_000_000_000n, s + 16_000_000_000n), // not a silence finding
    { ...f('master-change', 'node1/eth0', s + 12_000_000_000n, s + 30_000_000_000n), severity: 'info' as const }, // info stays
  ];
  assert.deepEqual(notBlind(all, [node1, node2]).map((x) => `${x.code} ${x.segment} ${(x.firstSeen - s) / 1_000_000_000n}`), ['master-silent node1/eth0 40', 'master-silent node2/eth0 13', 'split-brain node1/eth0 13', 'master-change node1/eth0 12']);
  assert.equal(notBlind(all, undefined).length, all.length);
});

test('keepalived config outside a keepalived directory: only the file itself is read, never its whole directory; includes only if they look like keepalived\'s', () => {
  const etc = join(tmp, 'etc-plain');
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'keepalived.conf'), 'global_defs {\n}\n');
  writeFileSync(join(etc, 'shadow'), 'root:secret\n');
  const nonce = makeNonce();
  const r = spawnSync('sh', ['-c', remoteCommand(hostLoopScript({ nonce, confPath: join(etc, 'keepalived.conf') }), false)], { input: 'k\n', encoding: 'utf8', timeout: 10_000 });
  const got: HostRecord[] = [];
  new HostRecordParser(nonce, (x) => got.push(x)).push(r.stdout);
  assert.deepEqual(got.filter((x) => x.type === 'record' && x.kind === 'file').map((x) => (x as { arg: string }).arg), [join(etc, 'keepalived.conf')]);
  assert.doesNotMatch(r.stdout, /secret/);
  for (const ok of ['/etc/keepalived/conf.d/a.conf', '/srv/ha/vrrp.conf', '/opt/keepalived/instances']) assert.equal(fetchable(ok), true, ok);
  for (const no of ['/etc/shadow', 'relative.conf', '/etc/../etc/shadow.conf', '/root/.ssh/id_rsa']) assert.equal(fetchable(no), false, no);
});

test('stdin already closed before the command starts (the connection died during set-up): the command does not survive', async () => {
  const marker = `sleep 309.${process.pid % 1000}`;
  for (let i = 0; i < 20; i++) spawnSync('sh', ['-c', remoteCommand(untilStdinCloses(marker), false)], { input: '', timeout: 5000 });
  for (let i = 0; i < 50 && alive(marker); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(marker), false);
});
