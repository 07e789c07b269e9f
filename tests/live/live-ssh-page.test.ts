// `vrrpscope --ssh node1 --ssh node2 --html FILE --markdown FILE` against real sshd and real
// keepalived in network namespaces (root; `npm run test:live`): with neither --report nor --json,
// standard output stays empty (as for -r FILE) and the page and the ticket are written at the end,
// each node's host evidence under its own name — its clock (node2's made 3 s wrong through the test
// hook, and measured), its keepalived instances with their state, its ruleset and dumps with when
// they were taken.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN } from '../helpers/run-cli.js';
import { liveSkipReason, sleep } from './helpers/lab.js';
import { SshLab, sshSkipReason } from './helpers/ssh-lab.js';

const skip = liveSkipReason() ?? sshSkipReason();

describe('--ssh with only --html / --markdown', { skip }, () => {
  const lab = new SshLab(`p${process.pid % 10000}`);
  const out = mkdtempSync('/var/tmp/vss-page-');
  before(async () => {
    lab.setupSsh([1, 2]);
    await lab.sshdReady(1);
    await lab.sshdReady(2);
  });
  after(() => {
    lab.destroy();
    lab.removeDir();
    rmSync(out, { recursive: true, force: true });
  });

  test('nothing on standard output; the page and the ticket show each node\'s evidence under its name', async () => {
    lab.startKeepalived(1, { priority: 110 });
    await lab.keepalivedReady(1);
    await lab.waitFor(() => lab.holders('192.168.2.1').includes(1), 8000, 'node1 master');
    lab.startKeepalived(2, { priority: 100 });
    await lab.keepalivedReady(2);
    await sleep(1500);

    const html = join(out, 'incident.html');
    const md = join(out, 'ticket.md');
    const args = [BIN, '--ssh', 'node1', '--ssh', 'node2', '--ssh-config', lab.config, '--html', html, '--markdown', md, '--duration', '15s', '--keepalived-interval', '2'];
    const child = spawn('ip', ['netns', 'exec', lab.client(), process.execPath, ...args], { env: { ...process.env, TZ: 'UTC', VRRPSCOPE_TEST_CLOCK_SKEW: 'node2=3' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const status = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(status, 0, `a healthy pair, exit status 0 (stderr: ${stderr.slice(-1500)})`);
    assert.equal(stdout, '', 'only the files: standard output stays empty, as for -r FILE');
    assert.match(stderr, /and write the result\)/);

    const page = readFileSync(html, 'utf8');
    const node = (name: string): string => {
      const m = new RegExp(`<div class="node" data-node="${name}">([\\s\\S]*?)</div>(?=<div class="node"|</section>)`).exec(page);
      assert.ok(m, `${name}'s evidence on the page`);
      return m[1]!;
    };
    const n1 = node('node1');
    const n2 = node('node2');
    // node2's clock was made 3 s wrong: measured, subtracted, shown with its uncertainty.
    assert.match(n2, /clock: <span class="mono">\+(2\.9[5-9]\d|3\.0[0-4]\d) s ± [\d.]+ (µs|ms)<\/span>/);
    assert.match(n1, /clock: <span class="mono">[+−][\d.]+ (µs|ms) ± [\d.]+ (µs|ms)<\/span>/);
    for (const [name, text, state] of [['node1', n1, 'MASTER'], ['node2', n2, 'BACKUP']] as const) {
      assert.match(text, new RegExp(`keepalived instance <span class="mono">SERVICE</span> — <span class="mono">${name}/eth0/51</span></h4><p>state: <b>${state}</b>`), text);
      assert.match(text, /keepalived dumps: \d+, taken \d{4}-\d\d-\d\d [\d:.]+ – [\d:.]+ UTC/);
      assert.match(text, /firewall ruleset: .*, as of \d{4}-\d\d-\d\d [\d:.]+ UTC/);
      assert.doesNotMatch(text, new RegExp(`${name === 'node1' ? 'node2' : 'node1'}/eth`), `only ${name}'s segments beside ${name}'s evidence`);
    }
    const ticket = readFileSync(md, 'utf8');
    assert.match(ticket, /#### Node `node1`[\s\S]*node1\/eth0\/51 is keepalived instance `SERVICE`: MASTER[\s\S]*#### Node `node2`[\s\S]*- clock: \+(2\.9[5-9]\d|3\.0[0-4]\d) s ±[\s\S]*node2\/eth0\/51 is keepalived instance `SERVICE`: BACKUP/);
  });
});
