// The one escaping step (src/util/inert.ts) and the host-file reader (src/host/read-host-file.ts):
// what a hostile file contains is shown, never interpreted; what must not be read is refused with a
// reason; what was cut short says so.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_LIMITS, hostLimits, limitText } from '../src/host/host-limits.js';
import { loadBundle } from '../src/host/host-evidence.js';
import { HostInputError, hostTextOf, readHostText } from '../src/host/read-host-file.js';
import { parseKeepalivedJson } from '../src/host/keepalived/json-dump.js';
import { decodeUtf8, inertJsonSource, inertSource, inertText } from '../src/util/inert.js';

const dir = mkdtempSync(join(tmpdir(), 'vrrpscope-untrusted-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Anything a terminal would act on or that reorders text. */
export const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string (keys too) in a parsed value. */
export function allStrings(v: unknown, out: string[] = []): string[] {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') out.push(x);
    else if (x !== null && typeof x === 'object') for (const [k, y] of Object.entries(x)) out.push(k), stack.push(y);
  }
  return out;
}

test('inertText shows controls, ESC sequences, bidi overrides and bad bytes visibly', () => {
  assert.equal(inertText('a\x1b]0;pwned\x07b'), 'a\\x1b]0;pwned\\x07b');
  assert.equal(inertText('\x1b[31mred\x1b[0m'), '\\x1b[31mred\\x1b[0m');
  assert.equal(inertText('x\u202ey\u2066z\u2069'), 'x\\u202ey\\u2066z\\u2069');
  assert.equal(inertText('tab\tnl\ncr\r'), 'tab\\x09nl\\x0acr\\x0d');
  assert.equal(inertText('C1 \u009b CSI'), 'C1 \\x9b CSI');
  assert.equal(inertText('ünïcødé → ✓ 😀'), 'ünïcødé → ✓ 😀', 'printable Unicode stays');
  assert.equal(inertText(decodeUtf8(Buffer.from([0x61, 0xff, 0xc3, 0x28, 0x62]))), 'a\\xff\\xc3(b');
  assert.equal(inertText('lone \ud800 surrogate'), 'lone \\ud800 surrogate');
  assert.equal(inertText(inertText('\x1b')), '\\x1b', 'idempotent: escaping twice changes nothing');
});

test('decodeUtf8 keeps valid UTF-8 and marks each invalid byte (overlong, surrogate, truncated)', () => {
  assert.equal(decodeUtf8(Buffer.from('héllo ✓', 'utf8')), 'héllo ✓');
  for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]]) {
    const s = inertText(decodeUtf8(Buffer.from(bad)));
    assert.match(s, /^(\\x[0-9a-f]{2})+$/, `${Buffer.from(bad).toString('hex')} → ${s}`);
  }
});

test('inertSource keeps line structure; inertJsonSource neutralises JSON escapes too', () => {
  assert.equal(inertSource('a\x1b[2Jb\n\tc\r\n'), 'a\\x1b[2Jb\n\tc\r\n');
  // found by the host fuzz: a bare CR (not of a CRLF) inside a rule or log line returns the cursor
  assert.equal(inertSource('iptables -\rstate\r\n'), 'iptables -\\x0dstate\r\n');
  const json = '{"iname": "VI\\u001b]0;pwned\\u0007", "x": "a\\nb\\u202e", "ok": "\\ud83d\\ude00 \\"q\\" \\\\u001b", "raw": "\u202e\x1b"}';
  const v = JSON.parse(inertJsonSource(json)) as Record<string, string>;
  assert.equal(v['iname'], 'VI\\u001b]0;pwned\\u0007');
  assert.equal(v['x'], 'a\\nb\\u202e');
  assert.equal(v['ok'], '😀 "q" \\u001b', 'a surrogate pair, quotes and an escaped backslash are kept');
  assert.equal(v['raw'], '\\u202e\\x1b');
  for (const s of Object.values(v)) assert.doesNotMatch(s, UNSAFE);
});

test('a keepalived JSON dump with injected names parses, and no value holds a control character', () => {
  const dump = parseKeepalivedJson(inertJsonSource('[{"data":{"iname":"VI_1\\u001b]0;pwned\\u0007","ifp_ifname":"eth0\\u009b2J","vrid":51,"state":2},"stats":{"advert_rcvd":1}}]'));
  assert.deepEqual(dump.errors, []);
  assert.equal(dump.instances[0]?.name, 'VI_1\\u001b]0;pwned\\u0007');
  for (const str of allStrings(dump)) assert.doesNotMatch(str, UNSAFE);
});

test('host files: only regular files are read; FIFOs, devices, directories are refused with a reason', () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const o = { maxBytes: 1024, limit: 'the test limit' };
  for (const [path, why] of [
    [fifo, /not a regular file \(a FIFO\)/],
    ['/dev/zero', /not a regular file \(a character device\)/],
    ['/dev/urandom', /character device/],
    [dir, /a directory/],
    [join(dir, 'missing'), /no such file/],
  ] as const) {
    assert.throws(() => readHostText(path, o), (e: unknown) => e instanceof HostInputError && why.test(e.message), path);
  }
  const loop = join(dir, 'loop-a');
  symlinkSync(join(dir, 'loop-b'), loop);
  symlinkSync(loop, join(dir, 'loop-b'));
  assert.throws(() => readHostText(loop, o), /symlink loop/);
});

