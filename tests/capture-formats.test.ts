// pcap / pcapng reader edge cases, on files built in memory (tests/helpers/capture-writer.ts):
// sections of different byte order, interfaces with different if_tsresol / if_tsoffset, if_name,
// EPB direction flags, SPB and OPB, unknown blocks, ISB drop counts, the nanosecond pcap magic in
// both byte orders, streamed input in 1-byte and random chunks, and gzip.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hex, opt, pcapFile, PcapngWriter, VRRP2_FRAME } from './helpers/capture-writer.js';
import { corpusPath, corpusPresent, mulberry32, type CopiedFrame } from './helpers/corpus.js';
import { readBytes } from './helpers/read-bytes.js';

const d = (n: number, fill = 0xab): Uint8Array => new Uint8Array(n).fill(fill);

test('pcapng: sections of different byte order, each with its own interfaces', async () => {
  const file = new PcapngWriter()
    .section(true)
    .iface({ linktype: 1, name: 'eth0' })
    .epb(0, 1_700_000_000_123_456n, VRRP2_FRAME)
    .section(false)
    .iface({ linktype: 1, name: 'eth1', tsresol: 9 })
    .iface({ linktype: 1, name: 'eth2' })
    .epb(1, 1_700_000_001_000_000n, d(20))
    .epb(0, 1_700_000_000_987_654_321n, VRRP2_FRAME)
    .done();
  for (const via of [undefined, 'one'] as const) {
    const { frames, summary } = await readBytes(file, 'sections.pcapng', via);
    assert.equal(summary.error, undefined, summary.error?.message ?? "");
    assert.equal(summary.format, 'pcapng');
    assert.deepEqual(
      frames.map((f) => [f.number, f.ifName, f.ts, f.caplen]),
      [
        [1, 'eth0', 1_700_000_000_123_456_000n, VRRP2_FRAME.length],
        [2, 'eth2', 1_700_000_001_000_000_000n, 20],
        [3, 'eth1', 1_700_000_000_987_654_321n, VRRP2_FRAME.length],
      ],
    );
    assert.deepEqual(Array.from(frames[2]!.bytes), Array.from(VRRP2_FRAME));
    // Interface numbers run on across sections (eth0 = 0, eth1 = 1, eth2 = 2).
    assert.deepEqual(summary.interfaces.map((i) => i.name), ['eth0', 'eth1', 'eth2']);
    const p = frames[2]!.packet;
    assert.equal(p?.kind, 'vrrp', 'the big-endian section still yields the VRRP packet');
    assert.equal(p.ifIndex, 1);
    assert.equal(frames[0]!.packet?.kind === 'vrrp' && frames[0]!.packet.vrrp.checksumStatus, 'good');
  }
});

test('pcapng: if_tsresol 10^-6, 10^-9, 2^-20, 10^-3 and if_tsoffset', async () => {
  const file = new PcapngWriter()
    .section(true)
    .iface({ linktype: 1, name: 'usec' }) // default 10^-6
    .iface({ linktype: 1, name: 'nsec', tsresol: 9 })
    .iface({ linktype: 1, name: 'bin20', tsresol: 0x80 | 20, tsoffset: 1_000_000_000n })
    .iface({ linktype: 1, name: 'msec', tsresol: 3, tsoffset: 100n })
    .iface({ linktype: 1, name: 'usec6', tsresol: 6 })
    .epb(0, 1_394_056_506_745_865n, d(14))
    .epb(1, 1_394_056_506_745_865_123n, d(14))
    .epb(2, 5n * 2n ** 20n + 2n ** 19n + 2n ** 10n, d(14)) // 5.5 s + 2^-10 s after the offset
    .epb(3, 1_699_999_900_123n, d(14))
    .epb(4, 7n, d(14))
    .done();
  const { frames, summary } = await readBytes(file, 'tsresol.pcapng');
  assert.equal(summary.error, undefined, summary.error?.message ?? "");
  assert.deepEqual(
    frames.map((f) => [f.ifName, f.ts]),
    [
      ['usec', 1_394_056_506_745_865_000n],
      ['nsec', 1_394_056_506_745_865_123n],
      ['bin20', 1_000_000_005_500_976_562n], // 2^-10 s = 976562.5 ns, truncated
      ['msec', 1_700_000_000_123_000_000n],
      ['usec6', 7_000n],
    ],
  );
});

