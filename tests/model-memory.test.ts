// The model is bounded by its caps, not by the input (issues 11 and 16): a flood of spoofed adverts
// — 255 VRIDs × 64 source addresses, every advert another priority — through the CLI, with its peak
// RSS measured. Before the caps it grew past 200 MB after 1 M frames and kept growing; now the
// routers past the global cap are counted and named in the report's "seen:" line and the JSON.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedRun } from './helpers/bounded-run.js';
import { spoofedFlood } from './helpers/hostile-captures.js';
import { Limits } from '../src/model/model-types.js';

const FRAMES = 600_000;
/** Node alone is ~45 MB; the bench's dense 6 M-advert capture peaks at ~130-170 MB. */
const MAX_KB = 150 * 1024;

test('a spoofed-source flood keeps peak RSS bounded and says how many routers it did not track', async () => {
  const r = await boundedRun(['-r', '-', '--report'], { input: spoofedFlood(FRAMES), timeoutMs: 120_000 });
  assert.ok(!r.timedOut, 'still running after the time limit');
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at .*:\d+:\d+/, r.stderr);
  assert.ok(r.peakKb > 0 && r.peakKb < MAX_KB, `peak RSS ${r.peakKb} KB`);
  const seen = /^seen: .*$/m.exec(r.stdout)?.[0] ?? '';
  assert.match(seen, new RegExp(`^seen:  ${FRAMES} VRRP adverts`), seen);
  // 255 × 64 sources, at most Limits.routers of them tracked: the rest counted, distinct.
  const m = /(\d+) more routers not tracked \((\d+) adverts/.exec(seen);
  assert.ok(m, seen);
  assert.equal(Number(m[1]), 255 * 64 - Limits.routers, seen);
  assert.ok(Number(m[2]) > FRAMES / 2, seen);
});

test('the JSON summary carries the same untracked counts', async () => {
  const r = await boundedRun(['-r', '-', '--json'], { input: spoofedFlood(60_000), timeoutMs: 60_000 });
  assert.ok(!r.timedOut);
  const summary = r.stdout.split('\n').filter((l) => l.includes('"type":"summary"')).map((l) => JSON.parse(l) as { untracked?: { vrids: number; routers: number; adverts: number }; adverts: number })[0];
  assert.ok(summary, r.stdout.slice(0, 400));
  assert.equal(summary.adverts, 60_000);
  // 60 000 frames are 235 rounds over the 255 VRIDs: every one of the 64 sources of each VRID shows up.
  assert.deepEqual({ vrids: summary.untracked?.vrids, routers: summary.untracked?.routers }, { vrids: 0, routers: 255 * 64 - Limits.routers });
});
