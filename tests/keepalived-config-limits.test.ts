// keepalived configs as an attacker writes them: the reader stays linear and iterative, every limit
// is said (which one, how to raise it), includes are followed as keepalived would but never make
// vrrpscope print a line of a file outside the configuration, and inside a bundle they stay in it.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_LIMITS } from '../src/host/host-limits.js';
import { loadBundle } from '../src/host/host-evidence.js';
import { parseKeepalivedConf, parseKeepalivedConfText } from '../src/host/keepalived/config.js';

const dir = mkdtempSync(join(tmpdir(), 'vrrpscope-conf-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const INSTANCE = 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n}\n';
function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}
const messages = (c: { errors: readonly { file: string; line: number; message: string }[] }): string => c.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n');

test('a 10 MB line of open braces: no recursion, one line about the nesting limit, the rest still read', () => {
  const c = parseKeepalivedConfText(INSTANCE + 'x ' + '{'.repeat(10_000_000) + '\n');
  assert.equal(c.instances.length, 1);
  assert.match(messages(c), /blocks nest deeper than the 64 limit \(raise it with VRRPSCOPE_MAX_NESTING=N\)/);
  assert.match(messages(c), /is not closed before the end of the configuration \(nor are the 63 blocks inside it\)/);
});

test('10 000 nesting levels inside an instance: the instance is kept, the depth is reported', () => {
  const c = parseKeepalivedConfText('vrrp_instance A {\n interface eth0\n virtual_router_id 7\n' + 'x {\n'.repeat(10_000) + '}\n'.repeat(10_000) + '}\n');
  assert.equal(c.instances[0]?.vrid, 7);
  assert.match(messages(c), /nest deeper than the 64 limit/);
});

test('100 000 continuation lines and a 10 MB backslash line are read in linear time', () => {
  const cont = parseKeepalivedConfText('vrrp_instance A {\n interface eth0 \\\n' + ' x \\\n'.repeat(100_000) + '\n virtual_router_id 9\n}\n');
  assert.equal(cont.instances[0]?.interface, 'eth0');
  assert.equal(cont.instances[0]?.vrid, 9);
  assert.match(messages(cont), /more than the 4096 limit \(raise it with VRRPSCOPE_MAX_WORDS=N\) words/);
  const bs = parseKeepalivedConfText(INSTANCE + '\\'.repeat(10_000_000) + '\n' + 'vrrp_instance B {\n interface eth1\n virtual_router_id 52\n}\n');
  assert.deepEqual(
    bs.instances.map((i) => i.name),
    ['VI_1', 'B'],
  );
});

test('50 000 instances: every one is read (duplicate names found with a set, not a scan)', () => {
  let s = '';
  for (let i = 0; i < 50_000; i++) s += `vrrp_instance I${i} {\n interface e${i >> 8}\n virtual_router_id ${(i % 255) + 1}\n}\n`;
  const c = parseKeepalivedConfText(s + 'vrrp_instance I7 {\n interface x\n virtual_router_id 1\n}\n');
  assert.equal(c.instances.length, 50_000);
  assert.match(messages(c), /vrrp_instance I7 defined twice/);
  assert.ok(c.errors.length <= 1001, 'problems are capped');
});

test('include [z-a].conf matches nothing, like glob(3), and says so; the rest of the config is read', () => {
  const main = write('range/keepalived.conf', 'include [z-a].conf\n' + INSTANCE);
  write('range/b.conf', 'vrrp_instance B {\n}\n');
  const c = parseKeepalivedConf(main);
  assert.equal(c.instances.length, 1);
  assert.match(messages(c), /include \[z-a\]\.conf: no files match \(a \[z-a\] range matches nothing\)/);
});

test('includes: nesting 20 deep, each file twice — bounded by the files limit, not 2^20 reads', () => {
  for (let d = 0; d < 20; d++) write(`exp/l${d}.conf`, d < 19 ? `include l${d + 1}.conf\ninclude l${d + 1}.conf\n` : INSTANCE);
  const t = Date.now();
  const c = parseKeepalivedConf(join(dir, 'exp/l0.conf'), undefined, undefined, { limits: { ...DEFAULT_LIMITS, includeFiles: 500 } });
  assert.ok(Date.now() - t < 5000);
  assert.match(messages(c), /not read: more than the 500 limit \(raise it with VRRPSCOPE_MAX_INCLUDES=N\) files read/);
  assert.match(messages(c), /more includes not read \(same limit\)/);
  const deep = parseKeepalivedConf(join(dir, 'exp/l0.conf'), undefined, undefined, { limits: { ...DEFAULT_LIMITS, includeDepth: 5 } });
  assert.match(messages(deep), /includes nest deeper than the 5 limit \(raise it with VRRPSCOPE_MAX_INCLUDE_DEPTH=N\)/);
});

test('include loops are found by real path: the same file by another name, and a symlinked directory', () => {
  write('loop/a.conf', 'include ./sub/../a.conf\n' + INSTANCE);
  mkdirSync(join(dir, 'loop/d'), { recursive: true });
  symlinkSync('..', join(dir, 'loop/d/up'));
  write('loop/b.conf', 'include d/up/d/up/d/up/b.conf\n');
  mkdirSync(join(dir, 'loop/sub'), { recursive: true });
  const a = parseKeepalivedConf(join(dir, 'loop/a.conf'));
  assert.match(messages(a), /include cycle/);
  assert.equal(a.instances.length, 1);
  const b = parseKeepalivedConf(join(dir, 'loop/b.conf'));
  assert.match(messages(b), /include cycle/);
});

test('a glob through a symlinked directory loop stops at the glob limit and says so', () => {
  mkdirSync(join(dir, 'globloop/d'), { recursive: true });
  symlinkSync('..', join(dir, 'globloop/d/up'));
  symlinkSync('..', join(dir, 'globloop/d/up2'));
  const main = write('globloop/keepalived.conf', 'include */*/*/*/*/*/*/*/*/*/*/*/*/*.conf\n' + INSTANCE);
  const t = Date.now();
  const c = parseKeepalivedConf(main, undefined, undefined, { limits: { ...DEFAULT_LIMITS, globPaths: 200 } });
  assert.ok(Date.now() - t < 5000);
  assert.match(messages(c), /the glob expands to more than the 200 limit \(raise it with VRRPSCOPE_MAX_GLOB=N\)/);
});

test('FIFOs, /dev/zero, /dev/stdin and directories named by include are refused, never waited on', () => {
  const c = parseKeepalivedConf(write('dev/keepalived.conf', `include /dev/zero\ninclude /dev/urandom\ninclude /dev/stdin\ninclude ${dir}\n` + INSTANCE));
  assert.equal(c.instances.length, 1);
  const m = messages(c);
  assert.match(m, /cannot read \/dev\/zero \(not a regular file \(a character device\) — not read\)/);
  assert.match(m, /cannot read \/dev\/urandom/);
  assert.match(m, /cannot read \/dev\/stdin/);
  assert.match(m, /a directory/);
});

test('an include of a file outside the config directory is followed, but no message quotes its content', () => {
  const secret = write('secret/shadow', 'root:$6$SECRETHASH:19000:0:99999:7:::\nSECRET2 {\n');
  const main = write('etc/keepalived.conf', `vrrp_instance A {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  include ${secret}\n }\n}\ninclude ${secret}\n`);
  const c = parseKeepalivedConf(main);
  const all = messages(c) + JSON.stringify(c.unknown);
  assert.ok(c.errors.length > 0, 'the bad lines are reported');
  assert.doesNotMatch(all, /SECRET/);
  assert.match(messages(c), /shadow:1: not understood \(.*is outside the configuration's directory: its content is not shown\)/);
  // quoted from a line of a trusted file: a sync-group member read from the outside file
  const groups = parseKeepalivedConf(write('etc2/keepalived.conf', `vrrp_sync_group G {\n group {\n  include ${secret}\n }\n}\n` + INSTANCE));
  assert.match(messages(groups), /sync group G: member … is not a vrrp_instance/);
  assert.doesNotMatch(messages(groups), /SECRET/);
});

test('in a bundle, includes stay inside the bundle directory unless allowed', () => {
  const outside = write('outside/other.conf', 'vrrp_instance OUT {\n interface eth9\n virtual_router_id 9\n}\n');
  const main = write('bundle/etc/keepalived/keepalived.conf', `include ${outside}\ninclude ../../../outside/other.conf\ninclude conf.d/*.conf\n` + INSTANCE);
  write('bundle/etc/keepalived/conf.d/in.conf', 'vrrp_instance IN {\n interface eth1\n virtual_router_id 52\n}\n');
  const root = join(dir, 'bundle');
  const inside = loadBundle({ conf: main, root });
  assert.deepEqual(
    inside.config?.instances.map((i) => i.name),
    ['IN', 'VI_1'],
  );
  assert.equal(inside.problems.filter((p) => /outside the bundle directory .* — not read; --allow-include-outside follows it/.test(p)).length, 2, inside.problems.join('\n'));
  // a symlink inside the bundle that points out of it is outside too
  symlinkSync(outside, join(root, 'etc/keepalived/conf.d/link.conf'));
  assert.ok(loadBundle({ conf: main, root }).problems.some((p) => /link\.conf \(outside the bundle/.test(p)));
  const allowed = loadBundle({ conf: main, root, allowIncludeOutside: true });
  assert.ok(allowed.config?.instances.some((i) => i.name === 'OUT'));
  // every file of the bundle: a dump, log or ruleset (or the config itself) symlinked out is not read
  const secret = write('outside/shadow', 'root:$6$SECRETHASH:19000:0:99999:7:::\n');
  for (const n of ['keepalived.stats', 'keepalived.log', 'iptables.txt', 'main.conf']) symlinkSync(secret, join(root, n));
  const ev = loadBundle({ conf: join(root, 'main.conf'), json: [`${join(root, 'keepalived.stats')}@1700000000`], log: join(root, 'keepalived.log'), firewall: [join(root, 'iptables.txt')], root });
  assert.equal(ev.problems.filter((p) => /: outside the bundle directory .* — not read/.test(p)).length, 4, ev.problems.join('\n'));
  assert.doesNotMatch(ev.problems.join('\n'), /SECRET/);
  assert.equal(ev.config, undefined);
});

test('nothing a config names is run or written: notify and track scripts are only read as text', () => {
  const marker = join(dir, 'ran');
  const script = write('scripts/notify.sh', `#!/bin/sh\ntouch ${marker}\n`);
  const main = write(
    'run/keepalived.conf',
    `global_defs {\n script_user root\n}\nvrrp_script chk {\n script "${script}"\n interval 1\n}\nvrrp_instance A {\n interface eth0\n virtual_router_id 51\n track_script {\n  chk\n }\n notify_master "${script} master"\n notify "/bin/sh -c 'touch ${marker}'"\n}\n`,
  );
  const c = loadBundle({ conf: main, json: [], firewall: [] }).config;
  assert.equal(c?.instances[0]?.notify.master, `${script} master`);
  assert.equal(existsSync(marker), false);
});
