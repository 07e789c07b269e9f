// Bundles (docs/bundle.md): the manifest round trip, both nodes' evidence each on its own segments,
// reading back gives the same findings (directory and .tar.gz), and reading is safe — paths,
// symlinks and archive members that point outside the bundle are refused.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkListing } from '../src/bundle/bundle-archive.js';
import { readBundle } from '../src/bundle/bundle-reader.js';
import { BundleWriter } from '../src/bundle/bundle-writer.js';
import { isBundlePath, ManifestError, parseManifest } from '../src/bundle/manifest.js';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import { labBundle as writeLabBundle } from './helpers/lab-bundle.js';
import { runCli } from './helpers/run-cli.js';

const LAB = fileURLToPath(new URL('../../tests/fixtures/lab/sync-group-firewall/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-bundle-test-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A bundle of the lab's two nodes as --ssh would write it: per-interface captures, dumps at their times, config, ruleset. */
const labBundle = (dir: string): Promise<BundleWriter> => writeLabBundle(LAB, dir, { evidence: true });

test('manifest: what the writer writes, the reader parses back unchanged', async () => {
  const dir = join(tmp, 'rt');
  const b = await labBundle(dir);
  const text = readFileSync(join(dir, 'manifest.json'), 'utf8');
  const m = parseManifest(text);
  assert.deepEqual(JSON.parse(JSON.stringify(m.nodes)), JSON.parse(text).nodes);
  assert.deepEqual(m.nodes.map((n) => [n.name, n.capture, n.keepalived.dumps.length, n.keepalived.config]), [
    ['node1', 'node1/capture.pcapng', 6, '/etc/keepalived/keepalived.conf'],
    ['node2', 'node2/capture.pcapng', 6, '/etc/keepalived/keepalived.conf'],
  ]);
  assert.equal(m.nodes[0]!.keepalived.dumps[0]!.timeNs, '1795640445000000000');
  assert.equal(b.manifest().nodes.length, 2);
});

test('each node\'s evidence goes with its own segments: node2 drops, node1 does not; reading back gives the same findings', async () => {
  const dir = join(tmp, 'two');
  await labBundle(dir);
  const loaded = readBundle(dir);
  assert.deepEqual(loaded.problems, []);
  const a = await analyzeCaptures(loaded.inputs, { warn: () => undefined, host: loaded.hosts });
  const drops = a.findings.filter((f) => f.code === 'adverts-dropped-on-host');
  assert.deepEqual(drops.map((f) => f.segment), ['node2/eth0']);
  assert.match(drops[0]!.message, /reach node2\/eth0 .*node2's firewall drops them/);
  assert.match(drops[0]!.message, /-A INPUT -i eth0 -p vrrp -j DROP/);
  assert.deepEqual(a.instances.map((i) => `${i.vrid.segment} ${i.name}`).sort(), ['node1/eth0 SERVICE', 'node1/eth1 BACKEND', 'node2/eth0 SERVICE', 'node2/eth1 BACKEND']);

  const direct = runCli(['-r', dir, '--json']);
  const tgz = join(tmp, 'two.tar.gz');
  const packed = spawnSync('tar', ['-czf', tgz, '-C', tmp, 'two']);
  assert.equal(packed.status, 0);
  const fromArchive = runCli(['-r', tgz, '--json']);
  const findings = (s: string): string[] => s.split('\n').filter((l) => l.startsWith('{"type":"finding"'));
  assert.equal(direct.status, 1, direct.stderr);
  assert.ok(findings(direct.stdout).some((l) => l.includes('"adverts-dropped-on-host"') && l.includes('"node2/eth0"')));
  assert.deepEqual(findings(fromArchive.stdout), findings(direct.stdout));
});

test('--bundle DIR.tar.gz from capture files: packed by tar, read back with the same report', () => {
  const out = join(tmp, 'files.tar.gz');
  const first = runCli(['-r', `node2=${join(LAB, 'node2.pcapng')}`, '--report', '--bundle', out, '--keepalived-conf', join(LAB, 'node2.conf'), '--firewall', join(LAB, 'node2.iptables-save')]);
  assert.match(first.stderr, /bundle written: .*files\.tar\.gz/);
  const members = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
  assert.ok(members.includes('files/manifest.json') && members.includes('files/node2/capture.pcapng') && members.some((m) => m.startsWith('files/node2/config/')));
  const again = runCli(['-r', out, '--report']);
  assert.equal(again.stdout.replace(/^input: .*$/m, ''), first.stdout.replace(/^input: .*$/m, ''));
  assert.equal(again.status, first.status);
});

test('paths in a manifest stay inside the bundle', () => {
  for (const p of ['/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a\\b', '']) assert.equal(isBundlePath(p), false, p);
  for (const p of ['node1/capture.pcapng', 'n/config/etc/keepalived/keepalived.conf']) assert.equal(isBundlePath(p), true, p);
  const base = { format: 'vrrpscope-bundle', version: 1, nodes: [{ name: 'n', capture: '../../etc/shadow' }] };
  assert.throws(() => parseManifest(JSON.stringify(base)), ManifestError);
  assert.throws(() => parseManifest(JSON.stringify({ ...base, nodes: [{ name: '../n' }] })), /no usable name/);
  assert.throws(() => parseManifest(JSON.stringify({ ...base, version: 99 })), /newer/);
  assert.throws(() => parseManifest('{"format":"other"}'), /not a vrrpscope bundle/);
});

test('a symlink out of the bundle and an include that climbs out are refused, the rest is read', () => {
  const dir = join(tmp, 'evil');
  mkdirSync(join(dir, 'n', 'config', 'etc', 'keepalived'), { recursive: true });
  writeFileSync(join(tmp, 'secret.conf'), 'vrrp_instance LEAK {\n interface eth9\n virtual_router_id 9\n priority 1\n}\n');
  symlinkSync(join(tmp, 'secret.conf'), join(dir, 'n', 'config', 'etc', 'keepalived', 'linked.conf'));
  // The include climbs with ../ — it must resolve under the node's config/, never on this machine.
  writeFileSync(join(dir, 'n', 'config', 'etc', 'keepalived', 'keepalived.conf'), `include ../../../../../../${tmp.slice(1)}/secret.conf\ninclude linked.conf\nvrrp_instance OK {\n interface eth0\n virtual_router_id 1\n priority 1\n}\n`);
  symlinkSync('/etc/hostname', join(dir, 'n', 'capture.pcapng'));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ format: 'vrrpscope-bundle', version: 1, nodes: [{ name: 'n', capture: 'n/capture.pcapng', keepalived: { config: '/etc/keepalived/keepalived.conf', configRoot: 'n/config' } }] }),
  );
  const b = readBundle(dir);
  assert.deepEqual(b.inputs, []);
  assert.ok(b.problems.some((p) => /capture\.pcapng: a link out of the bundle/.test(p)), b.problems.join('\n'));
  assert.ok(b.problems.some((p) => /secret\.conf: missing from the bundle/.test(p)), b.problems.join('\n'));
  assert.ok(b.problems.some((p) => /linked\.conf: a link out of the bundle/.test(p)), b.problems.join('\n'));
  assert.deepEqual(b.hosts[0]!.config!.instances.map((i) => i.name), ['OK']);
});

