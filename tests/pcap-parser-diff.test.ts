// Differential test: our classic-pcap reader against the independent `pcap-parser` package (an old
// EventEmitter library: 'globalHeader', 'packetHeader', 'packetData', 'end', 'error'). For every
// classic pcap file of the corpus both must see the same records: count, seconds, microseconds,
// captured and original length, and bytes.
//
// pcap-parser knows only the two microsecond magics, so pcapng files (ndpi-fuzz-vrrp-badversion.pcap
// is pcapng behind a .pcap name) are left out; it reports 'unknown magic number' for them, which is
// checked too. It does no sanity checks on record headers, so the fuzzed files whose caplen exceeds
// the snaplen (tcpdump-*-oobr*) read the same in both: we keep such records whole, as it does.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { corpusCaptures, corpusOrSkip, corpusPath, readAll } from './helpers/corpus.js';

type PpHeader = { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
type PpParser = { on(ev: 'packetHeader', fn: (h: PpHeader) => void): void; on(ev: 'packetData', fn: (d: Buffer) => void): void; on(ev: 'end', fn: () => void): void; on(ev: 'error', fn: (e: Error) => void): void; on(ev: 'globalHeader', fn: (h: unknown) => void): void };
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: Readable | string): PpParser };

type Rec = { sec: number; usec: number; caplen: number; origlen: number; data: Buffer };

function readWithPcapParser(path: string): Promise<{ records: Rec[]; error: Error | undefined }> {
  return new Promise((resolve) => {
    const records: Rec[] = [];
    let header: PpHeader | undefined;
    let error: Error | undefined;
    // One chunk: pcap-parser concatenates every chunk onto its buffer, quadratic on many small ones.
    const parser = pcapParser.parse(Readable.from([readFileSync(path)]));
    parser.on('packetHeader', (h) => (header = h));
    parser.on('packetData', (d) => {
      records.push({ sec: header!.timestampSeconds, usec: header!.timestampMicroseconds, caplen: header!.capturedLength, origlen: header!.originalLength, data: Buffer.from(d) });
    });
    parser.on('error', (e) => (error = e));
    parser.on('end', () => resolve({ records, error }));
  });
}

test('classic pcap records agree with the pcap-parser package', async (t) => {
  if (!corpusOrSkip(t)) return;
  let compared = 0;
  for (const file of corpusCaptures()) {
    const ours = await readAll(corpusPath(file), file);
    const theirs = await readWithPcapParser(corpusPath(file));
    if (ours.summary.format !== 'pcap') {
      assert.equal(ours.summary.format, 'pcapng', `${file}: only pcapng is expected besides µs pcap in the corpus`);
      assert.match(String(theirs.error?.message), /unknown magic number/, `${file}: pcap-parser should refuse pcapng`);
      continue;
    }
    assert.equal(ours.summary.error, undefined, `${file}: our reader failed: ${ours.summary.error?.message}`);
    assert.equal(theirs.error, undefined, `${file}: pcap-parser failed: ${theirs.error?.message}`);
    assert.equal(ours.frames.length, theirs.records.length, `${file}: record count`);
    ours.frames.forEach((f, i) => {
      const r = theirs.records[i]!;
      const where = `${file} record ${i + 1}`;
      assert.equal(f.number, i + 1, `${where}: frame number`);
      assert.deepEqual([f.tsA, f.tsB], [r.sec, r.usec], `${where}: timestamp seconds/microseconds`);
      assert.equal(f.ts, BigInt(r.sec) * 1_000_000_000n + BigInt(r.usec) * 1000n, `${where}: timestamp in ns`);
      assert.deepEqual([f.caplen, f.origlen], [r.caplen, r.origlen], `${where}: caplen/origlen`);
      assert.ok(Buffer.from(f.bytes).equals(r.data), `${where}: bytes differ`);
    });
    compared++;
  }
  assert.ok(compared >= 24, `only ${compared} classic pcap files compared`);
});
