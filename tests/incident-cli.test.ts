// --html / --markdown on the command line: from a file and from a stream alike, beside --report,
// and bad usage or an unwritable file as one line with exit status 2.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseOptions } from '../src/cli/args.js';
import { finalText } from '../src/cli/incident-output.js';
import { PcapngWriter } from './helpers/capture-writer.js';
import { runCli } from './helpers/run-cli.js';

const CAP = fileURLToPath(new URL('../../tests/fixtures/lab/firewall-eth0-both/node2.pcapng', import.meta.url));
const OUT = mkdtempSync(join(tmpdir(), 'vrrpscope-incident-cli-'));
after(() => rmSync(OUT, { recursive: true, force: true }));

const marks = (html: string): string[] => [...html.matchAll(/<g class="mark (\w+)"[^>]* data-ts="(\d+)"[^>]* data-router="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);

test('a stream (-r -) gives the same page and ticket as the file', () => {
  const file = runCli(['-r', CAP, '--html', join(OUT, 'file.html'), '--markdown', '-']);
  const stream = runCli(['-r', '-', '--html', join(OUT, 'stream.html'), '--markdown', '-'], readFileSync(CAP));
  assert.equal(file.status, 1, file.stderr);
  assert.equal(stream.status, 1, stream.stderr);
  assert.equal(stream.stderr, '');
  const fromFile = readFileSync(join(OUT, 'file.html'), 'utf8');
  const fromStream = readFileSync(join(OUT, 'stream.html'), 'utf8');
  assert.ok(marks(fromFile).some((m) => m.startsWith('takeover ')), marks(fromFile).join('\n'));
  assert.deepEqual(marks(fromStream), marks(fromFile));
  // Only the input's name differs.
  const strip = (s: string): string => s.replace(/Inputs: .*\n/, '');
  assert.equal(strip(stream.stdout), strip(file.stdout));
  assert.match(file.stdout, /^## vrrpscope incident report\n\n\*\*Verdict: 2 critical, 0 warning finding\(s\)\*\*/);
});

test('--report and --html together: the report on stdout, the page in its file', () => {
  const html = join(OUT, 'with-report.html');
  const r = runCli(['-r', CAP, '--report', '--html', html]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^vrrpscope report\n/);
  assert.match(r.stdout, /verdict: 2 critical, 0 warning finding\(s\)/);
  assert.match(readFileSync(html, 'utf8'), /verdict: 2 critical, 0 warning finding\(s\)/);
});

test('bad usage and unwritable files: one line, exit status 2', () => {
  const cases: [string[], RegExp][] = [
    [['-r', CAP, '--packets', '--html', join(OUT, 'x.html')], /--html and --markdown need the analysis; they do not go with --packets/],
    [['-r', CAP, '--report', '--markdown', '-'], /--markdown - and --report would both write to standard output/],
    [['-r', CAP, '--html', '-'], /--html wants a file name/],
    [['-r', CAP, '--html', join(OUT, 'no-such-dir', 'x.html')], /cannot write .*x\.html: no such directory/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(see')).length, 1, r.stderr);
  }
  assert.ok(!existsSync(join(OUT, 'x.html')));
});

test('no VRRP in the input: page and ticket say so, exit status 0', () => {
  const empty = new PcapngWriter().section(true).iface({ linktype: 1, name: 'eth0' }).done();
  const html = join(OUT, 'empty.html');
  const r = runCli(['-r', '-', '--html', html, '--markdown', '-'], empty);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\*\*Verdict: no VRRP seen\*\*/);
  assert.match(r.stdout, /### Cause\n\nNo VRRP advertisement in the input\./);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /verdict: no VRRP seen/);
  assert.match(page, /No VRRP advertisement in the input\./);
  assert.doesNotMatch(page, /<svg class="timeline"/);
});

test('what a finished run prints: the report, the JSON, or — with only --html / --markdown — nothing, for -r and --ssh alike', () => {
  assert.equal(finalText('report'), 'report');
  assert.equal(finalText('json'), 'json');
  assert.equal(finalText('none'), 'nothing');
  // --ssh with only the page parses to the same mode as -r FILE with only the page.
  assert.equal(parseOptions(['--ssh', 'node1', '--ssh', 'node2', '--html', 'x.html']).mode, 'none');
  assert.equal(parseOptions(['--ssh', 'node1', '--markdown', 'x.md']).mode, 'none');
  assert.equal(parseOptions(['-r', CAP, '--html', 'x.html']).mode, 'none');
  assert.equal(parseOptions(['--ssh', 'node1', '--report', '--html', 'x.html']).mode, 'report');

  // Through the CLI, on a bundle of two nodes (what --ssh writes): the page, and nothing on stdout.
  const dir = join(OUT, 'bundle');
  const b = runCli(['-r', `node1=${CAP}`, '-r', `node2=${CAP}`, '--bundle', dir]);
  assert.ok(b.status === 0 || b.status === 1, b.stderr);
  const html = join(OUT, 'bundle.html');
  const r = runCli(['-r', dir, '--html', html]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, '');
  assert.match(readFileSync(html, 'utf8'), /node1\/eth0\/51/);
  const both = runCli(['-r', dir, '--report', '--html', join(OUT, 'bundle2.html')]);
  assert.match(both.stdout, /^vrrpscope report\n/);
});
