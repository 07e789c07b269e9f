// The dashboard as an operator meets it at 3 a.m. (issue 12), end to end: the real bin/vrrpscope
// under node-pty, read back from @xterm/headless, at 80x24, 120x40 and 200x60, under the TERMs
// people really have (tmux, screen, the Linux console, a bare xterm, vt100), with NO_COLOR and
// LANG=C, TERM=dumb, and a stream from a pipe that goes quiet.
//
// Colour is checked in the raw bytes the program sent: no foreground that can equal the background
// (black without a background of its own; "bright black", which is the background in some
// palettes), and greys as the 256-colour cube's 245 only where the terminal has 256 colours.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, killAll, restored, ROOT, start, type Session } from './helpers/dashboard-pty.js';
import { advertFrame, garpFrame, pcapOf, twentyVrids, type Timed } from './helpers/vrrp-frames.js';
import { runCli } from './helpers/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-3am-'));
/**
 * A writer that sends a master's adverts at wall-clock time (3, a second apart), then stops sending
 * with its output still open, and exits 9 s later: a capture piped in that goes quiet.
 */
const WRITER = join(tmp, 'writer.mjs');
writeFileSync(
  WRITER,
  `import { advertFrame, garpFrame, pcapHeader, pcapRecord } from '${ROOT}dist/tests/helpers/vrrp-frames.js';
const out = (b) => process.stdout.write(Buffer.from(b));
out(pcapHeader());
let n = 0;
const send = () => {
  const t = Date.now() / 1000;
  out(pcapRecord(t, advertFrame({ src: '10.30.0.11', vrid: 30, prio: 150, vips: ['10.30.0.1'] })));
  if (n === 0) out(pcapRecord(t, garpFrame('10.30.0.1', 30)));
  if (++n < 3) setTimeout(send, 1000);
  else setTimeout(() => process.exit(0), 9000);
};
send();
`,
);

const settled = (s: string): boolean => s.includes(' END ') && s.includes('SPLIT-BRAIN') && s.includes('check the firewall on eth0');
const SIZES = [
  [80, 24],
  [120, 40],
  [200, 60],
] as const;

/** Every SGR sequence in `raw`, as its parameter lists. */
function sgrs(raw: string): number[][] {
  return [...raw.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => (m[1] === '' ? [0] : m[1]!.split(';').map(Number)));
}

type Colours = { fg: number | undefined; bg: number | undefined };
function colours(p: readonly number[]): Colours {
  let fg: number | undefined;
  let bg: number | undefined;
  for (let i = 0; i < p.length; i++) {
    const n = p[i]!;
    if (n >= 30 && n <= 37) fg = n - 30;
    else if (n >= 90 && n <= 97) fg = n - 90 + 8;
    else if (n >= 40 && n <= 47) bg = n - 40;
    else if (n >= 100 && n <= 107) bg = n - 100 + 8;
    else if ((n === 38 || n === 48) && p[i + 1] === 5) {
      if (n === 38) fg = p[i + 2];
      else bg = p[i + 2];
      i += 2;
    }
  }
  return { fg, bg };
}

/** SGRs whose foreground can be the terminal's background: black or bright black on no background, or fg = bg. */
function vanishing(raw: string): string[] {
  const bad: string[] = [];
  for (const p of sgrs(raw)) {
    const { fg, bg } = colours(p);
    if (fg === undefined) continue;
    const darkOnNothing = bg === undefined && (fg === 0 || fg === 8 || fg === 16 || (fg >= 232 && fg <= 236));
    if (darkOnNothing || fg === bg) bad.push(p.join(';'));
  }
  return bad;
}

async function quit(s: Session): Promise<number> {
  s.type('q');
  return (await s.exited).exitCode;
}

