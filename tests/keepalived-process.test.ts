// Finding keepalived and asking it for dumps: the pure helpers, the wait-for-a-new-file logic on a fake
// system, and (as root) a real keepalived 2.2.7 in a throwaway network namespace with a private /tmp,
// like systemd's PrivateTmp — the dump must be found under /proc/PID/root/tmp.

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type FileStamp,
  type ProcessIo,
  dumpPathCandidates,
  findKeepalived,
  keepalivedTmpDir,
  mainKeepalivedPids,
  parseEnviron,
  parsePidFile,
  parseProcStat,
  parseSignum,
  requestKeepalivedDump,
  requestKeepalivedStatus,
  scanProcForKeepalived,
} from '../src/host/keepalived/process.js';

test('pure helpers: pid files, /proc stat, environ, signum, candidate paths', () => {
  assert.equal(parsePidFile('1234\n'), 1234);
  assert.equal(parsePidFile('  77 '), 77);
  assert.equal(parsePidFile('abc'), undefined);
  assert.equal(parsePidFile('0\n'), undefined);
  assert.deepEqual(parseProcStat('4321 (keepalived) S 1 4321 4321 0 -1 4194560 ...'), { pid: 4321, comm: 'keepalived', ppid: 1 });
  assert.deepEqual(parseProcStat('99 (weird) name)) R 42 99'), { pid: 99, comm: 'weird) name)', ppid: 42 });
  assert.equal(parseProcStat('garbage'), undefined);
  assert.deepEqual(
    mainKeepalivedPids([
      { pid: 10, comm: 'keepalived', ppid: 1 },
      { pid: 11, comm: 'keepalived', ppid: 10 },
      { pid: 12, comm: 'keepalived', ppid: 10 },
      { pid: 20, comm: 'bash', ppid: 1 },
      { pid: 30, comm: 'keepalived', ppid: 20 },
      { pid: 31, comm: 'keepalived', ppid: 30 },
    ]),
    [10, 30],
  );
  assert.deepEqual(parseEnviron('A=1\0TMPDIR=/var/tmp/x\0EMPTY=\0junk\0'), { A: '1', TMPDIR: '/var/tmp/x', EMPTY: '' });
  assert.equal(keepalivedTmpDir({}), '/tmp');
  assert.equal(keepalivedTmpDir({ TMPDIR: 'relative' }), '/tmp');
  assert.equal(keepalivedTmpDir({ TMPDIR: '/var/tmp/' }), '/var/tmp');
  assert.equal(parseSignum('36\n'), 36);
  assert.equal(parseSignum('Unknown signal JSON'), undefined);
  assert.deepEqual(dumpPathCandidates(5, 'json'), ['/proc/5/root/tmp/keepalived.json', '/tmp/keepalived.json']);
  assert.deepEqual(dumpPathCandidates(5, 'stats', '/var/tmp'), ['/proc/5/root/var/tmp/keepalived.stats', '/var/tmp/keepalived.stats', '/tmp/keepalived.stats']);
  assert.deepEqual(dumpPathCandidates(undefined, 'json'), ['/tmp/keepalived.json']);
});

