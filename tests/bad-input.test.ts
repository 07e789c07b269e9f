// Damaged and wrong input through readCapture: the summary carries one CaptureError that names the
// file and the byte offset of the damage, and every frame before the damage was delivered. Each case
// is read twice, from a file and as a stream in 3-byte chunks, and must give the same answer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureError } from '../src/capture/capture-error.js';
import { pcapFile, PcapngWriter, VRRP2_FRAME } from './helpers/capture-writer.js';
import { readBytes } from './helpers/read-bytes.js';

const d = (n: number, fill = 0x42): Uint8Array => new Uint8Array(n).fill(fill);
const cat = (...p: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(p));

type Case = { name: string; bytes: Uint8Array; frames: number; offset: number; text: RegExp };

async function expectDamage(c: Case): Promise<void> {
  for (const chunks of [undefined, [3]] as const) {
    const how = chunks ? 'streamed in 3-byte chunks' : 'read from a file';
    const r = await readBytes(c.bytes, c.name, chunks ? [...chunks] : undefined);
    const e = r.summary.error;
    assert.ok(e instanceof CaptureError, `${c.name} (${how}): expected a CaptureError, got ${String(e)}`);
    assert.equal(e.offset, c.offset, `${c.name} (${how}): offset of the damage (${e.message})`);
    assert.equal(e.input, r.path, `${c.name} (${how}): the error names the input`);
    assert.ok(e.message.includes(r.path) && e.message.includes(`byte ${c.offset}`), `${c.name} (${how}): message names file and offset: ${e.message}`);
    assert.match(e.message, c.text, `${c.name} (${how})`);
    assert.equal(r.frames.length, c.frames, `${c.name} (${how}): frames delivered before the damage`);
    r.frames.forEach((f, i) => assert.equal(f.number, i + 1));
  }
}

const rec = (i: number, data = VRRP2_FRAME) => ({ sec: 1_700_000_000 + i, frac: i, data });
const threeRecords = pcapFile({ le: true, records: [rec(0), rec(1), rec(2)] });
const recLen = 16 + VRRP2_FRAME.length;

test('wrong magic, empty file, cut-off header', async () => {
  await expectDamage({ name: 'text.pcap', bytes: new TextEncoder().encode('this is not a capture file at all\n'), frames: 0, offset: 0, text: /not a pcap or pcapng capture: magic 0x74686973 \(looks like text/ });
  await expectDamage({ name: 'zeros.pcap', bytes: d(100, 0), frames: 0, offset: 0, text: /magic 0x00000000/ });
  await expectDamage({ name: 'empty.pcap', bytes: new Uint8Array(0), frames: 0, offset: 0, text: /empty input/ });
  await expectDamage({ name: 'short-header.pcap', bytes: threeRecords.subarray(0, 10), frames: 0, offset: 0, text: /capture header cut off/ });
  await expectDamage({ name: 'three-bytes.pcap', bytes: threeRecords.subarray(0, 3), frames: 0, offset: 0, text: /capture header cut off|empty/ });
  const ng = new PcapngWriter().section(true).iface({ linktype: 1 }).epb(0, 1n, VRRP2_FRAME).done();
  await expectDamage({ name: 'short-shb.pcapng', bytes: ng.subarray(0, 20), frames: 0, offset: 0, text: /last block cut off/ });
});

test('cut-off last record or block: the frames before it are delivered', async () => {
  await expectDamage({ name: 'cut-record.pcap', bytes: threeRecords.subarray(0, threeRecords.length - 5), frames: 2, offset: 24 + 2 * recLen, text: /last record cut off/ });
  await expectDamage({ name: 'cut-record-header.pcap', bytes: threeRecords.subarray(0, 24 + 2 * recLen + 9), frames: 2, offset: 24 + 2 * recLen, text: /last record cut off/ });
  const w = new PcapngWriter().section(false).iface({ linktype: 1 }).epb(0, 1n, VRRP2_FRAME);
  const before = w.done().length;
  const ng = w.epb(0, 2n, VRRP2_FRAME).done();
  await expectDamage({ name: 'cut-block.pcapng', bytes: ng.subarray(0, ng.length - 1), frames: 1, offset: before, text: /last block cut off/ });
});

test('pcapng: caplen larger than its block, absurd or inconsistent block lengths', async () => {
  const w = new PcapngWriter().section(true).iface({ linktype: 1 }).epb(0, 1n, VRRP2_FRAME);
  const at = w.done().length;
  const lying = w.epb(0, 2n, d(20), { caplen: 200 }).done();
  await expectDamage({ name: 'caplen-vs-block.pcapng', bytes: lying, frames: 1, offset: at, text: /claims 200 captured bytes in a 52-byte block/ });

  const base = new PcapngWriter().section(true).iface({ linktype: 1 }).epb(0, 1n, VRRP2_FRAME);
  const huge = cat(base.done(), base.u32(6), base.u32(0x7ffffff0), d(64));
  await expectDamage({ name: 'huge-block.pcapng', bytes: huge, frames: 1, offset: at, text: /impossible length 2147483632/ });
  const odd = cat(base.done(), base.u32(6), base.u32(33), d(64));
  await expectDamage({ name: 'odd-block.pcapng', bytes: odd, frames: 1, offset: at, text: /impossible length 33/ });
  const tiny = cat(base.done(), base.u32(6), base.u32(8), d(64));
  await expectDamage({ name: 'tiny-block.pcapng', bytes: tiny, frames: 1, offset: at, text: /impossible length 8/ });
  const mismatch = cat(base.done(), base.u32(0xbad), base.u32(16), d(4), base.u32(20));
  await expectDamage({ name: 'trailer.pcapng', bytes: mismatch, frames: 1, offset: at, text: /trailing length differs/ });
  const bom = new PcapngWriter().section(true).done();
  bom[8] = 0x12; // byte-order magic
  await expectDamage({ name: 'bom.pcapng', bytes: bom, frames: 0, offset: 8, text: /bad byte-order magic/ });
});

test('classic pcap: absurd caplen (> 256 KiB and > snaplen) is damage; caplen > snaplen alone is kept', async () => {
  const bad = cat(pcapFile({ le: false, snaplen: 1500, records: [rec(0), rec(1)] }), pcapFile({ le: false, records: [] }).subarray(0, 0));
  const absurd = cat(bad, Uint8Array.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0x04, 0x93, 0xe0, 0, 0x04, 0x93, 0xe0]), d(64));
  await expectDamage({ name: 'absurd-caplen.pcap', bytes: absurd, frames: 2, offset: 24 + 2 * recLen, text: /record 3 claims 300000 captured bytes, more than the 262144 a pcap record may hold \(snaplen 1500\)/ });
  // 70 000 bytes: above the snaplen but a size libpcap accepts: kept, with one warning.
  const big = pcapFile({ le: true, snaplen: 65535, records: [rec(0), { sec: 1, frac: 0, data: d(70_000) }, { sec: 2, frac: 0, data: d(70_001) }] });
  const r = await readBytes(big, 'big-record.pcap');
  assert.equal(r.summary.error, undefined);
  assert.deepEqual(r.frames.map((f) => f.caplen), [VRRP2_FRAME.length, 70_000, 70_001]);
  assert.equal(r.warnings.length, 1, `one warning: ${r.warnings.join(' | ')}`);
  assert.match(r.warnings[0]!, /more than the snaplen 65535/);
});