test('pcapng: EPB direction flags, SPB, OPB, unknown blocks, ISB drops', async () => {
  const w = new PcapngWriter().section(true, [opt.str(4, 'vrrpscope test writer')]);
  w.raw(0x00000bad, d(10)) // unknown block before any interface
    .iface({ linktype: 1, name: 'lan', snaplen: 16 })
    .iface({ linktype: 113, name: 'any' })
    .epb(0, 1_000_000n, d(14, 1), { flags: 1 })
    .epb(0, 2_000_000n, d(14, 2), { flags: 2 })
    .epb(0, 3_000_000n, d(14, 3), { flags: 0 })
    .epb(1, 4_000_000n, d(16, 4))
    .raw(4, hex('0000 0000')) // name resolution block (ends at once): skipped
    .raw(0x40000bad, d(7)) // custom-looking unknown type: skipped
    .spb(d(40, 5), 40) // SPB: cut to the interface's snaplen 16, no timestamp
    .opb(1, 5_000_000n, d(18, 6), 100)
    .isb(0, 6_000_000n, 42n)
    .isb(1, 6_000_000n, undefined);
  const { frames, summary, warnings } = await readBytes(w.done(), 'blocks.pcapng');
  assert.equal(summary.error, undefined, summary.error?.message ?? "");
  assert.deepEqual(
    frames.map((f) => [f.number, f.ifName, f.direction, f.linktype, f.caplen, f.origlen, f.bytes[0]]),
    [
      [1, 'lan', 'in', 1, 14, 14, 1],
      [2, 'lan', 'out', 1, 14, 14, 2],
      [3, 'lan', 'unknown', 1, 14, 14, 3],
      [4, 'any', 'unknown', 113, 16, 16, 4],
      [5, 'lan', 'unknown', 1, 16, 40, 5],
      [6, 'any', 'unknown', 113, 18, 100, 6],
    ],
  );
  // An SPB has no timestamp: it takes the one before it (documented in the reader).
  assert.equal(frames[4]!.ts, frames[3]!.ts);
  assert.equal(frames[5]!.ts, 5_000_000_000n);
  assert.deepEqual(
    summary.interfaces.map((i) => [i.name, i.drops]),
    [
      ['lan', 42],
      ['any', undefined],
    ] as unknown[],
  );
  assert.deepEqual(warnings, [], 'nothing here deserves a warning');
});

test('classic pcap: nanosecond magic in both byte orders, microsecond magic big-endian', async () => {
  for (const le of [true, false]) {
    const ns = pcapFile({ le, ns: true, records: [{ sec: 1_700_000_000, frac: 123_456_789, data: VRRP2_FRAME }, { sec: 1_700_000_001, frac: 999_999_999, data: d(14), origlen: 1514 }] });
    const r = await readBytes(ns, `ns-${le ? 'le' : 'be'}.pcap`);
    assert.equal(r.summary.error, undefined);
    assert.equal(r.summary.format, 'pcap-ns');
    assert.equal(r.summary.linktype, 1);
    assert.deepEqual(r.frames.map((f) => [f.ts, f.caplen, f.origlen]), [
      [1_700_000_000_123_456_789n, VRRP2_FRAME.length, VRRP2_FRAME.length],
      [1_700_000_001_999_999_999n, 14, 1514],
    ]);
    assert.equal(r.frames[0]!.packet?.kind, 'vrrp');
    const us = pcapFile({ le, records: [{ sec: 1, frac: 999_999, data: d(14) }] });
    const u = await readBytes(us, `us-${le ? 'le' : 'be'}.pcap`);
    assert.equal(u.summary.format, 'pcap');
    assert.equal(u.frames[0]!.ts, 1_999_999_000n);
  }
});

