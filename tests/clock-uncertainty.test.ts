// Two nodes' clocks agree only to within their uncertainty (--ssh estimates it, a bundle's manifest
// carries it): findings that compare times on different nodes' segments, or a node's time with the
// end of the input, claim nothing inside it. Shown on the lab's crash-loop recording (node1's
// keepalived SIGKILLed, real keepalived 2.2.7) written as a two-node bundle the way --ssh writes one
// (each node's own frames marked outgoing), with small and with large stated uncertainties.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NodeClocks, plusMinus } from '../src/analysis/node-clocks.js';
import type { Finding } from '../src/analysis/finding.js';
import { readBundle } from '../src/bundle/bundle-reader.js';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import { labBundle } from './helpers/lab-bundle.js';
import { runCli } from './helpers/run-cli.js';

const LAB = fileURLToPath(new URL('../../tests/fixtures/lab/crash-loop/', import.meta.url));
const OUT = mkdtempSync(join(tmpdir(), 'vrrpscope-clocks-'));
after(() => rmSync(OUT, { recursive: true, force: true }));

/** node1's last advert before its first SIGKILL (09:07:29.719800 UTC), and its master-down (priority 150, 1 s). */
const KILLED = 1_796_116_049_719_800_000n;
const DOWN = 3_414_062_500n;

type Plan = { readonly uncertaintyMs: number; readonly interfaces: Record<string, readonly string[]>; readonly cut?: bigint; readonly end?: bigint };

/** The recording as a bundle: each node's chosen interfaces, its frames up to `cut`, the stated clock uncertainty. */
async function bundle(name: string, plan: Plan): Promise<string> {
  const dir = join(OUT, name);
  const u = { offsetNs: 0n, uncertaintyNs: BigInt(plan.uncertaintyMs * 1e6) };
  await labBundle(LAB, dir, { interfaces: plan.interfaces, markOwn: true, clocks: { node1: u, node2: u }, ...(plan.cut !== undefined ? { cut: plan.cut } : {}), ...(plan.end !== undefined ? { end: plan.end } : {}) });
  return dir;
}

async function findings(dir: string): Promise<Finding[]> {
  const loaded = readBundle(dir);
  assert.deepEqual(loaded.problems, []);
  return (await analyzeCaptures(loaded.inputs, { warn: () => undefined, host: loaded.hosts })).findings;
}

const gone = (fs: readonly Finding[], segment: string): Finding => {
  const f = fs.find((x) => x.code === 'master-gone' && x.segment === segment);
  assert.ok(f, `no master-gone on ${segment}: ${fs.map((x) => `${x.code} ${x.segment}`).join(', ')}`);
  return f;
};

test('node clocks: one node\'s segments share a clock; two nodes\' differ by the sum of their uncertainties', () => {
  const c = new NodeClocks([{ node: 'node1', uncertaintyNs: 2_000_000n }, { node: 'node1.b', uncertaintyNs: 500_000_000n }, { node: 'node2', uncertaintyNs: 3_000_000n }]);
  assert.equal(c.nodeOf('node1/eth0'), 'node1');
  assert.equal(c.nodeOf('node1.b/eth0'), 'node1.b');
  assert.equal(c.nodeOf('eth0'), undefined);
  assert.equal(c.between('node1/eth0', 'node1/eth1'), 0n);
  assert.equal(c.between('node1/eth0', 'node2/eth1'), 5_000_000n);
  assert.equal(c.between('node1.b/eth0', 'node2/eth0'), 503_000_000n);
  assert.equal(c.uncertainty('node2/eth0.100'), 3_000_000n);
  // Capture files of no known node: one clock, as they say (nothing is known against it).
  assert.equal(new NodeClocks().between('eth0', 'eth1'), 0n);
  assert.equal(c.sameClock('eth0', 'eth1'), true);
  assert.deepEqual([400_000n, 1_200_000n, 40_000_000n, 1_500_000_000n, 12_000_000_000n].map(plusMinus), ['±400µs', '±1.2ms', '±40ms', '±1.5s', '±12s']);
});

