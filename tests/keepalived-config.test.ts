// keepalived.conf parsing, checked three ways:
//  1. every config the lab ran with real keepalived 2.2.7 (tests/fixtures/lab/*/node*.conf) against
//     what that same keepalived reported about itself in its JSON dump (VRID, interface, priority,
//     version, interval, auth, VIPs) — so the parser agrees with keepalived, not with our reading of it;
//  2. a hand-written nasty config (includes, globs, comments, odd spacing, unknown keywords, bad values)
//     against keepalived's own `-t` verdict on the same file (nasty/keepalived-t.txt);
//  3. small in-memory cases for the grammar corners.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ReadDirFn, type ReadFileFn, parseKeepalivedConf, parseKeepalivedConfText } from '../src/host/keepalived/config.js';
import { parseKeepalivedJson } from '../src/host/keepalived/json-dump.js';

const FIX = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));
const LAB = join(FIX, 'lab');
const KA = join(FIX, 'keepalived');

function labConfigs(): { dir: string; node: string; conf: string }[] {
  const out: { dir: string; node: string; conf: string }[] = [];
  for (const dir of readdirSync(LAB).sort()) {
    for (const f of readdirSync(join(LAB, dir)).sort()) {
      const m = /^(node\d)\.conf$/.exec(f);
      if (m !== null) out.push({ dir, node: m[1] as string, conf: join(LAB, dir, f) });
    }
  }
  return out;
}

test('every lab config parses cleanly and matches the scenario manifest', () => {
  const confs = labConfigs();
  assert.ok(confs.length >= 50, `found ${confs.length} lab configs`);
  for (const { dir, node, conf } of confs) {
    const c = parseKeepalivedConf(conf);
    const scenario = JSON.parse(readFileSync(join(LAB, dir, 'scenario.json'), 'utf8')) as {
      vrrpVersion: number;
      syncGroup: { name: string; members: string[] } | null;
      nodes: Record<string, { instances: Record<string, { version?: number }> }>;
    };
    assert.deepEqual(c.errors, [], `${dir}: ${JSON.stringify(c.errors)}`);
    assert.deepEqual(c.unknown, [], `${dir}`);
    assert.deepEqual(c.files, [conf]);
    // (vrid-conflict's node3 runs a foreign instance OTHER on the same VRID)
    const service = c.instances.find((i) => i.name === (c.instances.some((x) => x.name === 'SERVICE') ? 'SERVICE' : 'OTHER'));
    assert.ok(service, dir);
    assert.equal(service.interface, 'eth0', dir);
    assert.equal(service.vrid, 51, dir);
    // version-mismatch: the nodes differ, so the node's own instance in the manifest says which
    assert.equal(service.version, scenario.nodes[node]?.instances[service.name]?.version ?? scenario.vrrpVersion, dir);
    if (scenario.syncGroup === null) assert.deepEqual(c.syncGroups, [], dir);
    else {
      assert.deepEqual(
        c.syncGroups.map((g) => [g.name, g.members]),
        [[scenario.syncGroup.name, scenario.syncGroup.members]],
        dir,
      );
      for (const m of scenario.syncGroup.members) assert.equal(c.instances.find((i) => i.name === m)?.syncGroup, scenario.syncGroup.name, dir);
    }
  }
});

test('lab configs agree with keepalived 2.2.7’s own JSON dump of the same node', () => {
  let compared = 0;
  for (const { dir, node, conf } of labConfigs()) {
    const dumps = readdirSync(join(LAB, dir))
      .filter((f) => f.startsWith(`${node}-json-`))
      .sort();
    const last = dumps[dumps.length - 1];
    if (last === undefined) continue;
    const dump = parseKeepalivedJson(readFileSync(join(LAB, dir, last), 'utf8'));
    assert.deepEqual(dump.errors, []);
    const c = parseKeepalivedConf(conf);
    assert.equal(dump.instances.length, c.instances.length, `${dir}/${node}`);
    for (const st of dump.instances) {
      const inst = c.instances.find((i) => i.name === st.name);
      const where = `${dir}/${node}/${st.name}`;
      assert.ok(inst, where);
      assert.equal(inst.vrid, st.vrid, where);
      assert.equal(inst.interface, st.interface, where);
      assert.equal(inst.priority, st.basePriority, where);
      assert.equal(inst.version, st.version, where);
      assert.equal(inst.advertInt, st.advertInt, where);
      assert.equal(inst.nopreempt, st.nopreempt, where);
      assert.equal(inst.auth?.ignored === undefined ? (inst.auth?.pass ?? undefined) : undefined, st.authData, where);
      // keepalived prints "192.168.2.1/24 dev eth0 scope global[ set]"
      assert.deepEqual(
        inst.virtualAddresses.map((v) => `${v.address}/${v.prefix} dev ${v.dev}`),
        st.vips.map((s) => s.split(' ').slice(0, 3).join(' ')),
        where,
      );
      compared++;
    }
  }
  assert.ok(compared >= 60, `compared ${compared} instances`);
});