function sameFrames(a: CopiedFrame[], b: CopiedFrame[], what: string): void {
  const key = (f: CopiedFrame): unknown[] => [f.number, f.ts, f.caplen, f.origlen, f.linktype, f.ifName, f.direction, Buffer.from(f.bytes).toString('hex'), f.packet?.kind];
  assert.equal(a.length, b.length, `${what}: frame count`);
  a.forEach((f, i) => assert.deepEqual(key(f), key(b[i]!), `${what}: frame ${i + 1}`));
}

test('streamed input in 1-byte and random-size chunks reads exactly like the whole file', async () => {
  const built = new PcapngWriter()
    .section(false)
    .iface({ linktype: 1, name: 'x', tsresol: 9 })
    .epb(0, 1n, VRRP2_FRAME, { flags: 2 })
    .raw(0xbad, d(33))
    .section(true)
    .iface({ linktype: 1 })
    .epb(0, 2n, d(61))
    .isb(0, 3n, 7n)
    .done();
  const inputs: [string, Uint8Array][] = [
    ['built.pcapng', built],
    ['built.pcap', pcapFile({ le: true, records: Array.from({ length: 50 }, (_, i) => ({ sec: i, frac: i, data: i % 2 ? VRRP2_FRAME : d(i + 1) })) })],
  ];
  if (corpusPresent()) {
    const { readFileSync } = await import('node:fs');
    for (const n of ['tcpdump-vrrp-mikrotik.pcap', 'ndpi-vrrp3-ipv6-vlan.pcapng', 'ndpi-fuzz-vrrp-badversion.pcap']) inputs.push([n, readFileSync(corpusPath(n))]);
  }
  const seed = 0x5eed1;
  const rnd = mulberry32(seed);
  for (const [name, bytes] of inputs) {
    const whole = await readBytes(bytes, name);
    assert.equal(whole.summary.error, undefined, `${name}: ${whole.summary.error?.message}`);
    assert.ok(whole.frames.length > 0);
    // 1-byte chunks for the whole of the small inputs, and the first 16 KiB of the big one.
    const small = bytes.length <= 20_000;
    const ones = await readBytes(small ? bytes : bytes.subarray(0, 16_384), name, [1]);
    const wholePrefix = small ? whole : await readBytes(bytes.subarray(0, 16_384), name);
    sameFrames(ones.frames, wholePrefix.frames, `${name} in 1-byte chunks`);
    assert.deepEqual([ones.summary.error?.offset, ones.summary.error?.detail], [wholePrefix.summary.error?.offset, wholePrefix.summary.error?.detail]);
    for (let round = 0; round < 3; round++) {
      const sizes = Array.from({ length: 64 }, () => 1 + Math.floor(rnd() ** 3 * 5000));
      const r = await readBytes(bytes, name, sizes);
      sameFrames(r.frames, whole.frames, `${name} in random chunks (seed ${seed}, round ${round})`);
      assert.equal(r.summary.error, undefined);
    }
  }
});

test('gzip-compressed captures are read from a file and from a stream', async () => {
  const plain = new PcapngWriter().section(true).iface({ linktype: 1, name: 'gz0' }).epb(0, 10n, VRRP2_FRAME).epb(0, 20n, d(30)).done();
  const gz = gzipSync(plain);
  const base = await readBytes(plain, 'plain.pcapng');
  const fromFile = await readBytes(gz, 'cap.pcapng.gz');
  assert.equal(fromFile.summary.error, undefined, fromFile.summary.error?.message ?? "");
  sameFrames(fromFile.frames, base.frames, 'gzip file');
  const fromStream = await readBytes(gz, 'cap.pcapng.gz', [7, 100, 3]);
  sameFrames(fromStream.frames, base.frames, 'gzip stream');
  // A gzip stream cut in the middle: the frames before the cut come out, then an error naming the file.
  const cut = await readBytes(gz.subarray(0, gz.length - 12), 'cut.pcapng.gz');
  assert.ok(cut.summary.error, 'a truncated gzip file is an error');
  assert.match(cut.summary.error.message, /cut\.pcapng\.gz/);
});
