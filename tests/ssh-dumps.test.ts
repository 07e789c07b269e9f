// The host-evidence loop's keepalived dumps under a real `sh`, against a stand-in for a keepalived
// without JSON support: a shell that, like keepalived, writes its stats file on SIGUSR2 and its
// data file on SIGUSR1 into its TMPDIR (the contents are real keepalived 2.2.7 dumps), found
// through a `pidof` on PATH, with a `keepalived --signum` that knows STATS and DATA but not JSON —
// or no --signum at all (keepalived 1.x). `d` must give the stats dump and then the data dump, `D`
// the data dump alone; put into host evidence, the counters get the data dump's states.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addDataDump, addDump, emptyEvidence } from '../src/host/host-evidence.js';
import { parseKeepalivedStats } from '../src/host/keepalived/stats-dump.js';
import { HostRecordParser, type HostRecord } from '../src/ssh/host-records.js';
import { hostLoopScript, makeNonce, remoteCommand } from '../src/ssh/remote-commands.js';

const KA = fileURLToPath(new URL('../../tests/fixtures/keepalived/lab-2.2.7/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-ssh-dumps-'));
const daemons: ChildProcess[] = [];
after(() => {
  for (const d of daemons) d.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

type Rec = Extract<HostRecord, { type: 'record' }>;

async function fakeKeepalived(name: string, signum: string): Promise<{ env: NodeJS.ProcessEnv; pid: number }> {
  const dir = join(tmp, name);
  const bin = join(dir, 'bin');
  const t = join(dir, 'tmp');
  mkdirSync(bin, { recursive: true });
  mkdirSync(t, { recursive: true });
  const d = spawn('sh', ['-c', `trap 'cp "$SRC/node2-a.data" "$TMPDIR/keepalived.data"' USR1; trap 'cp "$SRC/node2-a.stats" "$TMPDIR/keepalived.stats"' USR2; while :; do sleep 0.05; done`], {
    env: { PATH: process.env['PATH'], TMPDIR: t, SRC: KA },
    stdio: 'ignore',
  });
  daemons.push(d);
  writeFileSync(join(bin, 'pidof'), `#!/bin/sh\n[ "$1" = keepalived ] && echo ${d.pid}\n`, { mode: 0o755 });
  writeFileSync(join(bin, 'keepalived'), `#!/bin/sh\n${signum}\n`, { mode: 0o755 });
  await new Promise((r) => setTimeout(r, 200));
  return { env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` }, pid: d.pid! };
}

function loop(env: NodeJS.ProcessEnv, input: string): Rec[] {
  const nonce = makeNonce();
  const r = spawnSync('sh', ['-c', remoteCommand(hostLoopScript({ nonce, confPath: join(tmp, 'none.conf') }), false)], { input, env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  const got: Rec[] = [];
  new HostRecordParser(nonce, (x) => void (x.type === 'record' && got.push(x))).push(r.stdout);
  return got;
}

test('keepalived without JSON: d gives its stats dump and then its data dump, D the data dump; the states join the counters', async () => {
  // --signum knows STATS and DATA (SIGUSR2, SIGUSR1 on Linux), not JSON: built without it,
  // keepalived says "Unknown sigfunc JSON" and exits 1 (keepalived/core/main.c).
  const k = await fakeKeepalived('nojson', 'case "$1" in --signum=STATS) echo 12;; --signum=DATA) echo 10;; *) echo "Unknown sigfunc ${1#--signum=}" >&2; exit 1;; esac');
  const got = loop(k.env, 'd\nD\n');
  assert.deepEqual(got.map((g) => `${g.kind} ${g.arg} ${g.status}`), ['dump STATS 0', 'dump DATA 0', 'dump DATA 0']);
  assert.equal(got[0]!.text, readFileSync(join(KA, 'node2-a.stats'), 'utf8').replace(/\n$/, ''));
  assert.match(got[1]!.text, /^ VRRP Instance = SERVICE$/m);
  // As the node does with them (ssh-node.ts): the stats dump, then the data dump beside it.
  const ev = emptyEvidence();
  addDump(ev, { ts: got[0]!.remoteNs!, dump: parseKeepalivedStats(got[0]!.text), source: 'keepalived.stats' });
  addDataDump(ev, got[1]!.text, 'keepalived.data', got[1]!.remoteNs!);
  const st = ev.dumps[0]!.dump.instances;
  assert.deepEqual(st.map((i) => [i.name, i.stateName, i.wantStateName, i.interface, i.vrid, typeof i.stats.advertRcvd]), [
    ['SERVICE', 'BACKUP', 'BACKUP', 'eth0', 51, 'number'],
    ['BACKEND', 'MASTER', 'MASTER', 'eth1', 52, 'number'],
  ]);
});

test('keepalived too old for --signum: SIGUSR2 for stats, SIGUSR1 for data, as keepalived has always used', async () => {
  const k = await fakeKeepalived('nosignum', 'echo "keepalived: unrecognized option \'$1\'" >&2; exit 1');
  assert.deepEqual(loop(k.env, 'd\n').map((g) => `${g.kind} ${g.arg} ${g.status}`), ['dump STATS 0', 'dump DATA 0']);
});

test('no keepalived in the session\'s network namespace: one dump-failed record per request, nothing signalled', () => {
  const bin = join(tmp, 'none-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'pidof'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const got = loop({ ...process.env, PATH: `${bin}:${process.env['PATH']}` }, 'd\nD\n');
  assert.deepEqual(got.map((g) => `${g.kind} ${g.arg} ${g.text}`), ['dump-failed d no keepalived runs in this network namespace', 'dump-failed D no keepalived runs in this network namespace']);
});