test('a VIP of the other family is dropped with keepalived’s line number (fixture lab-2.2.7)', () => {
  const dir = join(KA, 'lab-2.2.7');
  const c = parseKeepalivedConf(join(dir, 'node2.conf'));
  // keepalived logged: "(…/keepalived.conf: Line 23) (SERVICE): address family must match VRRP instance [fd00:2::1/64] - ignoring"
  assert.match(readFileSync(join(dir, 'node2-console.log'), 'utf8'), /Line 23\) \(SERVICE\): address family must match/);
  assert.deepEqual(
    c.errors.map((e) => [e.line, /fd00:2::1/.test(e.message)]),
    [[23, true]],
  );
  const service = c.instances.find((i) => i.name === 'SERVICE');
  assert.deepEqual(service?.virtualAddresses.map((v) => v.address), ['192.168.2.1']);
  assert.deepEqual(c.syncGroups[0]?.notify, { master: '/bin/true master' });
  // and it matches the JSON dump keepalived wrote (VIPs: only the IPv4 one)
  const dump = parseKeepalivedJson(readFileSync(join(dir, 'node2-a.json'), 'utf8'));
  assert.deepEqual(dump.instances.find((i) => i.name === 'SERVICE')?.vips, ['192.168.2.1/24 dev eth0 scope global']);
});