describe('dashboard at 3 a.m.', { concurrency: 3, timeout: 60_000 }, () => {
  after(killAll);

  for (const [cols, rows] of SIZES) {
    test(`demo at ${cols}x${rows}: banner with the fix, two masters everywhere, causes first, whole lines`, async () => {
      const s = start(['--demo'], { cols, rows });
      const screen = await s.waitFor(settled, 15_000);
      const lines = screen.split('\n');
      for (const l of lines) assert.ok(l.length <= cols, `line longer than ${cols}: ${l}`);
      // The banner, right under the header: what is wrong and the fix in the cause finding's words.
      assert.match(lines[2]!, /CRIT +eth0\/51 SPLIT-BRAIN: .*check the firewall on eth0/);
      // Split brain is two masters in the table (never one master and a "backup") and in the band.
      assert.match(screen, /^>eth0\/51 +SPLIT-BRAIN +192\.168\.2\.12\+\.11 \(100\)/m);
      assert.doesNotMatch(screen, /192\.168\.2\.11 \(100\)/, 'the other master is not listed as a backup');
      assert.match(screen, /^eth0\/51 +A+\|(BA)+B?$/m);
      assert.match(screen, /!AB both master/);
      // A clean single change is one cell, not a full bar, and not a flap.
      assert.match(screen, /eth0\/51 +█ +1 chg +0f/);
      // Problems first: the split VRID is the first row; the healthy one below it.
      assert.ok(screen.indexOf('eth0/51  SPLIT') < screen.indexOf('eth1/52 '), 'unhealthy first');
      if (cols >= 120) {
        // Causes before symptoms: the firewall finding, then the split brain it causes.
        const flat = lines.slice(3).join('\n').replace(/\n +/g, ' ');
        const cause = flat.indexOf('VRRP adverts are accepted on eth1 but not on eth0');
        const symptom = flat.indexOf('both advertise as master (split brain');
        assert.ok(cause >= 0 && (symptom < 0 || cause < symptom), screen);
        // The takeover and the GARPs it caused are one event, and it is never cut off.
        const left = Math.floor(cols * (cols >= 180 ? 0.5 : 0.6)) + 1;
        const events = lines.map((l) => l.slice(left)).join('\n').replace(/-\n +/g, '-').replace(/\n +/g, ' ');
        assert.match(events, /192\.168\.2\.12 took over from 192\.168\.2\.11 +\(takeover-while-master-advertising\): 5 GARPs for 192\.168\.2\.1, \.2/);
        assert.match(screen, /Tab pane/);
      } else {
        // At 80 columns the footer says the Events are there, and how many.
        assert.match(lines[rows - 1]!, /Tab: Events \(\d+\)/);
      }
      if (cols >= 200) {
        assert.match(screen, /VIPS/);
        assert.match(screen, /192\.168\.2\.1 192\.168\.2\.2/);
      }
      // The detail view: both are MASTER, nobody is a backup.
      s.type('\r');
      const d = await s.waitFor('VRID eth0/51');
      assert.match(d, /role +MASTER \(split\) +MASTER \(split\)/);
      assert.doesNotMatch(d, /backup/);
      s.type('\x1b');
      await s.waitFor((x) => x.includes('Master changes') && !x.includes('VRID eth0/51'));
      assert.equal(await quit(s), 0);
    });
  }

  test('replay is a player: END, space restarts, speed shown and playing, g/G, Home/End, Ctrl-L, o, Tab, Esc', async () => {
    const s = start(['--demo'], { cols: 80, rows: 24 });
    await s.waitFor(settled, 15_000);
    // Space at the end plays again from the start, at 1x.
    s.type(' ');
    const playing = await s.waitFor((x) => /PLAYING +00:0\d \/ 00:20 1x/.test(x));
    assert.doesNotMatch(playing, / END /);
    s.type('>');
    await s.waitFor(/PLAYING +00:\d\d \/ 00:20 2x/);
    s.type('>>');
    const fast = await s.waitFor(/PLAYING +00:\d\d \/ 00:20 10x/);
    assert.match(fast, /10x/);
    // It plays to the end and says so.
    await s.waitFor((x) => / END +00:20 \/ 00:20 10x/.test(x), 10_000);
    // g / Home: the start; G / End: the end.
    s.type('g');
    await s.waitFor(/ 00:00 \/ 00:20/);
    s.type('G');
    await s.waitFor(/ END +00:20 \/ 00:20/);
    s.type('\x1b[1~');
    await s.waitFor(/ 00:00 \/ 00:20/);
    s.type('\x1b[4~');
    await s.waitFor(/ END +00:20 \/ 00:20/);
    // '<' slows down: visible.
    s.type('<<');
    await s.waitFor(/ 2x/);
    // Ctrl-L: the terminal is wiped behind our back, and everything comes back.
    s.term.write('\x1b[2J');
    await s.waitFor((x) => !x.includes('Master history'));
    s.type('\x0c');
    await s.waitFor((x) => x.includes('Master history') && x.includes('Findings') && x.includes('VRIDs'));
    // o toggles the stable order; the title says which.
    s.type('o');
    await s.waitFor('stable order (o)');
    s.type('o');
    await s.waitFor('problems first (o)');
    // Tab: the footer follows the focused pane; Esc goes back to the VRIDs.
    s.type('\t');
    await s.waitFor((x) => /^Findings: /m.test(x));
    s.type('\t');
    const ev = await s.waitFor((x) => /^Events: /m.test(x));
    assert.match(ev, /── Events/);
    assert.match(ev, /MASTER/);
    s.type('\x1b');
    await s.waitFor((x) => /^↑↓ /m.test(x));
    assert.equal(await quit(s), 0);
  });

  test('a filter applies to VRIDs, findings and events alike', async () => {
    const s = start(['--demo'], { cols: 120, rows: 40 });
    await s.waitFor(settled, 15_000);
    s.type('/eth1\r');
    const f = await s.waitFor((x) => x.includes('filter "eth1" 1/2') && x.includes('none: no warning'));
    const lines = f.split('\n');
    // The header's verdict and banner stay with the whole capture: a filter does not hide the problem.
    assert.match(lines[1]!, /2 CRIT 0 WARN/);
    assert.match(lines[2]!, /eth0\/51 SPLIT-BRAIN/);
    assert.doesNotMatch(lines.slice(3).join('\n'), /eth0\/51|192\.168\.2\./, 'no eth0 row, finding or event');
    assert.match(f, /eth1\/52 +OK/);
    assert.match(f, /10\.1\.2\.11 is master/);
    assert.equal(await quit(s), 0);
  });

  test('Ctrl-Z suspends to the shell and fg brings the screen back', async () => {
    // Job control needs a shell that has it: an interactive bash in the pty.
    const s = start([], { cols: 80, rows: 24, env: { PS1: 'sh$ ' }, shell: 'exec bash --norc --noprofile -i' });
    await s.waitFor('sh$');
    s.type(`'${process.execPath}' '${BIN}' --demo\r`);
    await s.waitFor(settled, 15_000);
    s.type('\x1a');
    const shell = await s.waitFor((x) => /Stopped/.test(x) && x.includes('sh$'));
    assert.equal(s.term.buffer.active.type, 'normal', 'the alternate screen was left');
    assert.doesNotMatch(shell, /Master history/);
    s.type('fg\r');
    const back = await s.waitFor((x) => settled(x) && x.includes('Master history'));
    assert.equal(s.term.buffer.active.type, 'alternate');
    assert.match(back, /eth1\/52 +OK/);
    s.type('q');
    await s.waitFor('sh$');
    s.type('exit\r');
    await s.exited;
  });

  for (const [term, colors, extra] of [
    ['xterm-256color', 256, {}],
    ['tmux-256color', 256, {}],
    ['screen-256color', 256, {}],
    ['xterm', 8, {}],
    ['screen', 8, {}],
    ['linux', 8, {}],
    ['vt100', 0, {}],
    ['xterm', 256, { COLORTERM: 'truecolor' }],
  ] as const) {
    const env: Record<string, string> = { TERM: term, ...extra };
    test(`TERM=${term}${'COLORTERM' in extra ? ' COLORTERM=truecolor' : ''}: nothing vanishes, ${colors ? `${colors} colours` : 'no colour'}, nothing on stderr`, async () => {
      const err = join(tmp, `stderr-${term}-${colors}.txt`);
      const s = start([], { cols: 80, rows: 24, env, shell: `exec '${process.execPath}' '${BIN}' --demo 2>'${err}'` });
      const screen = await s.waitFor(settled, 15_000);
      assert.match(screen, /eth1\/52 +OK/);
      assert.match(screen, /CRIT +eth0\/51 SPLIT-BRAIN/);
      // The other sizes in the same session (a resize redraws everything): the wide layouts too.
      s.resize(120, 40);
      const mid = await s.waitFor((x) => x.includes('── Events') && x.includes('Tab pane') && settled(x));
      assert.match(mid, /^>eth0\/51 +SPLIT-BRAIN +192\.168\.2\.12\+\.11 \(100\)/m);
      s.resize(200, 60);
      const big = await s.waitFor((x) => x.includes('VIPS') && settled(x));
      for (const l of big.split('\n')) assert.ok(l.length <= 200);
      const raw = s.raw();
      assert.deepEqual(vanishing(raw), [], 'a foreground that can be the background');
      const all = sgrs(raw).map(colours);
      if (colors === 256) assert.ok(all.some((c) => c.fg === 245), 'greys are the 256-colour 245');
      else assert.ok(!/\x1b\[[0-9;]*38;5;/.test(raw), 'no 256-colour codes where the terminal has 8');
      if (colors === 0) assert.ok(all.every((c) => c.fg === undefined && c.bg === undefined), 'no colour at all');
      else assert.ok(all.some((c) => c.bg === 1), 'the split-brain badge is red');
      // Still there without colour: the words and the inverse video.
      assert.match(raw, /\x1b\[[0-9;]*7[;m]/);
      assert.equal(await quit(s), 0);
      assert.equal(readFileSync(err, 'utf8'), '', `stderr with TERM=${term}`);
    });
  }

  test('NO_COLOR and LANG=C: words, inverse video and ASCII rules, no colour', async () => {
    const s = start(['--demo'], { cols: 80, rows: 24, env: { NO_COLOR: '1', LANG: 'C', LC_ALL: 'C' } });
    const screen = await s.waitFor(settled, 15_000);
    assert.doesNotMatch(s.raw(), /\x1b\[[0-9;]*(3[0-7]|4[0-7]|9[0-7]|38;5;\d+|48;5;\d+)m/);
    assert.doesNotMatch(screen, /[─█▂]/);
    assert.match(screen, /^-- VRIDs -/m);
    assert.match(screen, /^>eth0\/51 +SPLIT-BRAIN +192\.168\.2\.12\+\.11 \(100\)/m);
    for (const [cols, rows] of SIZES.slice(1)) {
      s.resize(cols, rows);
      const x = await s.waitFor((y) => settled(y) && y.split('\n').length === rows && (cols < 180 || y.includes('VIPS')) && (cols < 120 || y.includes('-- Events')));
      assert.doesNotMatch(x, /[─█▂]/);
    }
    assert.doesNotMatch(s.raw(), /\x1b\[[0-9;]*(3[0-7]|4[0-7]|9[0-7]|38;5;\d+|48;5;\d+)m/);
    assert.equal(await quit(s), 0);
  });

  test('TERM=dumb: the text report and a one-line note', async () => {
    const s = start(['--demo'], { cols: 80, rows: 24, env: { TERM: 'dumb' } });
    const e = await s.exited;
    const screen = await s.screen();
    assert.equal(e.exitCode, 1, 'findings: exit status 1, as the report gives');
    assert.match(s.raw(), /vrrpscope: TERM=dumb cannot draw the dashboard; printing the --report instead/);
    assert.match(s.raw(), /vrrpscope report/);
    assert.doesNotMatch(s.raw(), /\x1b\[\?1049h/, 'no alternate screen');
    assert.ok(screen.length > 0);
  });

  test('80x24, twenty VRIDs, one broken: the broken one is on screen; o gives the stable order; VRIDs whole', async () => {
    const file = join(tmp, 'capture-of-the-web-bridge.pcap');
    writeFileSync(file, pcapOf(twentyVrids(1_800_000_000, 40, 17)));
    const s = start(['-r', file], { cols: 80, rows: 24 });
    const screen = await s.waitFor((x) => x.includes(' END ') && x.includes('SPLIT-BRAIN'), 15_000);
    // The segment (the file's name) is shortened, the same way on every row; the VRID never is.
    // Both masters, the one that will win (RFC order: 150) first.
    const row = /^>(\S+)\/17 +SPLIT-BRAIN +10\.20\.17\.11\+\.12 \(150\/100\)/m.exec(screen);
    assert.ok(row, screen);
    assert.ok(!row[1]!.endsWith('.pcap') && row[1]!.includes('~'), `shortened segment: ${row[1]}`);
    assert.match(screen, new RegExp(`^ ${row[1]!.replace(/[.~]/g, '\\$&')}/1 +OK`, 'm'));
    // The same shortening in the banner, the bands and the master changes.
    const seg = row[1]!.replace(/[.~]/g, '\\$&');
    assert.match(screen, new RegExp(`CRIT +${seg}/17 SPLIT-BRAIN: .*check the firewall`));
    assert.match(screen, new RegExp(`^${seg}/17 +A+(\\||!)`, 'm'));
    // (no change of master: the worse router's claim is a split brain, the master stays)
    assert.match(screen, new RegExp(`${seg}/17 +█* +\\d+ chg`));
    s.type('o');
    // The stable order: VRIDs by number, the selection (still VRID 17) kept in view.
    const stable = await s.waitFor('stable order (o)');
    assert.match(stable, new RegExp(`^ ${seg}/15 +OK.*\\n ${seg}/16 +OK.*\\n>${seg}/17 +SPLIT-BRAIN`, 'm'));
    assert.equal(await quit(s), 0);
    assert.equal(await quit(s), 0);
  });

  test('IPv6 and 50 ms: the priority is never cut, intervals in ms in the dashboard, the report and --packets', async () => {
    const t0 = 1_800_000_000;
    const frames: Timed[] = [];
    for (let ms = 0; ms < 6000; ms += 50) frames.push({ t: t0 + ms / 1000, frame: advertFrame({ src: 'fe80::5054:ff:fe12:3456', vrid: 60, prio: 200, cs: 5, vips: ['2001:db8:60::1'] }) });
    for (let i = 0; i < 6; i++) frames.push({ t: t0 + i, frame: advertFrame({ src: '192.168.7.2', vrid: 7, prio: 120, vips: ['192.168.7.1'] }) });
    frames.push({ t: t0 + 0.001, frame: garpFrame('192.168.7.1', 7) });
    const file = join(tmp, 'v6.pcap');
    writeFileSync(file, pcapOf(frames));
    const s = start(['-r', file], { cols: 80, rows: 24 });
    await s.waitFor((x) => x.includes(' END ') && x.includes('/60v6'), 15_000);
    s.type('j');
    const screen = await s.waitFor(/^>\S+\/60v6/m);
    assert.match(screen, /\/60v6 +OK +fe80::\S+ \(200\) +50ms +\d+ms\/\d+ms/);
    assert.match(screen, /int 50ms +down \d+ms/);
    assert.doesNotMatch(screen, /0\.1s|0\.0s/);
    assert.equal(await quit(s), 0);
    const report = runCli(['-r', file, '--report']).stdout;
    assert.match(report, /v6\.pcap\/60v6 +OK +fe80::\S+ \(200\) +50ms +\d+ +50ms\/161ms/);
    assert.match(runCli(['-r', file, '--packets']).stdout, /VRRPv3 vrid 60 prio 200 intvl 50ms/);
  });

  test('a stream that goes quiet: STREAM, last packet N s ago, the silent master shown without new packets, the writer going away', async () => {
    const s = start([], { cols: 80, rows: 24, shell: `'${process.execPath}' '${WRITER}' | exec '${process.execPath}' '${BIN}' -r -` });
    const live = await s.waitFor((x) => /STREAM .*last packet (<1|\d)s ago/.test(x) && /\/30 +OK/.test(x), 15_000);
    assert.doesNotMatch(live, /at end/);
    // No packet after the third: the clock still moves, the master's adverts turn overdue, then
    // the model says there is no master — all without a new packet.
    const silent = await s.waitFor((x) => /\/30 +NO MASTER/.test(x), 15_000);
    assert.match(silent, /last packet [3-9]s ago/);
    assert.match(silent, /CRIT|WARN/);
    // The writer goes away: said so.
    const closed = await s.waitFor((x) => x.includes('input closed: the writer went away'), 20_000);
    assert.match(closed, / END /);
    assert.equal(await quit(s), 0);
    assert.deepEqual(await restored(s), { altLeft: true, cursorShown: true, normalBuffer: true });
  });

  test('a FIFO is a stream too: STREAM, the clock moves, the writer going away', async () => {
    const fifo = join(tmp, 'vrrp.fifo');
    execFileSync('mkfifo', [fifo]);
    const s = start([], { cols: 80, rows: 24, shell: `'${process.execPath}' '${WRITER}' < /dev/null > '${fifo}' & exec '${process.execPath}' '${BIN}' '${fifo}'` });
    await s.waitFor((x) => /STREAM .*last packet/.test(x) && /\/30 +OK/.test(x), 15_000);
    await s.waitFor((x) => /\/30 +NO MASTER/.test(x), 15_000);
    await s.waitFor('input closed: the writer went away', 20_000);
    assert.equal(await quit(s), 0);
  });

  test('an old capture piped in: STREAM, the clock stays with the capture', async () => {
    const s = start([], { cols: 80, rows: 24, shell: `exec '${process.execPath}' '${BIN}' -r - < '${ROOT}samples/incident-firewall-eth0.pcapng'` });
    const screen = await s.waitFor((x) => x.includes('input closed') && x.includes('SPLIT-BRAIN'), 15_000);
    assert.match(screen, /eth1\/52 +OK/, 'no silence made up from the wall clock');
    assert.doesNotMatch(screen, /NO MASTER/);
    assert.equal(await quit(s), 0);
  });
});
