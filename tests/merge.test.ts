// TimeMerge (capture/merge.ts): packets of several inputs in time order, with a bounded look-ahead
// per input however the inputs' times relate (rotated files, interleaved, one silent input).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeMerge } from '../src/capture/merge.js';

type Item = { ts: bigint; src: number };

/** Feeds each input's items in batches of `batch`, waiting whenever the merge says so. */
async function run(inputs: bigint[][], lookahead: number, batch: number): Promise<{ out: Item[]; peak: number }> {
  const out: Item[] = [];
  const m = new TimeMerge<Item>(inputs.length, (x) => void out.push(x), lookahead);
  await Promise.all(
    inputs.map(async (times, src) => {
      for (let i = 0; i < times.length; i += batch) {
        for (const ts of times.slice(i, i + batch)) m.push(src, { ts, src });
        await new Promise((r) => setImmediate(r)); // a read's worth of time
        const w = m.room(src);
        if (w) await w;
      }
      m.end(src);
    }),
  );
  return { out, peak: m.peakQueued };
}

const range = (from: number, n: number, step = 1): bigint[] => Array.from({ length: n }, (_, i) => BigInt(from + i * step));

test('rotated inputs (the second starts where the first ends): all out, in order, look-ahead bounded', async () => {
  const N = 50_000;
  for (const order of [[range(0, N), range(N, N)], [range(N, N), range(0, N)]]) {
    const { out, peak } = await run(order, 256, 100);
    assert.equal(out.length, 2 * N);
    for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.ts <= out[i]!.ts, `out of order at ${i}`);
    // Before: the later input was held whole (N items); now the look-ahead plus one read.
    assert.ok(peak <= 256 + 100, `peak ${peak}`);
  }
});

test('interleaved inputs, three of them, and one that is empty: in order, bounded', async () => {
  const { out, peak } = await run([range(0, 30_000, 3), range(1, 30_000, 3), [], range(2, 30_000, 3)], 64, 50);
  assert.equal(out.length, 90_000);
  assert.deepEqual(out.slice(0, 4).map((x) => x.ts), [0n, 1n, 2n, 3n]);
  for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.ts <= out[i]!.ts);
  assert.ok(peak <= 64 + 50, `peak ${peak}`);
});

test('one input alone goes straight through, never waits', async () => {
  const m = new TimeMerge<Item>(1, () => undefined, 4);
  for (let i = 0; i < 100; i++) m.push(0, { ts: BigInt(100 - i), src: 0 });
  assert.equal(m.room(0), undefined);
  assert.equal(m.peakQueued, 0);
});