test('"stopped at the same time" across two nodes\' captures: said when their clocks can tell, not when they cannot', async () => {
  // node1 captured only eth0, node2 only eth1: the one other link to compare with is on the other node.
  const interfaces = { node1: ['eth0'], node2: ['eth1'] };
  const tight = await findings(await bundle('cross-tight', { uncertaintyMs: 1, interfaces }));
  const loose = await findings(await bundle('cross-loose', { uncertaintyMs: 1500, interfaces }));
  const t1 = gone(tight, 'node1/eth0');
  const l1 = gone(loose, 'node1/eth0');
  assert.match(t1.message, /crash loop/);
  assert.match(t1.message, /192\.168\.2\.11 \(node1\)/, 'node1\'s own router is named by the node, not "this host"');
  assert.match(t1.message, /its adverts on node2\/eth1 stopped at the same time \(within 2\.0s, the node clocks agreeing to ±2.0ms: the daemon or the node, not one link\)$/);
  assert.match(l1.message, /its adverts on node2\/eth1 stopped \d+ms apart, but the node clocks agree only to ±3\.0s: whether at the same time \(the daemon or the node\) or not \(one link\) cannot be told$/);
  assert.doesNotMatch(l1.message, /stopped at the same time/);
  // And from node2's side, about node1's adverts on eth1 against node1's own capture of eth0.
  assert.match(gone(tight, 'node2/eth1').message, /its adverts on node1\/eth0 stopped at the same time \(within 2\.0s/);
  assert.match(gone(loose, 'node2/eth1').message, /cannot be told$/);
  // Everything else is the same: the uncertainty changes words, not what is found.
  assert.deepEqual(loose.map((f) => `${f.code} ${f.segment} ${f.severity}`), tight.map((f) => `${f.code} ${f.segment} ${f.severity}`));
});

test('on one node\'s own segments the clock is one: the same sentence whatever the uncertainty', async () => {
  const interfaces = { node1: ['eth0', 'eth1'], node2: ['eth0', 'eth1'] };
  const tight = await findings(await bundle('own-tight', { uncertaintyMs: 1, interfaces }));
  const loose = await findings(await bundle('own-loose', { uncertaintyMs: 1500, interfaces }));
  for (const fs of [tight, loose]) assert.match(gone(fs, 'node1/eth0').message, /its adverts on eth1 stopped at the same time \(the daemon or the node, not one link\)$/);
  assert.deepEqual(loose.map((f) => `${f.code} ${f.segment} ${f.message}`), tight.map((f) => `${f.code} ${f.segment} ${f.message}`));
});

test('silent until the end of the input: claimed only when the silence outlasts master-down by more than the node\'s clock uncertainty', async () => {
  // The nodes' streams stop 3.2 s after node1's last advert (before node2's takeover); the bundle ends
  // 3.7 s after it, on the recording machine's clock: 0.3 s past master-down.
  const plan = { interfaces: { node1: ['eth0', 'eth1'], node2: ['eth0', 'eth1'] }, cut: KILLED + 3_200_000_000n, end: KILLED + DOWN + 300_000_000n };
  const tight = await findings(await bundle('end-tight', { ...plan, uncertaintyMs: 1 }));
  const loose = await findings(await bundle('end-loose', { ...plan, uncertaintyMs: 500 }));
  const t = gone(tight, 'node1/eth0');
  assert.equal(t.severity, 'critical');
  assert.match(t.message, /192\.168\.2\.11 \(node1\) stopped advertising at 09:07:29\.719 without resigning .*nobody took over/);
  assert.deepEqual(tight.filter((f) => f.code === 'master-gone').map((f) => f.segment).sort(), ['node1/eth0', 'node1/eth1', 'node2/eth0', 'node2/eth1']);
  // ±0.5 s: 3.7 s of silence may be 3.2 s — within master-down. No crash is claimed.
  assert.deepEqual(loose.filter((f) => f.severity !== 'info').map((f) => `${f.code} ${f.segment}`), []);

  // node2's takeover on the same captures shows the silence on each node's own clock: claimed even so.
  const seen = await findings(await bundle('end-takeover', { ...plan, cut: KILLED + 3_650_000_000n, end: KILLED + 3_800_000_000n, uncertaintyMs: 500 }));
  assert.match(gone(seen, 'node1/eth0').message, /192\.168\.2\.11 \(node1\) stopped advertising at 09:07:29\.719 .*peer 192\.168\.2\.12 took over after 3\.6s/);

  // Later, nobody at all for 0.3 s past master-down after master-down: "no master" carries the
  // node's uncertainty, and inside it is not claimed.
  const later = { ...plan, end: KILLED + 2n * DOWN + 300_000_000n };
  const nm = (await findings(await bundle('nomaster-tight', { ...later, uncertaintyMs: 1 }))).filter((f) => f.code === 'no-master');
  assert.deepEqual(nm.map((f) => f.segment).sort(), ['node1/eth0', 'node1/eth1', 'node2/eth0', 'node2/eth1']);
  assert.match(nm[0]!.message, /no router has advertised for 3\.7s ±1\.0ms \(since 09:07:33\.133, until the end of the capture\)/);
  const nmLoose = (await findings(await bundle('nomaster-loose', { ...later, uncertaintyMs: 500 }))).filter((f) => f.code === 'no-master' || f.code === 'master-gone');
  assert.deepEqual(nmLoose.map((f) => f.code), ['master-gone', 'master-gone', 'master-gone', 'master-gone'], 'the crash is certain, the master-less time is not');

  // Through the CLI: the report says it, or says nothing wrong.
  const r = runCli(['-r', join(OUT, 'end-tight'), '--report']);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /master-gone/);
  const q = runCli(['-r', join(OUT, 'end-loose'), '--report']);
  assert.equal(q.status, 0, q.stdout);
  assert.doesNotMatch(q.stdout, /master-gone/);
});

test('a split brain still going at the end: its "so far" carries the node\'s clock uncertainty, and only then', async () => {
  const lab = fileURLToPath(new URL('../../tests/fixtures/lab/firewall-eth0-both/', import.meta.url));
  const split = async (name: string, ms: number): Promise<Finding> => {
    const dir = join(OUT, name);
    const u = { offsetNs: 0n, uncertaintyNs: BigInt(ms * 1e6) };
    await labBundle(lab, dir, { markOwn: true, clocks: { node1: u, node2: u } });
    const f = (await findings(dir)).find((x) => x.code === 'split-brain' && x.segment === 'node2/eth0');
    assert.ok(f, name);
    return f;
  };
  assert.match((await split('split-loose', 1500)).message, /both advertise as master \(split brain since 20:54:51\.975, 16\.\ds ±1\.5s so far\)/);
  assert.match((await split('split-none', 0)).message, /both advertise as master \(split brain since 20:54:51\.975, 16\.\ds so far\)/);
});