test('nasty config: includes, globs, comments, spacing, unknown keywords, bad values', () => {
  const dir = join(KA, 'nasty');
  const main = join(dir, 'keepalived.conf');
  const c = parseKeepalivedConf(main);
  const rel = (f: string): string => f.slice(dir.length + 1);

  // include order: conf.d/*.conf (not .hidden.conf, not notes.txt), sub/[ab]-?.inc, sub/{extra,missing}.inc,
  // and the nested include (relative to sub/b-2.inc) in between
  assert.deepEqual(c.files.map(rel), ['keepalived.conf', 'conf.d/10-v6.conf', 'sub/a-1.inc', 'sub/b-2.inc', 'inner/peers.inc', 'sub/extra.inc']);
  assert.deepEqual(
    c.instances.map((i) => i.name),
    ['VI_6', 'VI_V3', 'VI_CLASH', 'VI_WEB', 'VI_DB'],
  );

  // globals with tabs, trailing comments, brace on the next line
  assert.equal(c.globals.routerId, 'LVS_DEVEL');
  assert.equal(c.globals.vrrpMcastGroup4, '224.0.0.19');
  assert.equal(c.globals.vrrpMcastGroup6, 'ff02::12');
  assert.equal(c.globals.vrrpVersion, 2);
  assert.equal(c.globals.enableScriptSecurity, true);
  assert.equal(c.globals.scriptUser, 'nobody');
  assert.equal(c.globals.vrrpStrict, false);
  assert.equal(c.globals.other['vrrp_garp_master_refresh'], '60');

  // sync group with `group { A B }` on one line and a quoted notify followed by a `!` comment
  assert.deepEqual(
    c.syncGroups.map((g) => [g.name, g.members, g.notify]),
    [['VG_1', ['VI_WEB', 'VI_DB'], { master: '/usr/local/bin/notify.sh master', backup: '/usr/local/bin/notify.sh' }]],
  );

  const web = c.instances.find((i) => i.name === 'VI_WEB');
  assert.ok(web);
  assert.equal(web.state, 'MASTER');
  assert.equal(web.priority, 150);
  assert.equal(web.advertIntConfigured, 1.4);
  assert.equal(web.advertInt, 1, 'VRRPv2 rounds the interval to whole seconds');
  assert.equal(web.preemptDelay, 30);
  assert.equal(web.garpMasterDelay, 2);
  assert.equal(web.useVmac, 'vrrp.51');
  assert.equal(web.syncGroup, 'VG_1');
  assert.equal(web.versionSource, 'global');
  assert.deepEqual(web.auth && [web.auth.type, web.auth.pass, web.auth.passConfigured, web.auth.ignored], ['PASS', 's3cr3t#l', 's3cr3t#longer', undefined]);
  assert.equal(web.unicastSrcIp, '192.168.2.11');
  assert.deepEqual(
    web.unicastPeers.map((p) => p.address),
    ['192.168.2.12'],
    'keepalived takes one peer per line',
  );
  assert.deepEqual(
    web.virtualAddresses.map((v) => [v.address, v.prefix, v.prefixGiven, v.dev, v.label, v.brd]),
    [
      ['192.168.2.100', 24, true, 'eth0', 'eth0:vip', '192.168.2.255'],
      ['192.168.2.200', 32, false, undefined, undefined, undefined],
    ],
  );
  assert.deepEqual(
    web.excludedAddresses.map((v) => [v.address, v.family]),
    [['fd00:2::100', 6]],
  );
  assert.deepEqual(
    web.trackInterfaces.map((t) => [t.name, t.weight, t.reverse]),
    [
      ['eth1', -20, false],
      ['eth2', undefined, false],
    ],
  );
  assert.deepEqual(
    web.trackScripts.map((t) => [t.name, t.weight, t.reverse]),
    [['chk_nginx', 10, true]],
  );
  assert.equal(web.other['frobnicate'], 'yes');

  const v6 = c.instances.find((i) => i.name === 'VI_6');
  assert.ok(v6);
  assert.deepEqual([v6.family, v6.version, v6.versionSource, v6.advertInt, v6.priority, v6.state], [6, 3, 'ipv6', 0.25, 100, 'BACKUP']);
  assert.equal(v6.virtualAddresses[0]?.address, 'fd00:2::1', 'IPv6 lower-cased');
  assert.equal(v6.auth?.ignored, 'VRRP version 3 does not support authentication');

  const v3 = c.instances.find((i) => i.name === 'VI_V3');
  assert.ok(v3);
  assert.deepEqual([v3.version, v3.versionSource, v3.advertInt, v3.priority], [3, 'instance', 0.5, 90]);
  assert.deepEqual(
    v3.unicastPeers.map((p) => [p.address, p.minTtl, p.maxTtl, rel(p.at.file), p.at.line]),
    [['172.16.0.2', 250, 255, 'inner/peers.inc', 2]],
  );

  const db = c.instances.find((i) => i.name === 'VI_DB');
  assert.ok(db);
  assert.deepEqual([db.vrid, db.priority, db.priorityConfigured, db.nopreempt, db.auth?.type], [undefined, 100, undefined, true, 'AH']);
  assert.deepEqual(
    db.virtualAddresses.map((v) => `${v.address}/${v.prefix}`),
    ['10.0.0.1/32', '10.0.0.2/24'],
  );

  // unknown: the @-conditional line (with its block) and the made-up keyword
  assert.deepEqual(
    c.unknown.map((u) => [rel(u.file), u.line, u.keyword]),
    [
      ['keepalived.conf', 19, '@node1'],
      ['keepalived.conf', 58, 'frobnicate'],
    ],
  );
  assert.ok(!c.instances.some((i) => i.name === 'ONLY_ON_NODE1' || i.name === 'HIDDEN' || i.name === 'NOT_INCLUDED'));

  // every error keepalived itself reports for this file (keepalived-t.txt) is reported on the same line,
  // except the ones about interfaces missing on the test host and the @ line handling
  const theirs = readFileSync(join(dir, 'keepalived-t.txt'), 'utf8')
    .split('\n')
    .map((l) => /^\((?:(.*): )?Line (\d+)\) (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .filter((m) => !/doesn't exist|Unknown keyword '(interface|virtual_router_id|\})'|Extra '\}'|vmac_xmit_base/.test(m[3] as string))
    .map((m) => `${m[1] === undefined || m[1].startsWith('/') ? 'keepalived.conf' : m[1]}:${m[2]}`);
  const ours = new Set([...c.errors, ...c.unknown].map((e) => `${rel(e.file)}:${e.line}`));
  for (const t of new Set(theirs)) assert.ok(ours.has(t), `keepalived reports ${t}; we report ${[...ours].join(' ')}`);

  const msgs = c.errors.map((e) => `${rel(e.file)}:${e.line} ${e.message}`);
  for (const expected of [
    /^keepalived\.conf:16 include sub\/\{extra,missing\}\.inc: some files missing/,
    /^keepalived\.conf:17 include nothing-here\/\*\.conf: no files match/,
    /^keepalived\.conf:41 .*auth_pass longer than 8/,
    /^keepalived\.conf:44 .*one peer per line/,
    /^keepalived\.conf:47 .*192\.168\.2\.110-112\/24.*not an IP address/,
    /^keepalived\.conf:64 virtual_router_id '300'/,
    /^keepalived\.conf:65 priority '0'/,
    /^keepalived\.conf:72 .*bad prefix length/,
    /^keepalived\.conf:73 .*not-an-ip/,
    /VI_WEB: VRID 51 on eth0 is also used by VI_CLASH/,
    /VRRPv2 advert_int 1\.4/,
  ]) {
    assert.ok(
      msgs.some((m) => expected.test(m)),
      `${expected} in\n${msgs.join('\n')}`,
    );
  }
});

test('include cycles are refused, not followed', () => {
  const c = parseKeepalivedConf(join(KA, 'cycle', 'a.conf'));
  assert.deepEqual(
    c.instances.map((i) => i.name),
    ['B', 'A'],
  );
  assert.equal(c.errors.length, 1);
  assert.match(c.errors[0]?.message ?? '', /include cycle/);
  assert.match(c.errors[0]?.file ?? '', /b\.conf$/);
  assert.equal(c.errors[0]?.line, 1);
});

/** In-memory file system for grammar corners. */
function memFs(files: Record<string, string>): { readFile: ReadFileFn; readDir: ReadDirFn } {
  return {
    readFile: (p) => {
      const t = files[p];
      if (t === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return t;
    },
    readDir: (p) => {
      const prefix = p.endsWith('/') ? p : p + '/';
      const names = new Set<string>();
      for (const f of Object.keys(files)) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0] as string);
      if (names.size === 0) throw Object.assign(new Error(`ENOTDIR: ${p}`), { code: 'ENOTDIR' });
      return [...names];
    },
  };
}

