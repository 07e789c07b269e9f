// The reader's shortcut for frames nobody decodes (ReadControl.skip, asked through a SkipGate):
// it may only ever save work. Read with and without it, a capture gives the same frames, frame
// numbers and packets; the gate stops asking while a stretch of the capture is all VRRP and asks
// again once the frames are skippable.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCapture } from '../src/capture/capture-source.js';
import { readInputs } from '../src/capture/read-inputs.js';
import { SkipGate } from '../src/capture/skip-gate.js';
import { ignoredAtAGlance } from '../src/decode/at-a-glance.js';
import { decodeFrame } from '../src/decode/decode-frame.js';
import type { Packet } from '../src/decode/packet.js';
import { pcapFile, type PcapRecord } from './helpers/capture-writer.js';
import { advertFrame, garpFrame, record } from './helpers/vrrp-frames.js';

const json = (p: Packet): string => JSON.stringify(p, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** An Ethernet frame: optional 802.1Q tag, then IPv4 or IPv6 with `proto`, padded to `size`. */
function ipFrame(six: boolean, proto: number, vlan: number | undefined, size: number): Uint8Array {
  const macs = [0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x52, 0x54, 0, 0xaa, 0, 1];
  const tag = vlan === undefined ? [] : [0x81, 0x00, 0, vlan];
  const ip = six
    ? [0x86, 0xdd, 0x60, 0, 0, 0, 0, 40, proto, 64, ...new Array(32).fill(1)]
    : [0x08, 0x00, 0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 192, 0, 2, 1];
  const b = [...macs, ...tag, ...ip];
  return Uint8Array.from([...b, ...new Array(Math.max(0, size - b.length)).fill(0)]);
}

let built: Uint8Array | undefined;

/** 30 000 adverts of 20 VRIDs, then 120 000 frames (18 MB) of other traffic with an advert now and then, then adverts again. */
function mixedCapture(): Uint8Array {
  if (built) return built;
  const records: PcapRecord[] = [];
  let t = 1_700_000_000;
  const advert = (i: number): Uint8Array => advertFrame({ src: `10.20.${(i % 20) + 1}.11`, vrid: (i % 20) + 1, prio: 150, vips: [`10.20.${(i % 20) + 1}.1`] });
  for (let i = 0; i < 30_000; i++) records.push(record((t += 0.001), advert(i)));
  records.push(record((t += 0.001), garpFrame('10.20.1.1', 1)));
  const other = [ipFrame(false, 6, undefined, 120), ipFrame(false, 17, 42, 200), ipFrame(true, 6, undefined, 90), ipFrame(true, 17, 7, 150), ipFrame(true, 58, undefined, 90)];
  for (let i = 0; i < 120_000; i++) records.push(record((t += 0.0001), i % 1000 === 0 ? advert(i) : other[i % other.length]!));
  for (let i = 0; i < 10_000; i++) records.push(record((t += 0.001), advert(i)));
  return (built = pcapFile({ le: true, records }));
}

test('SkipGate: asks while the filter spares one frame in 8, then one chunk in 8 until it pays again', () => {
  const filter = (): boolean => false;
  const g = new SkipGate(filter);
  assert.equal(g.begin(), filter, 'asks from the start');
  g.end(1000, 10);
  const asked = Array.from({ length: 32 }, () => g.begin() !== undefined).filter(Boolean).length;
  assert.equal(asked, 4, 'closed: one chunk in 8');
  g.end(1000, 200);
  assert.equal(g.begin(), filter, 'open again once it spared a fifth');
  g.end(10, 0);
  assert.equal(g.begin(), filter, 'a chunk of 10 frames changes nothing');
  assert.equal(new SkipGate(undefined).begin(), undefined);
});

test('a capture read with the skip gives the frames, numbers and packets it gives without, and skips most of the other traffic', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpscope-skip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'mixed.pcap');
  writeFileSync(path, mixedCapture());
  const read = async (skip: typeof ignoredAtAGlance | undefined) => {
    const packets: string[] = [];
    let delivered = 0;
    const summary = await readCapture(
      { label: undefined, path },
      (f) => {
        delivered++;
        const p = decodeFrame(f, 'mixed');
        if (p) packets.push(`${f.number} ${json(p)}`);
      },
      () => {},
      { skip },
    );
    return { summary, packets, delivered };
  };
  const plain = await read(undefined);
  const skipping = await read(ignoredAtAGlance);
  assert.equal(plain.summary.frames, 160_001);
  assert.equal(skipping.summary.frames, plain.summary.frames);
  assert.equal(plain.packets.length, 30_000 + 1 + 120 + 10_000);
  assert.deepEqual(skipping.packets, plain.packets);
  assert.equal(plain.delivered, 160_001);
  // The gate closed on the adverts and opened again on the other traffic: of its 96 000 frames
  // that are neither VRRP nor ICMPv6, at least three quarters were skipped.
  assert.ok(skipping.delivered < 160_001 - 72_000, `delivered ${skipping.delivered}`);
  assert.ok(skipping.delivered >= plain.packets.length);
});

test('readInputs skips only when nobody asked to see every frame (--bundle)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpscope-skip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'mixed.pcap');
  writeFileSync(path, mixedCapture());
  const read = async (watch: boolean) => {
    const packets: string[] = [];
    let seen = 0;
    const reports = await readInputs([{ label: undefined, path }], (p) => void packets.push(json(p)), () => {}, undefined, watch ? () => void seen++ : undefined);
    return { packets, seen, frames: reports[0]!.frames };
  };
  const skipping = await read(false);
  const watched = await read(true);
  assert.equal(watched.seen, 160_001, 'onFrame sees every frame');
  assert.equal(skipping.frames, 160_001);
  assert.equal(watched.frames, 160_001);
  assert.deepEqual(skipping.packets, watched.packets);
});
