// End to end through bin/vrrpscope: damaged, missing and odd inputs give one line on stderr (no
// stack trace) and exit status 2 only when nothing at all could be read; several -r inputs merge in
// time order; -r LABEL=FILE names the segment; -r - reads standard input, and shows packets as
// they arrive rather than at end of input.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pcapFile, VRRP2_FRAME, vrrpFrame } from './helpers/capture-writer.js';
import { corpusOrSkip, corpusPath } from './helpers/corpus.js';
import { tmp, tmpFile } from './helpers/read-bytes.js';
import { runCli, startCli, type CliResult } from './helpers/run-cli.js';

const rec = (sec: number, vrid = 42) => ({ sec, frac: 0, data: vrrpFrame(vrid) });

function oneLineError(r: CliResult, pattern: RegExp, what: string): void {
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${what}: exactly one stderr line, got ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0]!, /^vrrpscope: /, what);
  assert.match(lines[0]!, pattern, what);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `${what}: no stack trace`);
  assert.doesNotMatch(r.stderr, /internal error/, what);
}

test('damage after some frames: one stderr line naming file and offset, the frames are shown, exit 0', () => {
  const whole = pcapFile({ le: true, records: [rec(1_700_000_000), rec(1_700_000_001), rec(1_700_000_002)] });
  const path = tmpFile('cut.pcap', whole.subarray(0, whole.length - 7));
  const r = runCli(['-r', path, '--packets']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 2, r.stdout);
  assert.match(r.stdout, /VRRPv2 vrid 42 prio 100 intvl 1s auth none addrs\(1\): 192\.0\.2\.1\n/);
  oneLineError(r, new RegExp(`${path.replace(/[.]/g, '\\.')}: last record cut off .* at byte ${24 + 2 * (16 + VRRP2_FRAME.length)}; the 2 frames before it were analysed$`), 'cut file');
});

test('nothing readable: wrong magic, empty, damaged first record, missing file, directory → exit 2', () => {
  const cases: [string, string, RegExp][] = [
    ['wrong magic', tmpFile('text.pcap', 'hello, I am text, not a capture\n'), /text\.pcap: not a pcap or pcapng capture: magic 0x68656c6c \(looks like text, not a capture\) at byte 0$/],
    ['empty', tmpFile('empty.pcap', new Uint8Array(0)), /empty\.pcap: empty input: no capture header at byte 0$/],
    ['damaged first record', tmpFile('first.pcap', pcapFile({ le: true, records: [rec(1)] }).subarray(0, 30)), /first\.pcap: last record cut off .* at byte 24$/],
    ['missing', join(tmp, 'no-such-file.pcap'), /no-such-file\.pcap: no such file$/],
    ['directory', (mkdirSync(join(tmp, 'a-directory'), { recursive: true }), join(tmp, 'a-directory')), /a-directory: is a directory, not a capture file$/],
  ];
  for (const [what, path, pattern] of cases) {
    const r = runCli(['-r', path, '--packets']);
    assert.equal(r.status, 2, `${what}: exit status (stderr ${r.stderr})`);
    assert.equal(r.stdout, '', what);
    oneLineError(r, pattern, what);
  }
  // A valid header and no records is a readable (empty) capture, not an error.
  const empty = runCli(['-r', tmpFile('no-records.pcap', pcapFile({ le: true, records: [] })), '--packets']);
  assert.equal(empty.status, 0, empty.stderr);
  assert.equal(empty.stderr, '');
  // One good input and one bad: the good one is shown, the bad one is one line, exit 0.
  const mixed = runCli(['-r', tmpFile('good.pcap', pcapFile({ le: true, records: [rec(5)] })), '-r', join(tmp, 'missing.pcap'), '--packets']);
  assert.equal(mixed.status, 0);
  assert.equal(mixed.stdout.trim().split('\n').length, 1);
  oneLineError(mixed, /missing\.pcap: no such file/, 'mixed');
});

