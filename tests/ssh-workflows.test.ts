// docs/ssh.md's remote workflows without ssh: a recorded lab capture fed through a slow writer
// (small chunks with pauses, as a remote `tcpdump -U -w -` arrives) into `vrrpscope -r node2=-`,
// and two nodes' recordings merged with labels.

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/corpus.js';
import { runCli, startCli } from './helpers/run-cli.js';

const LAB = `${REPO_ROOT}tests/fixtures/lab/firewall-eth0-one/`;

test('a slow remote stream into -r node2=-: packets show while it is open, the result equals the file', async () => {
  // A private copy: the stream and the file read must see the same bytes.
  const copy = join(mkdtempSync(join(tmpdir(), 'vrrpscope-ssh-')), 'node2.pcapng');
  copyFileSync(`${LAB}node2.pcapng`, copy);
  const bytes = readFileSync(copy);
  const cli = startCli(['-r', 'node2=-', '--packets']);
  // The first 4 KiB (header, interfaces, the first packets), then a pause with the stream open.
  cli.write(bytes.subarray(0, 4096));
  const early = await cli.lines(1, 5000);
  assert.match(early[0]!, /node2\/eth[01]/);
  for (let at = 4096; at < bytes.length; at += 1500) {
    cli.write(bytes.subarray(at, at + 1500));
    await new Promise((r) => setTimeout(r, 2));
  }
  cli.end();
  const streamed = await cli.done;
  const file = runCli(['-r', `node2=${copy}`, '--packets']);
  assert.equal(streamed.status, 0, streamed.stderr);
  assert.equal(streamed.stdout, file.stdout);

  const report = runCli(['-r', 'node2=-', '--json'], bytes);
  const fromFile = runCli(['-r', `node2=${copy}`, '--json']);
  assert.equal(report.stdout, fromFile.stdout);
  rmSync(dirname(copy), { recursive: true, force: true });
});

test('two nodes merged with labels: what each node hears, per node and interface', () => {
  const r = runCli(['-r', `node1=${LAB}node1-eth0.pcap`, '-r', `node2=${LAB}node2.pcapng`, '--json']);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; vrids?: { segment: string; vrid: number }[] });
  const summary = lines.find((l) => l.type === 'summary')!;
  const segs = summary.vrids!.map((v) => `${v.segment}/${v.vrid}`).sort();
  assert.deepEqual(segs, ['node1/51', 'node2/eth0/51', 'node2/eth1/52']);
});
