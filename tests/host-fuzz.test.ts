// Mutation and prefix fuzz over host inputs, in-process: keepalived configs (with includes into an
// in-memory file system), JSON / stats / data dumps, logs (syslog, console, journal JSON) and
// rulesets (iptables-save, nft -j, evaluated for an advert). Seeds are the real files under
// tests/fixtures; mutations flip and set bytes, cut, duplicate and delete ranges, and splice in
// hostile pieces (escape sequences, bidi, invalid UTF-8, braces, backslashes, includes, huge numbers).
// Every case goes through the same path as the CLI (bytes → decodeUtf8 → inert source → parser) and
// must return without throwing, in well under 10 s, with no string in the result a terminal would act
// on; the whole run stays under 200 MiB peak RSS. FUZZ_SEED=<n> replays another run, FUZZ_HOST_CASES=<n>
// sets the number of cases per input kind; every failure names the seed and the case.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { evaluateVrrpInput } from '../src/host/firewall/evaluate.js';
import { splitFirewallDump } from '../src/host/firewall/dump.js';
import { parseKeepalivedConfText, type ConfIo } from '../src/host/keepalived/config.js';
import { parseKeepalivedJson } from '../src/host/keepalived/json-dump.js';
import { parseKeepalivedLog } from '../src/host/keepalived/log.js';
import { parseKeepalivedStats } from '../src/host/keepalived/stats-dump.js';
import { inertHostText } from '../src/host/read-host-file.js';
import { decodeUtf8 } from '../src/util/inert.js';
import { mulberry32, REPO_ROOT } from './helpers/corpus.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x4057f022);
const CASES = Number(process.env['FUZZ_HOST_CASES'] ?? 6000);
const SLOW_MS = 10_000;
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const FIX = join(REPO_ROOT, 'tests/fixtures');

function filesUnder(dir: string, keep: (name: string) => boolean, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) filesUnder(p, keep, out);
    else if (keep(n)) out.push(p);
  }
  return out;
}

const seeds = {
  config: filesUnder(FIX, (n) => n.endsWith('.conf')),
  json: filesUnder(FIX, (n) => /-json-\d+\.json$|node\d-[ab]\.json$/.test(n)).slice(0, 40),
  stats: filesUnder(FIX, (n) => n.endsWith('.stats') || n.endsWith('.data')),
  log: filesUnder(FIX, (n) => n.endsWith('.log') || n.endsWith('journal.json') || n.endsWith('.raw')).slice(0, 40),
  ruleset: filesUnder(FIX, (n) => n.endsWith('.iptables-save') || n.endsWith('.ip6tables-save') || n.endsWith('.nft.json')).slice(0, 40),
};

const HOSTILE = [
  '\x1b]0;pwned\x07',
  '\x1b]8;;http://x/\x1b\\',
  '\x1b[31m',
  '\x1b[2J\x1b[H',
  '\x9b6n',
  '\u202e',
  '\u2066',
  '\\u001b]0;pwned\\u0007',
  '\\ud800',
  '\\n',
  '{',
  '}',
  '{'.repeat(200),
  '\\',
  '\\\n',
  '"',
  '\n',
  'include *\n',
  'include ../../*/*\n',
  'include {a,b}{c,d}{e,f}{g,h}\n',
  'include [z-a]\n',
  'vrrp_instance X {\n',
  '99999999999999999999999999',
  '-1',
  '1e308',
  '[[[[[[[[[[',
  ']]]',
  'COMMIT\n',
  '*filter\n',
  '-A INPUT -j X\n',
  ':X - [0:0]\n',
];
const BAD_BYTES = [Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0])];

function mutate(src: Buffer, rnd: () => number): Buffer {
  const pick = (n: number): number => Math.floor(rnd() * n);
  let b = Buffer.from(src);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(b.length + 1);
    switch (pick(7)) {
      case 0: // flip bits
        if (b.length > 0) b[Math.min(at, b.length - 1)]! ^= 1 << pick(8);
        break;
      case 1: // prefix
        b = b.subarray(0, at);
        break;
      case 2: {
        // delete a range
        const len = pick(64);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + len)]);
        break;
      }
      case 3: {
        // duplicate a range
        const len = pick(256);
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
        break;
      }
      case 4:
        b = Buffer.concat([b.subarray(0, at), BAD_BYTES[pick(BAD_BYTES.length)] as Buffer, b.subarray(at)]);
        break;
      default:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(HOSTILE[pick(HOSTILE.length)] as string), b.subarray(at)]);
    }
  }
  return b;
}

