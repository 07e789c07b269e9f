// Reducer scenarios, trippy-style: a list of adverts in, the expected timeline and findings out.
// These cover edges the lab cannot make on demand: equal-priority tie-break, v3 centisecond
// intervals, gaps just under and just over master-down, the priority-255 owner, ticks.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { advert, at, type AdvertSpec } from './helpers/synthetic-packets.js';
import { Timeline } from '../src/model/timeline.js';
import { masterDownNs } from '../src/model/vrrp-timing.js';

type Ad = AdvertSpec & { t: number };


function run(ads: Ad[], tickTo?: number): Timeline {
  const t = new Timeline();
  for (const a of ads.sort((x, y) => x.t - y.t)) t.apply({ kind: 'packet', segment: 'eth0', packet: advert(a, a.t) });
  if (tickTo !== undefined) t.apply({ kind: 'tick', ts: at(tickTo) });
  return t;
}

const every = (src: string, from: number, to: number, step: number, extra: Partial<Ad> = {}): Ad[] => {
  const out: Ad[] = [];
  for (let t = from; t <= to + 1e-9; t += step) out.push({ t: Math.round(t * 1000) / 1000, src, ...extra });
  return out;
};

const vrid = (t: Timeline) => [...t.vrids.values()][0]!;

test('master-down follows RFC 3768 (v2, seconds) and RFC 5798 (v3, centiseconds)', () => {
  // v2, interval 1 s, priority 100: 3 + (256-100)/256 = 3.609375 s
  assert.equal(masterDownNs(2, 100, 100), 3_609_375_000n);
  // v3, 100 cs, priority 100: 300 cs + (156 * 100 / 256) cs = 3.609375 s
  assert.equal(masterDownNs(3, 100, 100), 3_609_375_000n);
  // v3, 50 cs: 1.5 s + 156*0.5/256 s
  assert.equal(masterDownNs(3, 50, 100), 1_804_687_500n);
  // priority 255 (the address owner) has the smallest skew
  assert.equal(masterDownNs(2, 100, 255), 3_003_906_250n);
});

test('a gap just under master-down is late, not silent; just over is a silence and a takeover', () => {
  const down = 3.609375;
  const under = run([...every('10.0.0.1', 0, 5, 1), { t: 5 + down - 0.01, src: '10.0.0.1' }]);
  assert.equal(vrid(under).overDownGaps, 0);
  assert.equal(vrid(under).lateGaps, 1);
  assert.equal(vrid(under).transitions.length, 0);
  assert.equal(analyze(under).filter((f) => f.severity !== 'info').length, 0, 'a late advert is not a warning');

  const over = run([...every('10.0.0.1', 0, 5, 1), { t: 5 + down + 0.05, src: '10.0.0.1' }]);
  assert.equal(vrid(over).overDownGaps, 1);
  // The master came back by itself after one gap past master-down: a stall, not loss.
  assert.ok(analyze(over).some((f) => f.code === 'master-stalled' && f.severity === 'warning' && f.kind === 'cause'));
});

test('equal priority: the backup that takes over after silence is recorded with its reason', () => {
  const t = run([...every('10.0.0.1', 0, 10, 1), ...every('10.0.0.2', 13.7, 30, 1)]);
  const v = vrid(t);
  assert.equal(v.master, '10.0.0.2');
  assert.deepEqual(
    v.transitions.map((x) => [x.from, x.to, x.reason]),
    [['10.0.0.1', '10.0.0.2', 'takeover-after-silence']],
  );
  assert.deepEqual(analyze(t).filter((f) => f.severity !== 'info').map((f) => f.code), ['master-gone'], 'only master-gone: it stopped without resigning');
});

test('equal priority split brain: the RFC tie-break picks the higher address when the other stops', () => {
  // Both claim at once; .1 stops at 20 s. While both claim, the latest claimant is master.
  const t = run([...every('10.0.0.2', 0, 30, 1), ...every('10.0.0.1', 0.5, 20.5, 1)], 31);
  const v = vrid(t);
  assert.equal(v.master, '10.0.0.2');
  const f = analyze(t);
  // The split brain is over by the end: told in the past tense, with who yielded and why.
  const split = f.find((x) => x.code === 'split-brain');
  assert.equal(split?.severity, 'warning');
  assert.match(split!.message, /10\.0\.0\.1 yielded \(equal priority 100, 10\.0\.0\.2 has the higher address\); 10\.0\.0\.2 is master/);
  assert.equal(split!.causedBy, 'check-firewall');
  // Two steady masters with no other segment: the firewall is the likeliest cause; it is over too.
  const fw = f.find((x) => x.code === 'check-firewall');
  assert.equal(fw?.kind, 'cause');
  assert.match(fw!.message, /check the firewall on eth0/);
  assert.ok(f.indexOf(fw!) < f.indexOf(split!), 'the cause comes before the symptom');
});