test('-r a -r b merges by time; -r LABEL=FILE names the segment', () => {
  const a = tmpFile('a.pcap', pcapFile({ le: true, records: [rec(1_700_000_001, 1), rec(1_700_000_003, 1), rec(1_700_000_005, 1)] }));
  const b = tmpFile('b.pcapng.pcap', pcapFile({ le: false, ns: true, records: [rec(1_700_000_000, 2), rec(1_700_000_002, 2), rec(1_700_000_004, 2), rec(1_700_000_006, 2)] }));
  const r = runCli(['-r', a, '-r', b, '--packets']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.deepEqual(
    lines.map((l) => l.split(' ').slice(1, 3).join(' ')),
    ['00:00:00.000000 b.pcapng.pcap', '00:00:01.000000 a.pcap', '00:00:02.000000 b.pcapng.pcap', '00:00:03.000000 a.pcap', '00:00:04.000000 b.pcapng.pcap', '00:00:05.000000 a.pcap', '00:00:06.000000 b.pcapng.pcap'].map((s) => s.replace(/^00:00:0(\d)/, (_, d: string) => `22:13:2${d}`)),
  );
  assert.ok(lines.every((l, i) => l.includes(`vrid ${i % 2 === 0 ? 2 : 1} `) && !l.includes('[')), r.stdout);
  const labelled = runCli(['-r', `eth0=${a}`, '-r', `eth1=${b}`, '--packets']);
  assert.equal(labelled.status, 0, labelled.stderr);
  assert.deepEqual(
    labelled.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[2]),
    ['eth1', 'eth0', 'eth1', 'eth0', 'eth1', 'eth0', 'eth1'],
  );
});

test('a corpus capture split in two and merged again reads as the original', (t) => {
  if (!corpusOrSkip(t)) return;
  const original = readFileSync(corpusPath('tcpdump-vrrp-mikrotik.pcap'));
  // Split record by record: odd records to one file, even to the other.
  const head = original.subarray(0, 24);
  const parts: Buffer[][] = [[head], [head]];
  for (let p = 24, i = 0; p < original.length; i++) {
    const len = 16 + original.readUInt32LE(p + 8);
    parts[i % 2]!.push(original.subarray(p, p + len));
    p += len;
  }
  const odd = tmpFile('odd.pcap', Buffer.concat(parts[0]!));
  const even = tmpFile('even.pcap', Buffer.concat(parts[1]!));
  const whole = runCli(['-r', `seg=${corpusPath('tcpdump-vrrp-mikrotik.pcap')}`, '--packets']);
  const merged = runCli(['-r', `seg=${odd}`, '-r', `seg=${even}`, '--packets']);
  assert.equal(merged.status, 0, merged.stderr);
  assert.equal(merged.stdout.split('\n').length, 166);
  assert.equal(merged.stdout, whole.stdout, 'the same lines in the same order');
});

test('-r - reads standard input, whole or written slowly in pieces; output appears before EOF', async () => {
  const file = pcapFile({ le: true, records: [rec(1_700_000_000, 7), rec(1_700_000_001, 8), rec(1_700_000_002, 9)] });
  const path = tmpFile('stdin-src.pcap', file);
  const fromFile = runCli(['-r', path, '--packets']);
  const piped = runCli(['-r', '-', '--packets'], file);
  assert.equal(piped.status, 0, piped.stderr);
  assert.equal(piped.stdout, fromFile.stdout.replaceAll(' stdin-src.pcap ', ' stdin '));

  const live = startCli(['-r', 'lan=-', '--packets']);
  try {
    const first = 24 + 16 + VRRP2_FRAME.length;
    live.write(file.subarray(0, 10)); // part of the file header
    await new Promise((r) => setTimeout(r, 50));
    live.write(file.subarray(10, first));
    const one = await live.lines(1, 5000);
    assert.match(one[0]!, /lan .* vrid 7 /, 'the first packet is shown while stdin is still open');
    // The second record arrives in three pieces, with pauses between them.
    live.write(file.subarray(first, first + 5));
    await new Promise((r) => setTimeout(r, 50));
    live.write(file.subarray(first + 5, first + 40));
    await new Promise((r) => setTimeout(r, 50));
    live.write(file.subarray(first + 40, first + 16 + VRRP2_FRAME.length));
    const two = await live.lines(2, 5000);
    assert.match(two[1]!, /vrid 8 /);
    live.write(file.subarray(first + 16 + VRRP2_FRAME.length));
    live.end();
  } catch (e) {
    live.kill();
    throw e;
  }
  const r = await live.done;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim().split('\n').length, 3);
});

test('-r NAMED-PIPE reads a FIFO (mkfifo) as a stream, as tcpdump -w fifo writes it', async () => {
  const fifo = join(tmp, 'capture.fifo');
  execFileSync('mkfifo', [fifo]);
  const bytes = pcapFile({ le: true, records: [rec(1_700_000_000, 5), rec(1_700_000_001, 6)] });
  const src = tmpFile('fifo-src.pcap', bytes);
  // Opening a FIFO for writing waits for its reader: a child process writes while we read.
  const writer = new Promise<void>((resolve, reject) => {
    const w = spawn('sh', ['-c', `cat '${src}' > '${fifo}'`], { stdio: 'ignore' });
    w.on('error', reject);
    w.on('close', () => resolve());
  });
  const r = runCli(['-r', `lan=${fifo}`, '--packets']);
  await writer;
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => / vrid (\d+) /.exec(l)?.[1]), ['5', '6']);
});