test('host files: over the size cap a file is refused (which limit, how to raise it); a log keeps its end', () => {
  const big = join(dir, 'big.conf');
  writeFileSync(big, 'x'.repeat(3000) + '\n');
  const limits = { ...DEFAULT_LIMITS, fileBytes: 2048 };
  assert.throws(() => readHostText(big, { maxBytes: limits.fileBytes, limit: limitText(limits, 'fileBytes') }), /3001 bytes is over the 2 KiB limit \(raise it with VRRPSCOPE_MAX_HOST_FILE_MB=N\) — not read/);
  const log = join(dir, 'big.log');
  writeFileSync(log, Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n');
  const r = readHostText(log, { maxBytes: 100, limit: 'x', tail: true });
  assert.ok(r.keptFrom !== undefined && r.keptFrom > 0);
  assert.match(r.text, /^line \d+\n/, 'starts at a whole line');
  assert.match(r.text, /line 99\n$/);
  assert.equal(hostLimits({ VRRPSCOPE_MAX_HOST_FILE_MB: '2' }).fileBytes, 2 * 1024 * 1024);
  assert.equal(hostLimits({ VRRPSCOPE_MAX_INCLUDES: 'lots' }).includeFiles, DEFAULT_LIMITS.includeFiles, 'a bad value keeps the default');
});

test('binary data is refused, text with a few bad bytes is read and shows them', () => {
  assert.throws(() => hostTextOf(Buffer.alloc(1_000_000, 0xff)), /binary data, not text \(over 10000 control or non-UTF-8 bytes\)/);
  assert.throws(() => hostTextOf(Buffer.alloc(1_000_000, 0x1b)), /binary data/);
  const some = Buffer.concat([Buffer.from('a'.repeat(100_000)), Buffer.alloc(900, 0xff), Buffer.alloc(900, 0x07)]);
  assert.equal(inertSource(hostTextOf(some)), 'a'.repeat(100_000) + '\\xff'.repeat(900) + '\\x07'.repeat(900));
});

test('an offline bundle: every refusal is a problem line naming the file, and what was read is kept', () => {
  const conf = join(dir, 'ka.conf');
  writeFileSync(conf, 'vrrp_instance VI\x1b]0;pwned\x07 {\n interface eth0\n virtual_router_id 51\n priority x\x1b[31m\n}\n');
  const ev = loadBundle({ conf, json: ['/dev/zero@1700000000'], log: '/dev/urandom', firewall: [dir] });
  assert.equal(ev.config?.instances[0]?.name, 'VI\\x1b]0;pwned\\x07');
  assert.ok(ev.problems.some((p) => /priority 'x\\x1b\[31m' is not an integer/.test(p)), ev.problems.join('\n'));
  assert.ok(ev.problems.some((p) => p.startsWith('/dev/zero: not a regular file')));
  assert.ok(ev.problems.some((p) => p.startsWith('/dev/urandom: not a regular file')));
  assert.ok(ev.problems.some((p) => p.startsWith(`${dir}: not a regular file (a directory)`)));
  for (const p of ev.problems) assert.doesNotMatch(p, UNSAFE);
});

test('--json: every line is valid JSON, nothing a terminal acts on is written raw, host text shows escaped', async () => {
  const { runCli } = await import('./helpers/run-cli.js');
  const { copyFileSync } = await import('node:fs');
  const { REPO_ROOT } = await import('./helpers/corpus.js');
  const lab = join(REPO_ROOT, 'tests/fixtures/lab/firewall-eth0-both');
  const cap = join(dir, 'cap\u202e\x9b\x1b]0;x\x07.pcapng');
  copyFileSync(join(lab, 'node2.pcapng'), cap);
  const conf = join(dir, 'json.conf');
  writeFileSync(conf, 'vrrp_instance SERVICE\u2066\x1b[31m {\n interface eth0\n virtual_router_id 51\n}\n');
  const r = runCli(['-r', cap, '--json', '--keepalived-conf', conf]);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  for (const l of lines) {
    assert.doesNotMatch(l, UNSAFE);
    JSON.parse(l);
  }
  const summary = JSON.parse(lines[lines.length - 1] as string) as { inputs: { name: string }[] };
  assert.ok(summary.inputs[0]?.name.includes('\u202e'), 'the value itself is kept: the JSON escape stands for it');
  assert.match(r.stdout, /\\u202e\\u009b\\u001b\]0;x\\u0007\.pcapng/);
  assert.match(r.stdout, /SERVICE\\\\u2066\\\\x1b\[31m/, 'host text arrives already inert');
  assert.doesNotMatch(r.stderr, UNSAFE);
});

test('host problems for a person: repeats once with a count, at most 50 lines, then how many more', async () => {
  const { summarizeProblems } = await import('../src/host/problem-summary.js');
  assert.deepEqual(summarizeProblems(['a', 'a', 'a', 'b']), ['a (3 times)', 'b']);
  const many = summarizeProblems(Array.from({ length: 80 }, (_, i) => `p${i}`));
  assert.equal(many.length, 51);
  assert.equal(many[50], '… and 30 more problems reading the host files (not shown)');
});
