// A regression corpus of hostile host inputs (keepalived configs, JSON and stats dumps, logs,
// iptables-save, nft -j): each case runs the real CLI (`--report`) with a time limit (10 s: more is a
// hang) and a peak-RSS limit, and must end with a result, never a stack trace or "internal error",
// with nothing on stdout or stderr that a terminal would act on, and — where an input was refused or
// cut short — a line saying which limit and how to raise it. The inputs are generated here (some are
// megabytes), from the shapes that broke vrrpscope before (issue 16).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { REPO_ROOT } from './helpers/corpus.js';
import { BIN } from './helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vrrpscope-hostile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LAB = join(REPO_ROOT, 'tests/fixtures/lab/firewall-eth0-both');
const CAPTURE = join(LAB, 'node2.pcapng');
const CONF = join(LAB, 'node2.conf');
const PRELOAD = pathToFileURL(join(REPO_ROOT, 'dist/tests/helpers/peak-rss.js')).href;
const TIME_LIMIT_MS = 10_000;
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const OSC = '\x1b]0;pwned\x07';
const CSI = '\x1b[31m\x1b[2J\x1b[H';
const BIDI = '\u202e\u2066';

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

/** The lab's counter dumps, so the firewall verdict (which quotes the deciding rule) is reached. */
const labDumps = (): string[] =>
  readdirSync(LAB)
    .filter((f) => /^node2-json-\d+\.json$/.test(f))
    .flatMap((f) => ['--keepalived-json', `${join(LAB, f)}@${f.slice('node2-json-'.length, -'.json'.length)}`]);
const labRules = (extra: string): string => readFileSync(join(LAB, 'node2.iptables-save'), 'utf8').replace(/^(-A INPUT -i eth0 -p vrrp)/m, `${extra}\n$1`);

const instance = (name: string, vrid: number, iface = 'eth0'): string => `vrrp_instance ${name} {\n interface ${iface}\n virtual_router_id ${vrid}\n priority 100\n virtual_ipaddress {\n 192.168.2.100/24\n }\n}\n`;

type Case = {
  readonly name: string;
  /** Host flags (the capture and --report are added). */
  readonly args: () => string[];
  readonly env?: Record<string, string>;
  /** A line stderr must hold (the refusal, the limit, what was kept). */
  readonly says?: RegExp;
  /** What the report must hold. */
  readonly prints?: RegExp;
  /** What stdout + stderr must not hold (a secret, a raw sequence). */
  readonly never?: RegExp;
  readonly rssMiB: number;
  /** More to check once the run is over. */
  readonly then?: () => void;
};