test('a clean failover: priority 0, takeover, no warnings', () => {
  const t = run([...every('10.0.0.1', 0, 10, 1), { t: 10.5, src: '10.0.0.1', prio: 0 }, ...every('10.0.0.2', 11.1, 20, 1)]);
  const v = vrid(t);
  assert.deepEqual(
    v.transitions.map((x) => x.reason),
    ['priority-zero-release'],
  );
  const f = analyze(t);
  assert.deepEqual(f.filter((x) => x.severity !== 'info'), []);
  assert.ok(f.some((x) => x.code === 'priority-zero'));
});

test('preemption by a higher priority is not a flap; back-and-forth is', () => {
  const pre = run([...every('10.0.0.1', 0, 10, 1), ...every('10.0.0.2', 10.2, 20, 1, { prio: 150 }), { t: 10.9, src: '10.0.0.1' }]);
  assert.deepEqual(vrid(pre).transitions.map((x) => x.reason), ['preemption']);
  assert.ok(!analyze(pre).some((f) => f.code === 'flapping'));

  // A and B alternate every ~8 s: each change is a return to an earlier master.
  const ads: Ad[] = [];
  for (let k = 0; k < 8; k++) ads.push(...every(k % 2 ? '10.0.0.2' : '10.0.0.1', k * 8, k * 8 + 3, 1));
  const flap = run(ads, 70);
  assert.ok(vrid(flap).transitions.length >= 7);
  assert.ok(analyze(flap).some((f) => f.code === 'flapping' && f.severity === 'critical'));
});

test('v3 centisecond intervals: 50 cs adverts are on time, a 2 s gap is silence', () => {
  const ok = run(every('10.0.0.1', 0, 10, 0.5, { v: 3, cs: 50 }));
  assert.equal(vrid(ok).lateGaps + vrid(ok).overDownGaps, 0);
  assert.equal(vrid(ok).routers.get('10.0.0.1')!.intervalCs, 50);
  const gap = run([...every('10.0.0.1', 0, 5, 0.5, { v: 3, cs: 50 }), ...every('10.0.0.1', 7.5, 10, 0.5, { v: 3, cs: 50 })]);
  assert.equal(vrid(gap).overDownGaps, 1);
});

test('the priority-255 owner preempts at once and is not a takeover while advertising', () => {
  const t = run([...every('10.0.0.2', 0, 10, 1, { prio: 100 }), ...every('10.0.0.1', 10.3, 20, 1, { prio: 255 }), { t: 10.8, src: '10.0.0.2', prio: 100 }]);
  assert.deepEqual(vrid(t).transitions.map((x) => [x.to, x.reason]), [['10.0.0.1', 'preemption']]);
  assert.deepEqual(vrid(t).onTimeTakeovers, []);
});

test('ticks notice silence without packets, and a replay equals the same packets live', () => {
  const ads = every('10.0.0.1', 0, 5, 1);
  const replay = run(ads);
  replay.apply({ kind: 'tick', ts: at(20) });
  const live = new Timeline();
  let next = 0;
  for (let ms = 0; ms <= 20_000; ms += 250) {
    while (next < ads.length && at(ads[next]!.t) <= at(ms / 1000)) live.apply({ kind: 'packet', segment: 'eth0', packet: advert(ads[next]!, ads[next++]!.t) });
    live.apply({ kind: 'tick', ts: at(ms / 1000) });
  }
  assert.equal(vrid(replay).master, undefined);
  assert.deepEqual(vrid(live).history, vrid(replay).history);
  assert.ok(analyze(live).some((f) => f.code === 'no-master'));
});

test('memory stays bounded on a long capture', () => {
  const t = new Timeline();
  for (let i = 0; i < 200_000; i++) t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src: i % 1000 === 999 ? '10.0.0.2' : '10.0.0.1', cs: 1, v: 3 }, i * 0.01) });
  const v = vrid(t);
  assert.ok(v.gaps.length <= 4096 && v.history.length <= 4096 && v.transitions.length <= 4096, `gaps ${v.gaps.length}, history ${v.history.length}`);
  assert.equal(v.adverts, 200_000);
});
