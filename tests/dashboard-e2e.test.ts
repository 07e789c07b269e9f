// The real bin/vrrpscope dashboard under node-pty, read back from a headless xterm: the demo at
// 80x24 and 160x48, keys, resize, restoring the terminal, inert wire text, no stray stderr.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { BIN, killAll, restored, ROOT, start } from './helpers/dashboard-pty.js';

/** The whole capture was read and drawn. */
const ready = (screen: string): boolean => screen.includes('SPLIT-BRAIN') && screen.includes(' END ');
/** The demo read to its end and analysed (the finding comes with the last frames). */
const settled = (screen: string): boolean => ready(screen) && screen.includes('accepted on eth1');

const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-dash-'));

describe('dashboard end to end', { concurrency: true, timeout: 30_000 }, () => {
  afterEach(() => undefined);
  after(killAll);
  test('demo at 80x24: VRIDs, masters, split-brain badge, firewall finding; keys; q restores', async () => {
    const s = start(['--demo'], { cols: 80, rows: 24 });
    const screen = await s.waitFor(settled);
    assert.match(screen, /eth0\/51 +SPLIT-BRAIN +192\.168\.2\.12 \(100\)/);
    assert.match(screen, /eth1\/52 +OK +10\.1\.2\.11 \(100\)/);
    assert.match(screen, /VRRP adverts are accepted on eth1 but not on eth0 — check the/);
    assert.match(screen, /on eth0/);
    assert.match(screen, /q quit/);
    for (const line of screen.split('\n')) assert.ok(line.length <= 80);
    assert.match(screen, /^>eth0\/51/m);

    s.type('j');
    await s.waitFor(/^>eth1\/52/m);
    s.type('\r');
    const detail = await s.waitFor('VRID eth1/52');
    assert.match(detail, /Routers/);
    assert.match(detail, /10\.1\.2\.11/);
    assert.match(detail, /Esc back/);
    s.type('\x1b');
    await s.waitFor((x) => x.includes('Master history') && !x.includes('VRID eth1/52 '));
    s.type('k\r');
    const d0 = await s.waitFor('VRID eth0/51');
    assert.match(d0, /SPLIT-BRAIN/);
    assert.match(d0, /192\.168\.2\.11/);
    s.type('\x1b');
    await s.waitFor('Master changes');

    s.type('?');
    const help = await s.waitFor('Keys');
    assert.match(help, /pause \/ resume/);
    assert.match(help, /Ctrl-C/);
    s.type('x');
    await s.waitFor((x) => !x.includes('pause / resume'));

    s.type(' ');
    await s.waitFor('PAUSED');
    s.type(' ');
    await s.waitFor((x) => !x.includes('PAUSED'));

    s.type('q');
    const e = await s.exited;
    assert.equal(e.exitCode, 0);
    assert.deepEqual(await restored(s), { altLeft: true, cursorShown: true, normalBuffer: true });
  });

  test('demo at 160x48 shows backups, events and every panel', async () => {
    const s = start(['--demo'], { cols: 160, rows: 48 });
    const screen = await s.waitFor((x) => settled(x) && x.includes('Events'));
    assert.match(screen, /BACKUPS/);
    assert.match(screen, /eth0\/51 +SPLIT-BRAIN +192\.168\.2\.12 \(100\) +192\.168\.2\.11 \(100\)/);
    assert.match(screen, /eth1\/52 +OK +10\.1\.2\.11 \(100\)/);
    assert.match(screen, /check the firewall on eth0/);
    assert.match(screen, /Master history/);
    assert.match(screen, /Advert gaps/);
    assert.match(screen, /Master changes/);
    assert.ok(/MASTER +eth0\/51 192\.168\.2\.11 -> 192\.168\.2\.12/.test(screen), screen);
    assert.match(screen, /A 192\.168\.2\.11 +B 192\.168\.2\.12/);
    assert.match(screen, /^eth0\/51 +A+\|!+/m);
    s.type('q');
    await s.exited;
  });

  test('resize redraws; below the minimum it says so', async () => {
    const s = start(['--demo'], { cols: 80, rows: 24 });
    await s.waitFor(ready);
    s.resize(160, 48);
    await s.waitFor('BACKUPS');
    s.resize(50, 12);
    const small = await s.waitFor('terminal too small');
    assert.match(small, /50x12/);
    s.resize(80, 24);
    await s.waitFor(ready);
    s.type('q');
    await s.exited;
  });

  for (const [how, act] of [
    ['Ctrl-C', (s: ReturnType<typeof start>) => s.type('\x03')],
    ['SIGTERM', (s: ReturnType<typeof start>) => s.proc.kill('SIGTERM')],
    ['SIGHUP', (s: ReturnType<typeof start>) => s.proc.kill('SIGHUP')],
  ] as const) {
    test(`terminal restored after ${how}`, async () => {
      const s = start(['--demo'], { cols: 80, rows: 24 });
      await s.waitFor(ready);
      act(s);
      const e = await s.exited;
      assert.notEqual(e.exitCode, 0);
      assert.deepEqual(await restored(s), { altLeft: true, cursorShown: true, normalBuffer: true });
    });
  }

  test('auth strings with ESC sequences and blessed tags render inert', async () => {
    const file = join(tmp, 'evil.pcap');
    writeFileSync(file, evilCapture());
    const s = start(['-r', file], { cols: 100, rows: 30 });
    // Different auth strings: two virtual routers on one VRID, an auth mismatch.
    await s.waitFor((x) => x.includes('MISMATCH') && x.includes(' END '));
    s.type('\r');
    const detail = await s.waitFor('PASS "');
    assert.ok(detail.includes('{red-fg}'), detail);
    assert.ok(detail.includes('\\x1b[2J\\x1b[5m'), detail);
    // The escape bytes never reached the terminal as escapes.
    assert.ok(!s.raw().includes('\x1b[5m'));
    assert.ok(!s.raw().includes('\x1b[2J\x1b[5m'));
    s.type('q');
    await s.exited;
  });

  for (const term of ['xterm', 'screen', 'tmux-256color', 'linux', 'vt100']) {
    test(`TERM=${term}: draws the demo, nothing on stderr, q restores`, async () => {
      const err = join(tmp, `stderr-${term}.txt`);
      const s = start([], { cols: 80, rows: 24, env: { TERM: term }, shell: `exec '${process.execPath}' '${BIN}' --demo 2>'${err}'` });
      const screen = await s.waitFor(ready);
      assert.match(screen, /eth1\/52 +OK/);
      s.type('q');
      const e = await s.exited;
      assert.equal(e.exitCode, 0);
      assert.equal(readFileSync(err, 'utf8'), '', `stderr with TERM=${term}`);
    });
  }

  test('filter, zoom, scrub, speed and Tab all answer', async () => {
    const s = start(['--demo'], { cols: 100, rows: 30 });
    await s.waitFor(ready);
    s.type('/eth1');
    await s.waitFor((x) => x.includes('eth1') && !/^>?eth0\/51 /m.test(x));
    s.type('\r');
    await s.waitFor((x) => x.includes('filter "eth1"') && !x.includes('Routers'));
    s.type('\x1b');
    await s.waitFor((x) => !x.includes('filter "eth1"') && /^>?eth0\/51 /m.test(x));
    s.type('+');
    await s.waitFor((x) => /window \d/.test(x) && !x.includes('window all'));
    s.type('\x1b[D');
    const back = await s.waitFor((x) => !x.includes(' END '));
    assert.match(back, /\d\d:\d\d \/ \d\d:\d\d/);
    s.type('>');
    await s.waitFor(/\d+(\.\d+)?x/);
    s.type('\t');
    await s.waitFor((x) => x.includes('Findings') || x.includes('Events'));
    s.type('q');
    assert.equal((await s.exited).exitCode, 0);
  });

  test('with the host bundle: HOST-DROPS, the keepalived instance and the adverts-dropped finding', async () => {
    const L = `${ROOT}tests/fixtures/lab/sync-group-firewall`;
    const dumps = readdirSync(L).filter((f) => f.startsWith('node2-json-')).flatMap((f) => ['--keepalived-json', `${L}/${f}@${f.slice(11, -5)}`]);
    const s = start(['-r', `${L}/node2.pcapng`, '--keepalived-conf', `${L}/node2.conf`, ...dumps, '--keepalived-log', `${L}/node2.log`, '--firewall', `${L}/node2.iptables-save`], { cols: 140, rows: 40 });
    const screen = await s.waitFor((x) => x.includes('HOST-DROPS') && x.includes(' END '));
    assert.match(screen, /eth0\/51 +HOST-DROPS/);
    assert.match(screen, /\[SERVICE \(G1\) BACKUP→MASTER\]/);
    assert.match(screen, /reach eth0 on node2 but keepalived never/);
    s.type('q');
    assert.equal((await s.exited).exitCode, 0);
  });

  test('a pcapng that records when it stopped shows NO MASTER after the silence at its end', async () => {
    const s = start(['-r', `${ROOT}tests/fixtures/lab/no-master/node2.pcapng`], { cols: 100, rows: 30 });
    const screen = await s.waitFor((x) => x.includes('NO MASTER') && x.includes(' END '));
    assert.match(screen, /eth0\/51 +NO MASTER/);
    assert.match(screen, /no router has advertised/);
    s.type('q');
    assert.equal((await s.exited).exitCode, 0);
  });

  test('TERM=screen-256color and NO_COLOR: no stderr at all, no colour', async () => {
    const err = join(tmp, 'stderr.txt');
    const s = start([], { cols: 80, rows: 24, env: { TERM: 'screen-256color', NO_COLOR: '1' }, shell: `exec '${process.execPath}' '${BIN}' --demo 2>'${err}'` });
    await s.waitFor(ready);
    s.type('q');
    const e = await s.exited;
    assert.equal(e.exitCode, 0);
    assert.equal(readFileSync(err, 'utf8'), '');
    assert.doesNotMatch(s.raw(), /\x1b\[[0-9;]*(3[0-7]|4[0-7]|38;5;\d+|48;5;\d+)m/);
  });
});

// A classic pcap of VRRPv2 adverts from two routers on VRID 7, whose auth strings carry an escape
// sequence and blessed tag syntax (RFC 3768 §5.1; checksums valid).
function evilCapture(): Uint8Array {
  const out: number[] = [];
  const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
  const u32 = (v: number): number[] => [...u16(v & 0xffff), ...u16(v >>> 16)];
  out.push(...u32(0xa1b2c3d4), ...u16(2), ...u16(4), ...u32(0), ...u32(0), ...u32(65535), ...u32(1));
  const routers = [
    { ip: [10, 9, 9, 1], mac: [2, 0, 0, 0, 0, 1], auth: '\x1b[2J\x1b[5m' },
    { ip: [10, 9, 9, 2], mac: [2, 0, 0, 0, 0, 2], auth: '{red-fg}' },
  ];
  for (let i = 0; i < 8; i++) {
    for (const r of routers) {
      const vrrp = [0x21, 7, 100, 1, 1, 1, 0, 0, 10, 9, 9, 254, ...[...r.auth.padEnd(8, '\0')].map((c) => c.charCodeAt(0))];
      const ck = checksum(vrrp);
      vrrp[6] = ck >> 8;
      vrrp[7] = ck & 0xff;
      const ip = [0x45, 0xc0, 0, 20 + vrrp.length, 0, i, 0, 0, 255, 112, 0, 0, ...r.ip, 224, 0, 0, 18];
      const ick = checksum(ip);
      ip[10] = ick >> 8;
      ip[11] = ick & 0xff;
      const frame = [1, 0, 0x5e, 0, 0, 0x12, ...r.mac, 0x08, 0x00, ...ip, ...vrrp];
      out.push(...u32(1_800_000_000 + i), ...u32(r === routers[0] ? 0 : 500_000), ...u32(frame.length), ...u32(frame.length), ...frame);
    }
  }
  return Uint8Array.from(out);
}

function checksum(b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}
