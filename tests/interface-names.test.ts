// Interface index → name maps from real `ip` output and a real keepalived 2.2.7 data dump, all taken
// in one namespace by tests/fixtures/host/generate.sh (lo=1, br9=2, eth0=3, eth0.100=4), plus the
// lab-2.2.7 data dump (lo=1, eth0=2, eth1=3).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  describeInterfaceNames,
  detectInterfaceFormat,
  findInterfaceCommand,
  interfaceName,
  parseInterfaceNames,
  parseIpJson,
  parseIpText,
  parseKeepalivedDataInterfaces,
  validInterfaceName,
} from '../src/host/interface-names.js';

const FIX = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));
const HOST = join(FIX, 'host');
const read = (f: string): string => readFileSync(join(HOST, f), 'utf8');
const names = (m: ReturnType<typeof parseInterfaceNames>): Record<number, string> =>
  Object.fromEntries([...m.byIndex.values()].map((e) => [e.index, e.name]));
const NODE1 = { 1: 'lo', 2: 'br9', 3: 'eth0', 4: 'eth0.100' };

test('every form of real output for one host gives the same index → name map', () => {
  const forms: [string, string][] = [
    ['node1.ip-j-link.json', 'ip-json'],
    ['node1.ip-j-addr.json', 'ip-json'],
    ['node1.ip-link.txt', 'ip-text'],
    ['node1.ip-addr.txt', 'ip-text'],
    ['node1.ip-o-link.txt', 'ip-text'],
    ['node1.ip-o-addr.txt', 'ip-text'],
    ['node1.keepalived.data', 'keepalived-data'],
  ];
  for (const [f, source] of forms) {
    const m = parseInterfaceNames(read(f), f);
    assert.equal(m.source, source, f);
    assert.equal(m.file, f);
    assert.deepEqual(m.errors, [], f);
    assert.deepEqual(names(m), NODE1, `${f}: "eth0@if2" is eth0, the peer suffix is not part of the name`);
  }
});