/** A fake system: files with stamps, a clock, and a kill() that schedules what keepalived would write. */
function fakeSystem(opts: { onKill?: (sys: FakeSys, signal: number) => void; signums?: Record<string, string> }): FakeSys {
  const sys: FakeSys = {
    files: new Map(),
    clock: 0,
    kills: [],
    pending: [],
    io: undefined as unknown as ProcessIo,
  };
  const stamp = (t: string, at: number): FileStamp => ({ mtimeNs: BigInt(at) * 1_000_000n, size: t.length });
  sys.io = {
    readFile: (p) => {
      const f = sys.files.get(p);
      if (f === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return f.text;
    },
    readDir: (p) => {
      if (p !== '/proc') throw new Error('ENOTDIR');
      return [...new Set([...sys.files.keys()].map((k) => /^\/proc\/(\d+)\//.exec(k)?.[1]).filter((x): x is string => x !== undefined))];
    },
    stat: (p) => {
      const f = sys.files.get(p);
      return f === undefined ? undefined : stamp(f.text, f.at);
    },
    kill: (pid, signal) => {
      sys.kills.push([pid, signal]);
      opts.onKill?.(sys, signal);
    },
    run: async (file, args) => {
      const out = opts.signums?.[`${file} ${args.join(' ')}`];
      if (out === undefined) throw new Error(`${file}: not found`);
      return out;
    },
    sleep: async (ms) => {
      sys.clock += ms;
      for (const p of sys.pending.splice(0)) {
        if (p.at <= sys.clock) sys.files.set(p.path, { text: p.text, at: p.at });
        else sys.pending.push(p);
      }
    },
    now: () => sys.clock,
  };
  return sys;
}
type FakeSys = {
  files: Map<string, { text: string; at: number }>;
  clock: number;
  kills: [number, number][];
  pending: { path: string; text: string; at: number }[];
  io: ProcessIo;
};

const DUMP = JSON.stringify([{ data: { iname: 'SERVICE', state: 1, wantstate: 2, vrid: 51, ifp_ifname: 'eth0' }, stats: { advert_rcvd: 0 } }]);

test('finds keepalived by pid file, else by /proc scan', () => {
  const sys = fakeSystem({});
  sys.files.set('/proc/50/stat', { text: '50 (keepalived) S 1 50', at: 0 });
  sys.files.set('/proc/51/stat', { text: '51 (keepalived) S 50 50', at: 0 });
  sys.files.set('/proc/60/stat', { text: '60 (sshd) S 1 60', at: 0 });
  assert.deepEqual(findKeepalived(sys.io, ['/run/keepalived.pid']), { pid: 50, source: 'proc', pidFile: undefined });
  assert.deepEqual(scanProcForKeepalived(sys.io), [50]);
  sys.files.set('/run/keepalived.pid', { text: '50\n', at: 0 });
  sys.files.set('/proc/50/comm', { text: 'keepalived\n', at: 0 });
  assert.deepEqual(findKeepalived(sys.io, ['/run/keepalived.pid']), { pid: 50, source: 'pidfile', pidFile: '/run/keepalived.pid' });
  // a stale pid file naming another program is ignored
  sys.files.set('/run/keepalived.pid', { text: '60\n', at: 0 });
  sys.files.set('/proc/60/comm', { text: 'sshd\n', at: 0 });
  assert.equal(findKeepalived(sys.io, ['/run/keepalived.pid'])?.source, 'proc');
});

test('waits for a new dump in the daemon’s private /tmp, skipping the stale one and a half-written one', async () => {
  const sys = fakeSystem({
    signums: { '/proc/50/exe --signum=JSON': '36\n', '/proc/50/exe --signum=STATS': '12\n' },
    onKill: (s) => {
      const p = '/proc/50/root/tmp/keepalived.json';
      s.pending.push({ path: p, text: DUMP.slice(0, 20), at: s.clock + 100 }); // caught mid-write
      s.pending.push({ path: p, text: DUMP, at: s.clock + 200 });
    },
  });
  sys.files.set('/proc/50/root/tmp/keepalived.json', { text: '[]', at: 0 }); // stale dump from earlier
  sys.files.set('/tmp/keepalived.json', { text: '[]', at: 0 }); // ours, unrelated
  sys.clock = 1000;
  const r = await requestKeepalivedDump('json', { pid: 50, pollMs: 50 }, sys.io);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(sys.kills, [[50, 36]]);
  assert.equal(r.path, '/proc/50/root/tmp/keepalived.json');
  assert.equal(r.signal, 36);
  assert.deepEqual(
    r.dump?.instances.map((i) => [i.name, i.stateName, i.wantStateName]),
    [['SERVICE', 'BACKUP', 'MASTER']],
  );
  assert.ok((r.readAtMs ?? 0) >= 1200);
});

test('TMPDIR from the daemon’s environment is honoured', async () => {
  const sys = fakeSystem({
    onKill: (s) => s.pending.push({ path: '/proc/50/root/var/lib/ka/keepalived.json', text: DUMP, at: s.clock + 10 }),
  });
  sys.files.set('/proc/50/environ', { text: 'PATH=/bin\0TMPDIR=/var/lib/ka\0', at: 0 });
  const r = await requestKeepalivedDump('json', { pid: 50, signal: 36 }, sys.io);
  assert.equal(r.path, '/proc/50/root/var/lib/ka/keepalived.json');
});

test('bounded wait, clear errors, and the stats fallback', async () => {
  // nothing ever written
  const silent = fakeSystem({ signums: { '/proc/50/exe --signum=JSON': '36', '/proc/50/exe --signum=STATS': '12' } });
  const r = await requestKeepalivedDump('json', { pid: 50, timeoutMs: 500 }, silent.io);
  assert.equal(r.dump, undefined);
  assert.match(r.errors.join('\n'), /no new keepalived\.json within 500 ms/);
  assert.ok(silent.clock >= 500 && silent.clock < 700, `waited ${silent.clock} ms`);

  // no keepalived at all
  const none = fakeSystem({});
  const n = await requestKeepalivedDump('json', {}, none.io);
  assert.match(n.errors[0] ?? '', /no running keepalived/);

  // binary without JSON support: fall back to the stats dump
  const stats = 'VRRP Instance: SERVICE\n  Advertisements:\n    Received: 4\n    Sent: 0\n';
  const old = fakeSystem({
    signums: { 'keepalived --signum=STATS': '12' },
    onKill: (s, sig) => {
      if (sig === 12) s.pending.push({ path: '/proc/50/root/tmp/keepalived.stats', text: stats, at: s.clock + 10 });
    },
  });
  const f = await requestKeepalivedStatus({ pid: 50, timeoutMs: 300 }, old.io);
  assert.equal(f.kind, 'stats');
  assert.equal(f.dump?.instances[0]?.stats.advertRcvd, 4);
  assert.match(f.errors.join('\n'), /cannot learn keepalived's JSON signal number/);

  // permission denied on kill
  const eperm = fakeSystem({});
  eperm.io = {
    ...eperm.io,
    kill: () => {
      throw new Error('EPERM');
    },
  };
  const p = await requestKeepalivedDump('json', { pid: 50, signal: 36 }, eperm.io);
  assert.match(p.errors[0] ?? '', /kill -36 50: EPERM/);
});

// ------------------------------------------------------------------ real keepalived (root)

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const haveKeepalived = (() => {
  try {
    execFileSync('keepalived', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skipLive = !isRoot ? 'needs root (network namespace, signalling keepalived)' : !haveKeepalived ? 'keepalived is not installed' : false;

test('real keepalived in a namespace with a private /tmp: find it, signal it, read JSON and stats', { skip: skipLive, timeout: 30_000 }, async () => {
  const id = randomBytes(3).toString('hex');
  const ns = `vsk-${id}`;
  const dir = `/run/vsk-test-${id}`; // not under /tmp: the daemon gets its own /tmp
  mkdirSync(dir, { recursive: true });
  let child: ChildProcess | undefined;
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'eth1', 'up']);
    execFileSync('ip', ['-n', ns, 'addr', 'add', '192.0.2.11/24', 'dev', 'eth0']);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
    writeFileSync(
      join(dir, 'keepalived.conf'),
      [
        'global_defs {',
        `  router_id test-${id}`,
        '}',
        'vrrp_instance LIVE {',
        '  state MASTER',
        '  interface eth0',
        '  virtual_router_id 77',
        '  priority 200',
        '  advert_int 1',
        '  virtual_ipaddress {',
        '    192.0.2.100/24 dev eth0',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    const pidFile = join(dir, 'keepalived.pid');
    child = spawn(
      'ip',
      ['netns', 'exec', ns, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs vsk-tmp /tmp && exec keepalived -n -l -D -f "$1/keepalived.conf" -p "$1/keepalived.pid" -r "$1/vrrp.pid"', 'sh', dir],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    for (let i = 0; i < 50 && !(existsSync(pidFile) && existsSync(join(dir, 'vrrp.pid'))); i++) await new Promise((r) => setTimeout(r, 100));
    const found = findKeepalived(undefined, [pidFile]);
    assert.ok(found, 'keepalived started and wrote its pid file');
    assert.equal(found.source, 'pidfile');
    assert.equal(found.pid, Number(readFileSync(pidFile, 'utf8').trim()));
    assert.ok(scanProcForKeepalived().includes(found.pid), 'the /proc scan sees it as a main process');

    let r = await requestKeepalivedDump('json', { pid: found.pid, timeoutMs: 3000 });
    for (let tries = 0; r.dump === undefined && tries < 2; tries++) r = await requestKeepalivedDump('json', { pid: found.pid, timeoutMs: 3000 });
    assert.deepEqual(r.errors, []);
    assert.equal(r.path, `/proc/${found.pid}/root/tmp/keepalived.json`, 'read through the daemon’s own mount namespace');
    assert.equal(existsSync('/tmp/keepalived.json') && r.path === '/tmp/keepalived.json', false);
    const live = r.dump?.instances.find((i) => i.name === 'LIVE');
    assert.ok(live);
    assert.deepEqual([live.vrid, live.interface, live.basePriority, live.version, live.advertInt], [77, 'eth0', 200, 2, 1]);
    assert.ok(live.stateName === 'MASTER' || live.stateName === 'BACKUP', String(live.stateName));

    const s = await requestKeepalivedDump('stats', { pid: found.pid, timeoutMs: 3000 });
    assert.deepEqual(s.errors, []);
    assert.equal(s.path, `/proc/${found.pid}/root/tmp/keepalived.stats`);
    assert.deepEqual(
      s.dump?.instances.map((i) => i.name),
      ['LIVE'],
    );
    assert.equal(typeof s.dump?.instances[0]?.stats.advertSent, 'number');
  } finally {
    if (child?.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      for (let i = 0; i < 30 && child.exitCode === null && child.signalCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // not created
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
