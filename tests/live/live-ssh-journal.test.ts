// keepalived's log followed over ssh from a real systemd-journald (root; `npm run test:live`): one
// node whose keepalived logs by syslog to a journald of its own (a private mount namespace, see
// SshLab.startJournalNode), read by `vrrpscope --ssh` with its default log command,
// `journalctl -u keepalived -o json -f`. What keepalived logged before vrrpscope came (its start)
// and what it logs while watched (a reload) both arrive, as journald's JSON; no journalctl is left.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN } from '../helpers/run-cli.js';
import { liveSkipReason, sleep } from './helpers/lab.js';
import { SshLab, sshSkipReason } from './helpers/ssh-lab.js';

const JOURNALD = '/lib/systemd/systemd-journald';
const skip = liveSkipReason() ?? sshSkipReason() ?? (existsSync(JOURNALD) ? undefined : `the journal test needs ${JOURNALD} (apt-get install systemd)`);

describe('--ssh: keepalived\'s log from a real journald', { skip }, () => {
  const lab = new SshLab(`j${process.pid % 10000}`, 'vsq');
  const out = mkdtempSync('/var/tmp/vsq-jout-');
  before(async () => {
    lab.setupSsh([1], [], [], new Map([[1, { priority: 100 }]]));
    await lab.sshdReady(1);
    await lab.keepalivedReady(1);
  });
  after(() => {
    lab.destroy();
    lab.removeDir();
    rmSync(out, { recursive: true, force: true });
  });

  test('journalctl -u keepalived -f over ssh: the backlog and lines logged while watched', async () => {
    // keepalived becomes master on its own (no peer) and logs it.
    await lab.waitFor(() => lab.holders('192.168.2.1').includes(1), 10_000, 'node1 master');
    const bundle = join(out, 'bundle');
    const child = spawn('ip', ['netns', 'exec', lab.client(), process.execPath, BIN, '--ssh', 'node1', '--ssh-config', lab.config, '--json', '--duration', '20s', '--bundle', bundle], {
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const done = new Promise<number | null>((r) => child.on('close', r));
    const where = (): string => `stderr: ${stderr.slice(-1500)}`;
    await lab.waitFor(() => /"type":"node".*"state":"up"/.test(stdout), 20_000, `node1 up (${where()})`);
    await sleep(4000);
    // A line logged while watched: keepalived reloads on SIGHUP and says so.
    const since = Date.now() * 1000;
    const pid = Number(readFileSync(join(lab.dir, 'n1', 'keepalived.pid'), 'utf8').trim());
    process.kill(pid, 'SIGHUP');
    const status = await done;
    assert.ok(status === 0 || status === 1, `exit ${status} (${where()})`);

    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { nodes: { keepalived: { log: string | null } }[] };
    const log = manifest.nodes[0]!.keepalived.log;
    assert.ok(log !== null, `a log in the bundle (${where()})`);
    const entries = readFileSync(join(bundle, log), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string>);
    // journald's own JSON: the unit from the cgroup, keepalived's messages.
    assert.ok(entries.length > 0 && entries.every((e) => e['_SYSTEMD_UNIT'] === 'keepalived.service'), JSON.stringify(entries.slice(0, 2)));
    assert.ok(entries.some((e) => /\(SERVICE\) Entering MASTER STATE/.test(e['MESSAGE'] ?? '')), 'the backlog (-n 50): becoming master before vrrpscope came');
    const later = entries.filter((e) => Number(e['__REALTIME_TIMESTAMP']) >= since);
    assert.ok(later.some((e) => /Reload/i.test(e['MESSAGE'] ?? '')), `followed (-f): the reload logged while watched (${later.map((e) => e['MESSAGE']).join(' | ')})`);

    // No journalctl (or anything else of the session) left on the node.
    const strays = (): string[] => lab.processes(lab.ns(1)).filter((p) => p.comm === 'journalctl' || p.comm === 'tcpdump' || /sshd: root/.test(p.args)).map((p) => `${p.comm} ${p.args}`);
    for (let i = 0; i < 50 && strays().length > 0; i++) await sleep(100);
    assert.deepEqual(strays(), []);
  });
});
