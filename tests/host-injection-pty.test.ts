// Terminal injection through host inputs, end to end under a real pseudo-terminal: an OSC title, SGR
// colour, a cursor move, CSI as one C1 byte, and bidi overrides are planted in each host input
// (keepalived config, JSON dump, stats dump, log, iptables ruleset) of a real lab bundle; the
// dashboard and `--report` (with its stderr) run on it. Asserted on the RAW BYTES the program sent:
// none of the planted sequences is there, the terminal title is only ever vrrpscope's own; and the
// planted text does show, escaped (so the test would see it if it got through).

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { killAll, ROOT, start, type Session } from './helpers/dashboard-pty.js';

const LAB = join(ROOT, 'tests/fixtures/lab/firewall-eth0-both');
const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-inject-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The planted string for input `t`: each sequence follows a marker, so its escaped form is findable. */
const payload = (t: string): string => `${t}1\u202e${t}2\x1b]0;pwned-${t}\x07${t}3\x1b[38;5;201m${t}4\x1b[9;99H${t}5\u2066${t}6\x9b2J${t}7`;
/** How the start of it must look once escaped. */
const shown = (t: string): string => `${t}1\\u202e${t}2\\x1b]0;pwned-${t}\\x07`;

type Input = 'config' | 'json' | 'stats' | 'log' | 'ruleset';
const TAGS: Record<Input, string> = { config: 'QC', json: 'QJ', stats: 'QS', log: 'QL', ruleset: 'QR' };

/** The lab bundle's flags, with the payload planted in one input. */
function bundleArgs(input: Input): string[] {
  const p = payload(TAGS[input]);
  const dir = join(tmp, input);
  rmSync(dir, { recursive: true, force: true });
  const put = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  mkdirSync(dir, { recursive: true });
  let conf = readFileSync(join(LAB, 'node2.conf'), 'utf8');
  if (input === 'config') conf = conf.replace('vrrp_instance SERVICE {', `vrrp_instance SERVICE${p} {`).replace('priority 100', `priority 100${p}`);
  const json = readdirSync(LAB)
    .filter((f) => /^node2-json-\d+\.json$/.test(f))
    .map((f) => {
      let text = readFileSync(join(LAB, f), 'utf8');
      if (input === 'json') text = text.replace(/\]\s*$/, `,{"data":{"iname":"${p}"},"stats":1}]`);
      return `${put(f, text)}@${f.slice('node2-json-'.length, -'.json'.length)}`;
    });
  const stats = input === 'stats' ? [`${put('node2.stats', `VRRP Instance: SERVICE\n  Advertisements:\n    Received: 0\n${p}\n`)}@1795640099`] : [];
  let log = readFileSync(join(LAB, 'node2.log'), 'utf8');
  if (input === 'log') log = log.replace(/^(.*\(SERVICE\) Entering \w+ STATE)/m, `$1 ${p}`).replace(/^(.*\(BACKEND\) Entering \w+ STATE)/m, `$1 ${p}`);
  let fw = readFileSync(join(LAB, 'node2.iptables-save'), 'utf8');
  if (input === 'ruleset') fw = fw.replace(/^(-A INPUT -i eth0 -p vrrp)( -j DROP)$/m, `$1 -m comment --comment "${p}"$2`);
  return [
    '-r',
    join(LAB, 'node2.pcapng'),
    '--keepalived-conf',
    put('node2.conf', conf),
    ...json.flatMap((j) => ['--keepalived-json', j]),
    ...stats.flatMap((j) => ['--keepalived-json', j]),
    '--keepalived-log',
    put('node2.log', log),
    '--firewall',
    put('node2.iptables-save', fw),
  ];
}

/** Titles the terminal was given over the whole run. */
function titles(s: Session): string[] {
  const seen: string[] = [];
  s.term.onTitleChange((t) => seen.push(t));
  return seen;
}

function assertInert(raw: string, t: string, seenTitles: readonly string[], what: string): void {
  assert.ok(!raw.includes(`\x1b]0;pwned`), `${what}: an OSC title from the input reached the terminal`);
  for (const title of seenTitles) assert.doesNotMatch(title, /pwned/, `${what}: the terminal title changed to ${title}`);
  assert.ok(!raw.includes('\x1b[38;5;201') && !/\x1b\[[0-9;]*38;5;201/.test(raw), `${what}: the planted colour reached the terminal`);
  assert.ok(!raw.includes('\x1b[9;99H'), `${what}: the planted cursor move reached the terminal`);
  assert.ok(!raw.includes('\x9b'), `${what}: a C1 CSI reached the terminal`);
  assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(raw), `${what}: a bidi override reached the terminal`);
  for (let k = 1; k <= 6; k++) assert.ok(!raw.includes(`${t}${k}\x1b`) && !raw.includes(`${t}${k}\u202e`) && !raw.includes(`${t}${k}\u2066`), `${what}: marker ${t}${k} is followed by a raw sequence`);
}

const INPUTS: Input[] = ['config', 'json', 'stats', 'log', 'ruleset'];

describe('host inputs cannot drive the terminal', { concurrency: 2, timeout: 120_000 }, () => {
  after(killAll);
  for (const input of INPUTS) {
    test(`${input}: dashboard and --report/stderr`, async () => {
      const t = TAGS[input];
      const args = bundleArgs(input);
      let visible = false;

      const dash = start(args, { cols: 160, rows: 48 });
      const dashTitles = titles(dash);
      const screen = await dash.waitFor((s) => s.includes('SPLIT-BRAIN') && s.includes(' END '), 30_000);
      dash.type('q');
      await dash.exited;
      await new Promise<void>((r) => dash.term.write('', r));
      assertInert(dash.raw(), t, dashTitles, `${input} in the dashboard`);
      visible ||= dash.raw().includes(shown(t)) || screen.includes(`${t}1\\u202e${t}2\\x1b`);

      const rep = start([...args, '--report'], { cols: 100, rows: 40 });
      const repTitles = titles(rep);
      await rep.exited;
      await new Promise<void>((r) => rep.term.write('', r));
      const raw = rep.raw();
      assert.match(raw, /vrrpscope report/);
      assertInert(raw, t, repTitles, `${input} in --report`);
      // the report writes no escape sequence of its own at all
      assert.ok(!raw.includes('\x1b'), `${input} in --report: an ESC byte in the output`);
      visible ||= raw.includes(shown(t));
      assert.ok(visible, `${input}: the planted text shows (escaped) somewhere — else this test proves nothing`);
    });
  }
});