test('glob classes, ?, negation, absolute include paths and missing files', () => {
  const fs = memFs({
    '/etc/keepalived/keepalived.conf':
      'include /etc/keepalived/i/[^x]?.conf\ninclude missing.conf\ninclude "quoted dir/q.conf"  # comment\ninclude i/[!a]* ! unquoted ! starts a comment, as in keepalived\ninclude i/[\\!x]bc.conf\n',
    '/etc/keepalived/i/a1.conf': 'vrrp_instance A1 { \n interface e\n virtual_router_id 1\n}\n',
    '/etc/keepalived/i/b2.conf': 'vrrp_instance B2 {\n interface e\n virtual_router_id 2\n}\n',
    '/etc/keepalived/i/x3.conf': 'vrrp_instance X3 {\n interface e\n virtual_router_id 3\n}\n',
    '/etc/keepalived/i/abc.conf': 'vrrp_instance ABC {\n interface e\n virtual_router_id 4\n}\n',
    '/etc/keepalived/quoted dir/q.conf': 'vrrp_instance Q {\n interface e\n virtual_router_id 5\n}\n',
  });
  const c = parseKeepalivedConf('/etc/keepalived/keepalived.conf', fs.readFile, fs.readDir);
  assert.deepEqual(
    c.instances.map((i) => i.name),
    ['A1', 'B2', 'Q', 'ABC'],
  );
  assert.deepEqual(
    c.errors.map((e) => [e.file, e.line, e.message]),
    [
      ['/etc/keepalived/keepalived.conf', 2, 'cannot read /etc/keepalived/missing.conf (ENOENT)'],
      ['/etc/keepalived/keepalived.conf', 4, 'include i/[: no files match'],
    ],
  );
});