test('archive members: only plain files and directories, nothing absolute or climbing', () => {
  assert.equal(checkListing(['b/', 'b/manifest.json'], ['drwx------ 0/0 0 x b/', '-rw------- 0/0 1 x b/manifest.json']), undefined);
  assert.match(checkListing(['../x'], ['-rw-r--r-- 0/0 1 x ../x'])!, /outside/);
  assert.match(checkListing(['/etc/passwd'], ['-rw-r--r-- 0/0 1 x /etc/passwd'])!, /outside/);
  assert.match(checkListing(['b/l'], ['lrwxrwxrwx 0/0 0 x b/l -> /etc'])!, /not a plain file/);
  assert.match(checkListing(['b/h'], ['hrw-r--r-- 0/0 0 x b/h link to /etc/shadow'])!, /not a plain file/);
  assert.match(checkListing([], [])!, /empty/);
});

test('keepalived data dumps: kept as written, listed under keepalived.data, and read back like live (addresses; states for the stats dump just before)', async () => {
  const KA = fileURLToPath(new URL('../../tests/fixtures/keepalived/lab-2.2.7/', import.meta.url));
  const dir = join(tmp, 'data-bundle');
  const b = new BundleWriter(dir, 'vrrpscope test');
  b.node('node2', 'ssh root@node2');
  const s = 1_000_000_000n;
  const data = readFileSync(join(KA, 'node2-a.data'), 'utf8');
  b.evidence('node2', 'stats', 'keepalived.stats', readFileSync(join(KA, 'node2-a.stats'), 'utf8'), 100n * s);
  b.evidence('node2', 'data', 'keepalived.data', data, 100n * s + 300_000_000n);
  await b.finish(101n * s);
  const m = parseManifest(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(m.nodes[0]!.keepalived.data, [{ file: 'node2/dumps/data-0001.txt', timeNs: String(100n * s + 300_000_000n) }]);
  assert.equal(readFileSync(join(dir, 'node2', 'dumps', 'data-0001.txt'), 'utf8'), data);
  const back = readBundle(dir);
  assert.deepEqual(back.problems, []);
  const ev = back.hosts[0]!;
  assert.ok(ev.localAddresses.has('192.168.2.12') && ev.localAddresses.has('10.1.2.12'));
  assert.deepEqual(ev.dumps[0]!.dump.instances.map((i) => `${i.name} ${i.stateName} ${i.stats.advertRcvd}`), ['SERVICE BACKUP 5', 'BACKEND MASTER 0']);
});