/** Every string (keys too) reachable from a value, without recursion. */
function strings(v: unknown): string[] {
  const out: string[] = [];
  const stack: unknown[] = [v];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string') out.push(x);
    else if (x instanceof Map) stack.push(...x.keys(), ...x.values());
    else if (x instanceof Set) stack.push(...x);
    else if (x !== null && typeof x === 'object' && !seen.has(x)) {
      seen.add(x);
      for (const [k, y] of Object.entries(x)) {
        out.push(k);
        stack.push(y);
      }
    }
  }
  return out;
}

/** An in-memory file system for includes: the seed configs, mutated, under /etc/keepalived. */
function memIo(files: Map<string, string>): ConfIo {
  return {
    readFile: (p) => {
      const t = files.get(p);
      if (t === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return t;
    },
    readDir: (p) => {
      const prefix = p.endsWith('/') ? p : p + '/';
      const names = new Set<string>();
      for (const f of files.keys()) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0] as string);
      if (names.size === 0) throw Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' });
      return [...names];
    },
  };
}

type Kind = keyof typeof seeds;

const parse: Record<Kind, (bytes: Buffer, rnd: () => number) => unknown> = {
  config: (bytes, rnd) => {
    const files = new Map<string, string>();
    for (let i = 0; i < 3; i++) files.set(`/etc/keepalived/conf.d/${i}.conf`, inertHostText(decodeUtf8(mutate(Buffer.from('vrrp_instance I {\n interface eth0\n}\ninclude ../keepalived.conf\n'), rnd)), 'text'));
    const text = inertHostText(decodeUtf8(bytes), 'text');
    files.set('/etc/keepalived/keepalived.conf', text);
    return parseKeepalivedConfText(text, '/etc/keepalived/keepalived.conf', memIo(files));
  },
  json: (bytes) => parseKeepalivedJson(inertHostText(decodeUtf8(bytes), 'json')),
  stats: (bytes) => parseKeepalivedStats(inertHostText(decodeUtf8(bytes), 'text')),
  log: (bytes) => parseKeepalivedLog(inertHostText(decodeUtf8(bytes), 'lines'), { referenceYear: 2026, utcOffsetMinutes: 0 }),
  ruleset: (bytes) => {
    const split = splitFirewallDump(decodeUtf8(bytes));
    const rs = {
      ...(split.iptablesSave !== undefined ? { iptablesSave: inertHostText(split.iptablesSave, 'text') } : {}),
      ...(split.ip6tablesSave !== undefined ? { ip6tablesSave: inertHostText(split.ip6tablesSave, 'text') } : {}),
      ...(split.nftJson !== undefined ? { nftJson: inertHostText(split.nftJson, 'json') } : {}),
    };
    return [evaluateVrrpInput(rs, { src: '192.168.2.11', iface: 'eth0' }), evaluateVrrpInput(rs, { src: 'fe80::1', iface: 'eth1' })];
  },
};

for (const kind of Object.keys(seeds) as Kind[]) {
  test(`host fuzz: ${kind} — ${CASES} mutated cases and every prefix of one seed`, () => {
    const files = seeds[kind];
    assert.ok(files.length > 0, `seed files for ${kind}`);
    const srcs = files.map((f) => readFileSync(f));
    const rnd = mulberry32(SEED ^ kind.length);
    let slowest = 0;
    const check = (bytes: Buffer, what: string): void => {
      const t = Date.now();
      let result: unknown;
      try {
        result = parse[kind](bytes, rnd);
      } catch (e) {
        assert.fail(`${what} threw: ${(e as Error).stack}`);
      }
      const ms = Date.now() - t;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < SLOW_MS, `${what} took ${ms} ms`);
      for (const s of strings(result)) if (UNSAFE.test(s)) assert.fail(`${what}: a result string holds ${JSON.stringify(UNSAFE.exec(s)?.[0])}: ${JSON.stringify(s.slice(0, 200))}`);
    };
    // every prefix (by 7 bytes) of the smallest seed
    const small = srcs.reduce((a, b) => (b.length < a.length ? b : a));
    for (let n = 0; n <= small.length; n += 7) check(small.subarray(0, n), `${kind} prefix ${n} of the smallest seed`);
    for (let i = 0; i < CASES; i++) {
      const k = Math.floor(rnd() * srcs.length);
      check(mutate(srcs[k] as Buffer, rnd), `${kind} case ${i} (seed ${SEED}, from ${files[k]})`);
    }
    assert.ok(slowest < SLOW_MS);
  });
}

test('host fuzz: the whole run stayed under 200 MiB peak RSS', () => {
  const mib = process.resourceUsage().maxRSS / 1024;
  assert.ok(mib < 200, `peak RSS ${mib.toFixed(0)} MiB`);
});