test('addresses and MACs come with the names where the format has them', () => {
  const addr = parseIpJson(read('node1.ip-j-addr.json'));
  assert.deepEqual(addr.byIndex.get(3)?.addresses, ['192.168.2.11', '192.168.2.1', 'fd00:2::11', 'fe80::b8e5:a9ff:fef9:d5b7']);
  assert.deepEqual(addr.byIndex.get(4)?.addresses, ['10.100.0.11', '10.100.0.1', 'fe80::a00a:a8ff:feed:2340']);
  const text = parseIpText(read('node1.ip-addr.txt'));
  assert.deepEqual(text.byIndex.get(3)?.addresses, addr.byIndex.get(3)?.addresses);
  assert.equal(text.byIndex.get(3)?.mac, addr.byIndex.get(3)?.mac);
  assert.match(addr.byIndex.get(3)?.mac ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  const oaddr = parseIpText(read('node1.ip-o-addr.txt'));
  assert.deepEqual(oaddr.byIndex.get(4)?.addresses, addr.byIndex.get(4)?.addresses);
  const data = parseKeepalivedDataInterfaces(read('node1.keepalived.data'));
  assert.equal(data.byIndex.get(3)?.mac, addr.byIndex.get(3)?.mac);
  assert.ok(data.byIndex.get(3)?.addresses.includes('192.168.2.11'));
});

test('the lab-2.2.7 data dump (instances and sockpool sections before Interfaces) maps eth0=2, eth1=3', () => {
  const m = parseKeepalivedDataInterfaces(readFileSync(join(FIX, 'keepalived', 'lab-2.2.7', 'node2-a.data'), 'utf8'));
  assert.deepEqual(m.errors, []);
  assert.deepEqual(names(m), { 1: 'lo', 2: 'eth0', 3: 'eth1' });
  assert.equal(m.byIndex.get(2)?.mac, '66:72:21:99:6f:65');
  assert.equal(interfaceName(m, 3), 'eth1');
  assert.equal(interfaceName(m, 9), undefined);
  assert.equal(interfaceName(undefined, 2), undefined);
});

test('format detection; text that is none of them is one clear error', () => {
  assert.equal(detectInterfaceFormat('\uFEFF[]'), 'ip-json');
  assert.equal(detectInterfaceFormat(read('node1.keepalived.data')), 'keepalived-data');
  assert.equal(detectInterfaceFormat(read('node1.ip-o-link.txt')), 'ip-text');
  assert.equal(detectInterfaceFormat('eth0  UP  192.168.2.11/24\n'), undefined, '`ip -br addr` has no index');
  assert.throws(() => parseInterfaceNames('eth0  UP  192.168.2.11/24\n', 'br.txt'), /^Error: br\.txt: not `ip -j link`/);
});

test('names that are not Linux interface names, or not safe to paste, are refused, never mapped', () => {
  const bad = parseIpJson(JSON.stringify([
    { ifindex: 2, ifname: 'eth0; rm -rf /' },
    { ifindex: 3, ifname: '$(reboot)' },
    { ifindex: 4, ifname: 'a/b' },
    { ifindex: 5, ifname: 'waytoolonginterface' },
    { ifindex: 0, ifname: 'eth9' },
    { ifindex: '6', ifname: 'eth6' },
    { ifindex: 7, ifname: 'eth7' },
    { ifindex: 7, ifname: 'eth8' },
    { ifindex: 8, ifname: '-x' },
    { ifindex: 9, ifname: 'bond0.100@bond0' },
  ]));
  assert.deepEqual(names(bad), { 7: 'eth7', 9: 'bond0.100@bond0' });
  assert.equal(bad.errors.length, 8);
  assert.ok(bad.errors.some((e) => /interface 7 is named both eth7 and eth8; keeping eth7/.test(e.message)));
  for (const n of ['eth0', 'eth0.100', 'enp0s31f6', 'br-1a2b3c4d5e6f', 'veth1@x', 'wg+0']) assert.ok(validInterfaceName(n), n);
  for (const n of ['', '.', '..', 'a b', 'a:b', 'a/b', '`id`', "it's", '0123456789abcdef', 'é']) assert.ok(!validInterfaceName(n), n);
  assert.deepEqual(parseIpJson('{"ifindex":1}').errors, [{ message: 'expected a JSON array (ip -j link / ip -j addr)' }]);
  assert.match(parseIpJson('[{').errors[0]?.message ?? '', /^not JSON/);
});

test('a keepalived data dump without an Interfaces section, or a name without index, says so', () => {
  const cut = readFileSync(join(FIX, 'keepalived', 'lab-2.2.7', 'node2-a.data'), 'utf8').split('------< Interfaces >------')[0] ?? '';
  assert.deepEqual(parseKeepalivedDataInterfaces(cut).errors, [{ message: 'no "------< Interfaces >------" section (is this keepalived.data?)' }]);
  const noIndex = parseKeepalivedDataInterfaces('------< Interfaces >------\n Name = eth0\n   MTU = 1500\n Name = eth1\n   index = 3\n');
  assert.deepEqual(names(noIndex), { 3: 'eth1' });
  assert.deepEqual(noIndex.errors, [{ line: 2, message: 'interface eth0 has no index line' }]);
});

test('the report line names the source; the find command is a fixed, pasteable awk over `ip -o link`', () => {
  const m = parseInterfaceNames(read('node1.keepalived.data'), 'node1.keepalived.data');
  assert.equal(describeInterfaceNames(m), 'interface indexes named from the keepalived data dump node1.keepalived.data: if1=lo, if2=br9, if3=eth0, if4=eth0.100');
  assert.equal(findInterfaceCommand(3), `ip -o link | awk -F': ' '$1 == 3 { sub(/@.*/, "", $2); print $2 }'`);
});
