// The model's lists are bounded (caps.ts): a capture of hundreds of VRIDs keeps only the newest few
// episodes of each. A finding that counts episodes must then say "at least", never a count that is
// only what was kept; with few VRIDs the lists hold everything and the count is exact.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wireFindings } from '../src/cli/analyze-captures.js';
import type { Finding } from '../src/analysis/finding.js';
import { Timeline } from '../src/model/timeline.js';
import { writeReport } from '../src/views/report.js';
import { advert, garp, macOf } from './helpers/synthetic-packets.js';

const CYCLES = 40;
const CYCLE_S = 20;

/**
 * VRID 1: 10.9.0.2 (priority 150) is master and dies without resigning every 20 s; 10.9.0.3 takes
 * over after master-down; the master comes back 10 s later and preempts — a crash loop of CYCLES
 * deaths. Beside it `healthy` other VRIDs, each a lone steady master, share the model's budgets.
 */
function crashLoop(healthy: number): Timeline {
  const tl = new Timeline();
  const put = (p: Parameters<Timeline['apply']>[0]): void => tl.apply(p);
  for (let s = 0; s < CYCLES * CYCLE_S; s++) {
    const inCycle = s % CYCLE_S;
    const vips = ['10.9.0.1'];
    if (inCycle < 10) put({ kind: 'packet', segment: 'eth0', packet: advert({ src: '10.9.0.2', prio: 150, vrid: 1, vips }, s) });
    if (inCycle === 0 && s > 0) put({ kind: 'packet', segment: 'eth0', packet: garp('10.9.0.1', macOf('10.9.0.2'), s + 0.01) });
    // The backup's master-down: 3 intervals + skew (3.61 s); it advertises from then until preempted.
    if (inCycle >= 14) put({ kind: 'packet', segment: 'eth0', packet: advert({ src: '10.9.0.3', prio: 100, vrid: 1, vips }, s + 0.5) });
    if (inCycle === 14) put({ kind: 'packet', segment: 'eth0', packet: garp('10.9.0.1', macOf('10.9.0.3'), s + 0.51) });
    // On other segments (a VRID is unique per segment), 250 to a segment.
    for (let i = 0; i < healthy; i++) {
      const segment = `eth${1 + Math.floor(i / 250)}`;
      const [src, vip] = [`10.8.${i >> 8}.${i & 255}`, `10.7.${i >> 8}.${i & 255}`];
      put({ kind: 'packet', segment, packet: advert({ src, prio: 100, vrid: 1 + (i % 250), vips: [vip] }, s + 0.2 + i / 1e5) });
      // Each announces its address once: the virtual IPs share their budget too.
      if (s === 0) put({ kind: 'packet', segment, packet: garp(vip, macOf(src), s + 0.3 + i / 1e5) });
    }
  }
  return tl;
}

const vrid1 = (fs: Finding[], code: string): Finding | undefined => fs.find((f) => f.code === code && f.segment === 'eth0' && f.vrid === 1);

test('with few VRIDs the whole history is kept and the counts are exact', async () => {
  const tl = crashLoop(0);
  const v = [...tl.vrids.values()][0]!;
  assert.equal(v.dropped.silences, 0);
  const fs = await wireFindings(tl);
  const gone = vrid1(fs, 'master-gone');
  assert.ok(gone, 'a crash loop');
  assert.match(vrid1(fs, 'flapping')!.message, /back and forth 78 times \(up to/);
  assert.match(gone.message, new RegExp(`died ${CYCLES} times without resigning`), gone.message);
});

test('with hundreds of VRIDs the lists keep the newest few, and the counts say "at least"', async () => {
  const tl = crashLoop(299);
  const v = [...tl.vrids.values()].find((x) => x.segment === 'eth0')!;
  assert.ok(v.dropped.silences > 0, 'the silences list let go of some');
  assert.ok(v.silences.length < CYCLES, `${v.silences.length} kept`);
  const fs = await wireFindings(tl);
  const gone = vrid1(fs, 'master-gone');
  assert.ok(gone, 'still a crash loop');
  assert.match(gone.message, /died at least \d+ times without resigning/, gone.message);
  const n = Number(/died at least (\d+) times/.exec(gone.message)![1]);
  assert.ok(n < CYCLES && n >= 3, `${n}`);
  // The master changes are counted whole: the table and the summary say how many there were.
  assert.ok(v.changes >= 2 * (CYCLES - 1), `${v.changes} changes`);
  const flap = vrid1(fs, 'flapping');
  assert.ok(flap, 'flapping');
  assert.match(flap.message, /back and forth at least \d+ times \(of those kept, up to \d+ in 10 min/, flap.message);
  const flip = fs.find((f) => f.code === 'vip-mac-flipflop' && f.message.startsWith('10.9.0.1 '));
  assert.ok(flip, 'the address moves between the two MACs');
  assert.match(flip.message, /moved between 2 MACs at least \d+ times \(of those kept/, flip.message);
  // The report says the master history it prints is not all of it.
  const lines: string[] = [];
  writeReport(tl, fs, [{ name: 'synthetic', frames: 0, error: undefined }], [], (l) => lines.push(l));
  assert.match(lines.join(''), new RegExp(`earlier change\\(s\\); ${v.dropped.history} older not kept`));
});