const cases: Case[] = [
  // ---- keepalived configs
  { name: 'config: a 10 MB line of open braces', args: () => ['--keepalived-conf', file('braces.conf', '{'.repeat(10_000_000) + '\n')], says: /nest deeper than the 64 limit \(raise it with VRRPSCOPE_MAX_NESTING=N\)/, rssMiB: 200 },
  { name: 'config: 100 000 continuation lines', args: () => ['--keepalived-conf', file('cont.conf', 'vrrp_instance A {\n interface eth0 \\\n' + ' x \\\n'.repeat(100_000) + '\n virtual_router_id 51\n}\n')], says: /words: \d+ further word\(s\) ignored/, rssMiB: 200 },
  {
    name: 'config: 50 000 instances',
    args: () => ['--keepalived-conf', file('inst.conf', Array.from({ length: 50_000 }, (_, i) => instance(`I${i}`, (i % 255) + 1, `e${i >> 8}`)).join(''))],
    says: /more problems/,
    rssMiB: 600,
  },
  { name: 'config: include [z-a].conf', args: () => ['--keepalived-conf', file('zrange/keepalived.conf', 'include [z-a].conf\n' + instance('VI_1', 51))], says: /include \[z-a\]\.conf: no files match \(a \[z-a\] range matches nothing\)/, rssMiB: 150 },
  { name: 'config: 10 000 nesting levels', args: () => ['--keepalived-conf', file('nest.conf', 'vrrp_instance A {\n interface eth0\n virtual_router_id 51\n' + 'x {\n'.repeat(10_000) + '}\n'.repeat(10_000) + '}\n')], says: /nest deeper than the 64 limit/, rssMiB: 150 },
  { name: 'config: a 10 MB backslash line', args: () => ['--keepalived-conf', file('bs.conf', instance('VI_1', 51) + '\\'.repeat(10_000_000) + '\n')], rssMiB: 200 },
  {
    name: 'config: includes 20 deep, each twice (2^20 reads unbounded)',
    args: () => {
      for (let d = 0; d < 20; d++) file(`exp/l${d}.conf`, d < 19 ? `include l${d + 1}.conf\ninclude l${d + 1}.conf\n` : instance('VI_1', 51));
      return ['--keepalived-conf', join(dir, 'exp/l0.conf')];
    },
    says: /more than the 4096 limit \(raise it with VRRPSCOPE_MAX_INCLUDES=N\) files read/,
    rssMiB: 200,
  },
  {
    name: 'config: includes of /dev/zero, /dev/urandom, a FIFO, /dev/stdin, a directory',
    args: () => {
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      return ['--keepalived-conf', file('dev.conf', `include /dev/zero\ninclude /dev/urandom\ninclude ${join(dir, 'fifo')}\ninclude /dev/stdin\ninclude ${dir}\n` + instance('VI_1', 51))];
    },
    says: /cannot read \/dev\/zero \(not a regular file \(a character device\) — not read\)/,
    rssMiB: 150,
  },
  {
    name: 'config: a symlink loop and a glob through a symlinked directory loop',
    args: () => {
      mkdirSync(join(dir, 'sl/d'), { recursive: true });
      symlinkSync('..', join(dir, 'sl/d/up'));
      symlinkSync('..', join(dir, 'sl/d/up2'));
      symlinkSync(join(dir, 'sl/lb'), join(dir, 'sl/la'));
      symlinkSync(join(dir, 'sl/la'), join(dir, 'sl/lb'));
      return ['--keepalived-conf', file('sl/keepalived.conf', 'include la\ninclude d/*/*/*/*/*/*/*/*/*/*/*/*/*/*.conf\n' + instance('VI_1', 51))];
    },
    says: /symlink loop/,
    rssMiB: 200,
  },
  {
    name: 'config: an include of a file outside its directory is never quoted',
    args: () => {
      const secret = file('secret/shadow', 'root:$6$SECRETHASH:19000:0:99999:7:::\n');
      return ['--keepalived-conf', file('etc/keepalived.conf', `${instance('VI_1', 51).replace(' 192.168.2.100/24\n', ` include ${secret}\n`)}`)];
    },
    says: /shadow:1: not understood/,
    never: /SECRET/,
    rssMiB: 150,
  },
  { name: 'config: over the file size cap (lowered to 1 MiB)', args: () => ['--keepalived-conf', file('big.conf', instance('VI_1', 51) + '#'.repeat(2 * 1024 * 1024) + '\n')], env: { VRRPSCOPE_MAX_HOST_FILE_MB: '1' }, says: /over the 1 MiB limit \(raise it with VRRPSCOPE_MAX_HOST_FILE_MB=N\) — not read/, rssMiB: 150 },
  {
    name: 'config: escape sequences and bidi in names and values',
    args: () => ['--keepalived-conf', file('inj.conf', `vrrp_instance VI${OSC}${CSI} {\n interface eth0\n virtual_router_id 51\n priority 1${OSC}${BIDI}\n virtual_ipaddress {\n  192.168.2.100${BIDI}/24\n }\n notify_master "/bin/echo ${OSC}"\n}\n`)],
    says: /priority '1\\x1b\]0;pwned\\x07\\u202e\\u2066' is not an integer/,
    rssMiB: 150,
  },
  {
    name: 'config: notify and track scripts are never run',
    args: () => {
      const script = file('scripts/notify.sh', `#!/bin/sh\ntouch ${join(dir, 'script-ran')}\n`);
      execFileSync('chmod', ['+x', script]);
      return ['--keepalived-conf', file('scripts/keepalived.conf', `vrrp_script chk {\n script "${script}"\n interval 1\n}\nvrrp_instance SERVICE {\n interface eth0\n virtual_router_id 51\n track_script {\n  chk\n }\n notify_master "${script}"\n notify "/bin/sh -c 'touch ${join(dir, 'script-ran')}'"\n}\n`)];
    },
    rssMiB: 150,
    then: () => assert.equal(existsSync(join(dir, 'script-ran')), false, 'a script named in the config was run'),
  },
  { name: 'config and log: 20 MB of bytes that are not text', args: () => ['--keepalived-conf', file('binary.conf', Buffer.alloc(20_000_000, 0xff)), '--keepalived-log', file('binary.log', Buffer.alloc(20_000_000, 0x1b))], says: /binary\.conf: .*binary data, not text \(over 200000 control or non-UTF-8 bytes\) — not read/, rssMiB: 250 },
  // ---- dumps
  { name: 'JSON dump: a million nested arrays', args: () => ['--keepalived-conf', CONF, '--keepalived-json', `${file('deep.json', '['.repeat(1_000_000) + ']'.repeat(1_000_000))}@1795640090`], says: /deep\.json: /, rssMiB: 250 },
  {
    name: 'JSON dump: escapes and raw controls in every string',
    args: () => ['--keepalived-conf', CONF, '--keepalived-json', `${file('inj.json', `[{"data":{"iname":"VI_1\\u001b]0;pwned\\u0007${BIDI}","ifp_ifname":"eth0\\u009b31m","vrid":51,"state":2,"last_transition":1.5,"garp_delay":"\x1b[2J"},"stats":{"advert_rcvd":"\\u001b[31m"}}]`)}@1795640090`],
    rssMiB: 150,
  },
  { name: 'JSON dump: invalid UTF-8 and a 5 MB string', args: () => ['--keepalived-json', `${file('bad-utf8.json', Buffer.concat([Buffer.from('[{"data":{"iname":"A\xff\xfe'), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('x'.repeat(5_000_000) + '","vrid":51}}]')]))}@1795640090`], rssMiB: 200 },
  { name: 'stats dump: escape sequences in names and counters', args: () => ['--keepalived-conf', CONF, '--keepalived-json', `${file('inj.stats', `VRRP Instance: VI_1${OSC}\n  Advertisements:\n    Received: 5${CSI}\n    Sent: 0\n  Became master: 1${BIDI}\n`)}@1795640090`], says: /is not a count/, rssMiB: 150 },
  { name: 'stats dump: /dev/zero and a FIFO', args: () => ['--keepalived-json', '/dev/zero@1795640090', '--keepalived-json', `${join(dir, 'fifo')}@1795640090`], says: /\/dev\/zero: not a regular file/, rssMiB: 150 },
  // ---- logs
  {
    name: 'log: 130 000 events (over the ~125 000 that were dropped whole)',
    args: () => ['--keepalived-conf', CONF, '--log-year', '2026', '--keepalived-log', file('big.log', Array.from({ length: 130_000 }, (_, i) => `Nov 25 20:41:${String(i % 60).padStart(2, '0')} node2 Keepalived_vrrp[9]: (VI_1) Entering ${i % 2 ? 'MASTER' : 'BACKUP'} STATE\n`).join(''))],
    rssMiB: 400,
  },
  {
    name: 'log: over the log cap (lowered to 1 MiB) keeps its end and says so',
    args: () => ['--keepalived-log', file('big2.log', `Nov 25 20:41:00 n Keepalived_vrrp[9]: (VI_1) Entering MASTER STATE\n`.repeat(40_000))],
    env: { VRRPSCOPE_MAX_LOG_MB: '1' },
    says: /big2\.log: 2\.\d MiB is over the 1 MiB limit \(raise it with VRRPSCOPE_MAX_LOG_MB=N\): only its last \d+ bytes \(from byte \d+\) was read/,
    rssMiB: 150,
  },
  {
    name: 'log: escape sequences in syslog and journal lines, one 10 MB line',
    args: () => [
      '--keepalived-conf',
      CONF,
      '--log-year',
      '2026',
      '--keepalived-log',
      file('inj.log', `Nov 25 20:41:30 node2 Keepalived_vrrp[9]: (VI_1${OSC}) Entering MASTER STATE ${CSI}${BIDI}\n{"__REALTIME_TIMESTAMP":"1795640090000000","SYSLOG_IDENTIFIER":"Keepalived_vrrp","MESSAGE":"(VI_1) Entering BACKUP STATE \\u001b]0;pwned\\u0007"}\n${'A'.repeat(10_000_000)}\n`),
    ],
    rssMiB: 250,
  },
  // ---- rulesets
  {
    name: 'iptables-save: a 12 MB rule',
    args: () => ['--keepalived-conf', CONF, '--firewall', file('big.ipt', readFileSync(join(LAB, 'node2.iptables-save'), 'utf8').replace(/^(-A INPUT .*-p vrrp.*?) -j/m, (_, l: string) => `${l} -m comment --comment "${'x'.repeat(12_000_000)}" -j`))],
    rssMiB: 300,
  },
  {
    name: 'iptables-save: a 12 MB rule of 500 000 matches, quoted in the verdict (was "Maximum call stack", exit 2)',
    args: () => ['--keepalived-conf', CONF, ...labDumps(), '--firewall', file('mport.ipt', labRules(`-A INPUT -i eth0 ${'-m u32 --u32 "0x0=0x0" '.repeat(500_000)}-j ACCEPT`))],
    prints: /\(a\s+rule\s+of\s+11500026\s+characters,\s+cut\)/,
    rssMiB: 500,
  },
  {
    name: 'iptables-save: a 12 MB source list (was 14 s and 4.3 GB)',
    args: () => ['--keepalived-conf', CONF, ...labDumps(), '--firewall', file('list.ipt', labRules(`-A INPUT -s ${Array.from({ length: 800_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`).join(',')} -j ACCEPT`))],
    rssMiB: 250,
  },
  { name: 'iptables-save: 200 000 rules', args: () => ['--keepalived-conf', CONF, '--firewall', file('many.ipt', '*filter\n:INPUT ACCEPT [0:0]\n' + '-A INPUT -i eth1 -p tcp --dport 22 -j ACCEPT\n'.repeat(200_000) + '-A INPUT -i eth0 -p vrrp -j DROP\nCOMMIT\n')], rssMiB: 300 },
  {
    name: 'iptables-save: escape sequences in chain names and comments',
    args: () => ['--keepalived-conf', CONF, '--firewall', file('inj.ipt', `*filter\n:INPUT ACCEPT [0:0]\n:X${OSC} - [0:0]\n-A INPUT -i eth0 -p vrrp -m comment --comment "${OSC}${CSI}${BIDI}" -j X${OSC}\n-A X${OSC} -j DROP\nCOMMIT\n`)],
    rssMiB: 150,
  },
  { name: 'nft -j: a million nested arrays in a rule', args: () => ['--keepalived-conf', CONF, '--firewall', file('deep.nft.json', '{"nftables":[{"rule":{"family":"inet","table":"filter","chain":"input","handle":1,"expr":' + '['.repeat(1_000_000) + ']'.repeat(1_000_000) + '}}]}')], rssMiB: 250 },
  {
    name: 'nft -j: escapes in table, chain and comment',
    args: () => [
      '--keepalived-conf',
      CONF,
      '--firewall',
      file(
        'inj.nft.json',
        JSON.stringify({
          nftables: [
            { table: { family: 'inet', name: `f${OSC}`, handle: 1 } },
            { chain: { family: 'inet', table: `f${OSC}`, name: `input${CSI}`, handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
            { rule: { family: 'inet', table: `f${OSC}`, chain: `input${CSI}`, handle: 2, comment: `${OSC}${BIDI}`, expr: [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'eth0' } }, { drop: null }] } },
          ],
        }),
      ),
    ],
    rssMiB: 150,
  },
];

function run(c: Case): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string; ms: number; rssKiB: number }> {
  const rssFile = join(dir, `rss-${Math.random().toString(36).slice(2)}`);
  const args = ['--max-old-space-size=1024', `--import=${PRELOAD}`, BIN, '-r', CAPTURE, '--report', ...c.args()];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, TZ: 'UTC', VRRPSCOPE_DEBUG: '', VRRPSCOPE_PEAK_RSS_FILE: rssFile, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIME_LIMIT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      let rssKiB = Infinity;
      try {
        rssKiB = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // no exit hook ran: killed
      }
      resolve({ status, signal, stdout, stderr, ms: Date.now() - t0, rssKiB });
    });
  });
}

for (const c of cases) {
  test(`hostile host input — ${c.name}`, async () => {
    const r = await run(c);
    const where = `${c.name}: exit ${r.status} ${r.signal ?? ''} in ${r.ms} ms, peak RSS ${Math.round(r.rssKiB / 1024)} MiB\n${r.stderr.slice(0, 2000)}`;
    assert.notEqual(r.signal, 'SIGKILL', `hung (over ${TIME_LIMIT_MS} ms): ${where}`);
    assert.ok(r.status === 0 || r.status === 1, `a result, not exit ${r.status}: ${where}`);
    assert.doesNotMatch(r.stderr, /internal error|Maximum call stack|\n\s+at /, where);
    assert.match(r.stdout, /^vrrpscope report/, where);
    assert.ok(r.rssKiB <= c.rssMiB * 1024, `peak RSS over ${c.rssMiB} MiB: ${where}`);
    assert.doesNotMatch(r.stdout, UNSAFE, 'nothing a terminal acts on reaches stdout');
    assert.doesNotMatch(r.stderr, UNSAFE, 'nothing a terminal acts on reaches stderr');
    if (c.says) assert.match(r.stderr, c.says, where);
    if (c.prints) assert.match(r.stdout, c.prints, where);
    if (c.never) assert.doesNotMatch(r.stdout + r.stderr, c.never, where);
    c.then?.();
  });
}