test('grammar corners: comments in and out of quotes, escapes, continuation, braces, unclosed blocks', () => {
  const text = [
    'vrrp_instance   V1{interface eth0', // brace glued to the name, content on the same line
    '  virtual_router_id 7 # vrid',
    '  authentication {auth_type PASS',
    '    auth_pass ab\\#cd!rest-is-comment',
    '  }',
    '  notify "/bin/echo # not a comment"',
    '  virtual_ipaddress {',
    '    10.9.9.9/24 \\',
    '      dev eth0',
    '  }}',
    'vrrp_instance V2',
    '',
    '{',
    '  interface eth1',
    '  virtual_router_id 8',
    '  state MASTER',
    '  virtual_ipaddress { 10.8.8.8 }',
    '  mystery_block {',
    '     nested { deeper }',
    '  }',
    '}',
    '}',
    'vrrp_instance V3 {',
    '  interface eth2',
  ].join('\n');
  const c = parseKeepalivedConfText(text, 'mem.conf');
  const v1 = c.instances.find((i) => i.name === 'V1');
  assert.ok(v1);
  assert.equal(v1.interface, 'eth0');
  assert.equal(v1.vrid, 7);
  assert.equal(v1.auth?.pass, 'ab#cd');
  assert.equal(v1.notify.notify, '/bin/echo # not a comment');
  assert.deepEqual(
    v1.virtualAddresses.map((v) => [v.address, v.prefix, v.dev, v.at.line]),
    [['10.9.9.9', 24, 'eth0', 8]],
  );
  const v2 = c.instances.find((i) => i.name === 'V2');
  assert.ok(v2);
  assert.deepEqual([v2.interface, v2.vrid, v2.state, v2.priority], ['eth1', 8, 'MASTER', 255]);
  assert.deepEqual(
    v2.virtualAddresses.map((v) => v.address),
    ['10.8.8.8'],
  );
  assert.deepEqual(
    c.unknown.map((u) => [u.line, u.keyword]),
    [[18, 'mystery_block']],
  );
  assert.deepEqual(
    c.errors.map((e) => [e.line, e.message.replace(/ —.*/, '')]),
    [
      [22, "unbalanced '}'"],
      [23, "block 'vrrp_instance V3' is not closed before the end of the configuration"],
      [23, 'vrrp_instance V3: no virtual_router_id'],
    ],
  );
  // the unclosed instance is still read as far as it goes
  assert.equal(c.instances.find((i) => i.name === 'V3')?.interface, 'eth2');
});

test('strict mode, IPv6 with version 2, defaults, unicast in strict mode', () => {
  const c = parseKeepalivedConfText(
    [
      'global_defs {',
      '  vrrp_strict',
      '  vrrp_version 3',
      '  vrrp_mcast_group6 FF02::1:2',
      '}',
      'vrrp_instance S {',
      '  interface eth0',
      '  virtual_router_id 9',
      '  version 2',
      '  advert_int 0.333',
      '  authentication {',
      '    auth_type PASS',
      '    auth_pass pw',
      '  }',
      '  unicast_peer {',
      '    10.0.0.2',
      '  }',
      '  virtual_ipaddress {',
      '    10.0.0.1',
      '  }',
      '}',
      'vrrp_instance S6 {',
      '  interface eth0',
      '  virtual_router_id 10',
      '  version 2',
      '  virtual_ipaddress {',
      '    2001:db8::1/64',
      '  }',
      '}',
      'vrrp_instance D {',
      '  interface eth1',
      '  virtual_router_id 11',
      '  priority 255',
      '  virtual_ipaddress {',
      '    10.1.0.1',
      '  }',
      '}',
    ].join('\n'),
  );
  assert.equal(c.globals.vrrpStrict, true);
  assert.equal(c.globals.vrrpVersion, 3);
  assert.equal(c.globals.vrrpMcastGroup6, 'ff02::1:2');
  const s = c.instances.find((i) => i.name === 'S');
  const s6 = c.instances.find((i) => i.name === 'S6');
  const d = c.instances.find((i) => i.name === 'D');
  assert.ok(s && s6 && d);
  assert.deepEqual([s.version, s.versionSource, s.advertInt, s.strict, s.auth?.ignored], [2, 'instance', 1, true, 'strict mode does not support authentication']);
  assert.deepEqual([s6.version, s6.versionSource, s6.family], [3, 'ipv6', 6]);
  assert.deepEqual([d.version, d.versionSource, d.state, d.priority], [3, 'global', 'MASTER', 255]);
  const msgs = c.errors.map((e) => `${e.line} ${e.message}`);
  assert.ok(msgs.some((m) => /^6 .*unicast peers are not allowed in strict mode/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^22 .*IPv6 needs VRRP version 3/.test(m)), msgs.join('\n'));
  assert.ok(msgs.some((m) => /^6 .*advert_int 0\.333 must be a whole number/.test(m)), msgs.join('\n'));
});

test('a missing main file is an error, not an exception', () => {
  const c = parseKeepalivedConf(join(KA, 'does-not-exist.conf'));
  assert.equal(existsSync(join(KA, 'does-not-exist.conf')), false);
  assert.deepEqual(c.instances, []);
  assert.equal(c.errors.length, 1);
  assert.match(c.errors[0]?.message ?? '', /cannot read .*ENOENT/);
});
