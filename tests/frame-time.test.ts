// Frame.timeParts (src/capture/frame.ts): an advert's time as two numbers must be exactly the
// BigInt time the reader gives every other packet, for every timestamp layout the readers set up.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame, TsMode } from '../src/capture/frame.js';

/** A small deterministic generator (xorshift), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

function check(f: Frame, what: string): boolean {
  const exact = f.timestampNs();
  if (!f.timeParts()) return false;
  assert.equal(BigInt(f.sec) * 1_000_000_000n + BigInt(f.nsec), exact, `${what}: tsA ${f.tsA} tsB ${f.tsB} scale ${f.tsScale} offset ${f.tsOffsetSec}`);
  assert.ok(Number.isSafeInteger(f.sec) && Number.isSafeInteger(f.nsec), what);
  return true;
}

test('classic pcap (µs and ns): the two numbers are the BigInt time, whatever the sub-second field holds', () => {
  const r = rng(7);
  for (const scale of [1000, 1]) {
    const f = new Frame();
    f.tsMode = TsMode.secFrac;
    f.tsScale = scale;
    for (let i = 0; i < 20_000; i++) {
      f.tsA = Math.floor(r() * 0x1_0000_0000);
      // Damaged records carry sub-second fields past a second: kept as they are, as the BigInt does.
      f.tsB = i % 10 === 0 ? Math.floor(r() * 0x1_0000_0000) : Math.floor(r() * (scale === 1 ? 1e9 : 1e6));
      assert.ok(check(f, 'pcap'));
    }
  }
});

test('pcapng units: exact numbers where they fit (µs, ms, 10 ns …), the BigInt path where they do not', () => {
  const r = rng(11);
  let fast = 0;
  let slow = 0;
  for (const perSec of [1_000_000, 1000, 100_000_000, 1_000_000_000, 10, 1 << 20, 3_000_000_000]) {
    const f = new Frame();
    f.tsMode = TsMode.units;
    f.tsScale = perSec;
    f.tsBinary = perSec === 1 << 20;
    for (let i = 0; i < 10_000; i++) {
      // Around now in µs (tsA ≈ 4e5), small values, right at the 2^53 limit, and now in ns (tsA ≈ 4e8: past it).
      const kind = i % 4;
      f.tsA = kind === 0 ? 400_000 + Math.floor(r() * 10_000) : kind === 1 ? Math.floor(r() * 16) : kind === 2 ? 0x1f_ffff - Math.floor(r() * 2) : 400_000_000 + Math.floor(r() * 1e6);
      f.tsB = i % 7 === 0 ? 0xffff_ffff : Math.floor(r() * 0x1_0000_0000);
      f.tsOffsetSec = i % 5 === 0 ? Math.floor(r() * 1e9) : 0;
      if (check(f, `units ${perSec}`)) fast++;
      else slow++;
    }
  }
  // 5 decimal resolutions × the three kinds below 2^53 in numbers; the rest (binary, sub-ns, ns now) through BigInt.
  assert.equal(fast, 5 * 7_500, `${fast} in numbers`);
  assert.equal(slow, 70_000 - 5 * 7_500, `${slow} through BigInt`);
});
