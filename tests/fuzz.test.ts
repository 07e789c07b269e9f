// Robustness: whatever the bytes, decodeFrame returns a Packet, undefined, or a `malformed` packet,
// and readCapture ends with a summary (its damage as a CaptureError inside it). Nothing throws.
//
// * every prefix (caplen 0..n) of every frame of every corpus capture; each prefix is decoded twice,
//   once inside the full frame's buffer and once from an exact copy, and both must agree: a decoder
//   that reads past caplen would see different bytes in the two runs;
// * seeded random mutations of corpus frames (bit flips, byte sets, truncations, insertions,
//   deletions) and of whole capture files. Every assertion message carries the seed and the case
//   number; set FUZZ_SEED=<n> to replay another run, FUZZ_CASES=<n> for more cases.
// * every frame the reader may skip unseen (ignoredAtAGlance) is one decodeFrame drops, and a
//   mutated file read with that skip gives the same frames, numbers, packets and damage as without.
// * regressions: the inputs that broke (or nearly broke) a decoder, kept as named byte strings.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { CaptureError } from '../src/capture/capture-error.js';
import { readCapture } from '../src/capture/capture-source.js';
import { Frame } from '../src/capture/frame.js';
import { ignoredAtAGlance } from '../src/decode/at-a-glance.js';
import { decodeFrame } from '../src/decode/decode-frame.js';
import type { Packet } from '../src/decode/packet.js';
import { formatPacket } from '../src/views/packet-line.js';
import { hex, PcapngWriter, VRRP2_FRAME } from './helpers/capture-writer.js';
import { corpusCaptures, corpusOrSkip, corpusPath, corpusPresent, mulberry32, readAll, type CopiedFrame } from './helpers/corpus.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 0x7a11ed);
const FRAME_CASES = Number(process.env['FUZZ_CASES'] ?? 120_000);
const FILE_CASES = 400;

const frame = new Frame();
/** Frames ignoredAtAGlance said the reader may skip, all checked to decode to nothing. */
let glanced = 0;

/** Decodes bytes[0, caplen) as one frame and renders the result, as --packets would. */
function decode(bytes: Uint8Array, caplen: number, linktype: number, origlen = bytes.length): Packet | undefined {
  frame.buf = bytes;
  frame.offset = 0;
  frame.caplen = caplen;
  frame.origlen = origlen;
  frame.linktype = linktype;
  frame.number = 1;
  const p = decodeFrame(frame, 'fuzz');
  if (ignoredAtAGlance(bytes, 0, caplen, linktype)) {
    glanced++;
    assert.equal(p, undefined, `ignoredAtAGlance would skip a frame decodeFrame decodes: link type ${linktype}, ${Buffer.from(bytes.subarray(0, caplen)).toString('hex')}`);
  }
  if (p) {
    formatPacket(p, 'fuzz');
    if (p.kind === 'malformed') assert.equal(typeof p.reason, 'string');
  }
  return p;
}

const json = (p: Packet | undefined): string => JSON.stringify(p, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

function hexOf(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

let corpusFrames: CopiedFrame[] | undefined;
async function allCorpusFrames(): Promise<CopiedFrame[]> {
  if (!corpusFrames) {
    corpusFrames = [];
    for (const file of corpusCaptures()) corpusFrames.push(...(await readAll(corpusPath(file), file)).frames);
  }
  return corpusFrames;
}

test('every prefix of every corpus frame decodes or is malformed, and never reads past caplen', async (t) => {
  if (!corpusOrSkip(t)) return;
  let prefixes = 0;
  for (const f of await allCorpusFrames()) {
    for (let k = 0; k <= f.caplen; k++) {
      let inside: string;
      let alone: string;
      try {
        inside = json(decode(f.bytes, k, f.linktype));
        alone = json(decode(f.bytes.slice(0, k), k, f.linktype, f.bytes.length));
      } catch (e) {
        assert.fail(`frame ${f.number} (linktype ${f.linktype}) prefix ${k}: threw ${String(e)}\n${hexOf(f.bytes.subarray(0, k))}`);
      }
      if (inside !== alone) assert.fail(`frame ${f.number} prefix ${k}: the decode depends on bytes past caplen\n${inside}\n${alone}\n${hexOf(f.bytes)}`);
      prefixes++;
    }
  }
  assert.ok(prefixes > 450_000, `${prefixes} prefixes`);
});

type Mutation = (b: Uint8Array, rnd: () => number) => Uint8Array;
const pick = <T>(a: readonly T[], rnd: () => number): T => a[Math.floor(rnd() * a.length)]!;
const INTERESTING = [0x00, 0xff, 0x01, 0x02, 0x03, 0x04, 0x06, 0x08, 0x11, 0x21, 0x31, 0x3a, 0x45, 0x4f, 0x60, 0x70, 0x7f, 0x80, 0x81, 0x86, 0x88, 0xa8, 0xdd, 0xe7, 0xfe];
const MUTATIONS: readonly [string, Mutation][] = [
  ['flip', (b, r) => ((b[Math.floor(r() * b.length)]! ^= 1 << Math.floor(r() * 8)), b)],
  ['set', (b, r) => ((b[Math.floor(r() * b.length)] = r() < 0.6 ? pick(INTERESTING, r) : Math.floor(r() * 256)), b)],
  ['truncate', (b, r) => b.slice(0, Math.floor(r() * b.length))],
  ['insert', (b, r) => {
    const at = Math.floor(r() * (b.length + 1));
    const junk = Uint8Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256));
    return Uint8Array.from([...b.subarray(0, at), ...junk, ...b.subarray(at)]);
  }],
  ['delete', (b, r) => {
    const at = Math.floor(r() * b.length);
    return Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + Math.floor(r() * 4))]);
  }],
];

test(`${FRAME_CASES} seeded mutations of corpus frames never throw (seed ${SEED})`, async () => {
  const pool = corpusPresent() ? await allCorpusFrames() : [];
  // Frames we decode are where the bugs live: three quarters of the cases mutate one of those.
  const decoded = pool.filter((f) => f.packet !== undefined);
  const built = [{ bytes: VRRP2_FRAME, linktype: 1 }];
  const interesting = decoded.length > 0 ? decoded : built;
  const any = pool.length > 0 ? pool : built;
  const rnd = mulberry32(SEED);
  const kinds: Record<string, number> = {};
  const glancedBefore = glanced;
  for (let i = 0; i < FRAME_CASES; i++) {
    const src = rnd() < 0.75 ? pick(interesting, rnd) : pick(any, rnd);
    let b: Uint8Array = Uint8Array.from(src.bytes);
    const steps: string[] = [];
    for (let n = 1 + Math.floor(rnd() * 3); n > 0 && b.length > 0; n--) {
      const [name, m] = pick(MUTATIONS, rnd);
      steps.push(name);
      b = m(b, rnd);
    }
    let p: Packet | undefined;
    try {
      p = decode(b, b.length, rnd() < 0.05 ? pick([0, 12, 101, 107, 108, 113, 228, 229, 242, 276], rnd) : src.linktype);
    } catch (e) {
      assert.fail(`seed ${SEED} case ${i} (${steps.join('+')}): decodeFrame threw ${String(e)}; frame ${hexOf(b)}`);
    }
    const k = p ? (p.kind === 'malformed' ? `malformed ${p.protocol}` : p.kind) : 'none';
    kinds[k] = (kinds[k] ?? 0) + 1;
  }
  // The mutations must reach the decoders, not just bounce off the link layer.
  for (const k of corpusPresent() ? ['vrrp', 'arp', 'malformed vrrp', 'malformed arp'] : ['vrrp', 'malformed vrrp']) assert.ok((kinds[k] ?? 0) > 50, `seed ${SEED}: too few '${k}' outcomes: ${JSON.stringify(kinds)}`);
  // ... and many of them into frames the reader would skip, each checked in decode().
  assert.ok(glanced - glancedBefore > 500, `seed ${SEED}: only ${glanced - glancedBefore} mutated frames were skippable`);
});

test(`${FILE_CASES} seeded mutations of whole capture files end in a summary, never a throw (seed ${SEED})`, async () => {
  const files: [string, Uint8Array][] = [
    ['built.pcapng', new PcapngWriter().section(true).iface({ linktype: 1, name: 'x', tsresol: 9 }).epb(0, 5n, VRRP2_FRAME, { flags: 1 }).spb(VRRP2_FRAME).isb(0, 6n, 3n).section(false).iface({ linktype: 113 }).opb(0, 7n, VRRP2_FRAME).done()],
  ];
  if (corpusPresent()) {
    for (const n of corpusCaptures()) {
      const b = readFileSync(corpusPath(n));
      if (b.length < 40_000) files.push([n, b]);
    }
  }
  const rnd = mulberry32(SEED ^ 0xf11e);
  const outcomes = { clean: 0, damaged: 0 };
  /** Frames handed to the sink, read without and with the skip. */
  const delivered: [number, number] = [0, 0];
  for (let i = 0; i < FILE_CASES; i++) {
    const [name, orig] = pick(files, rnd);
    let b: Uint8Array = Uint8Array.from(orig);
    const steps: string[] = [];
    for (let n = 1 + Math.floor(rnd() * 6); n > 0 && b.length > 0; n--) {
      const [mname, m] = pick(MUTATIONS, rnd);
      // Half of the byte changes land in the first 64 bytes: the file header and first record/block headers.
      if ((mname === 'flip' || mname === 'set') && rnd() < 0.5) {
        const head = b.slice(0, 64);
        const changed = m(head, rnd);
        b.set(changed.subarray(0, Math.min(changed.length, b.length)));
      } else b = m(b, rnd);
      steps.push(mname);
    }
    const where = `seed ${SEED} file case ${i} (${name}, ${steps.join('+')})`;
    let summary;
    let skipping;
    const seen: string[][] = [[], []];
    const read = (skip: typeof ignoredAtAGlance | undefined, out: string[]) =>
      readCapture(
        { label: undefined, path: name, stream: Readable.from([Buffer.from(b)]) },
        (f) => {
          delivered[skip ? 1 : 0] += 1;
          const p = decodeFrame(f, name);
          if (p) out.push(`${f.number} ${json(p)}`);
        },
        () => {},
        { skip },
      );
    try {
      summary = await read(undefined, seen[0]!);
      skipping = await read(ignoredAtAGlance, seen[1]!);
    } catch (e) {
      assert.fail(`${where}: readCapture threw ${String(e)}`);
    }
    assert.deepEqual(seen[1], seen[0], `${where}: skipping changed the packets`);
    assert.equal(skipping.frames, summary.frames, `${where}: skipping changed the frame count`);
    assert.equal(skipping.error?.message, summary.error?.message, `${where}: skipping changed the damage`);
    if (summary.error !== undefined) {
      assert.ok(summary.error instanceof CaptureError, `${where}: error is not a CaptureError`);
      assert.match(summary.error.message, /at byte \d+$/, where);
      outcomes.damaged++;
    } else outcomes.clean++;
  }
  assert.ok(outcomes.damaged > 20 && outcomes.clean > 20, `seed ${SEED}: outcomes ${JSON.stringify(outcomes)}`);
  if (corpusPresent()) assert.ok(delivered[0]! - delivered[1]! > delivered[0]! / 10, `seed ${SEED}: the skip spared only ${delivered[0]! - delivered[1]!} of ${delivered[0]} frames`);
});

// Inputs that broke or fooled a decoder, each with what must come out now.
const REGRESSIONS: { name: string; linktype: number; bytes: string; expect: (p: Packet | undefined) => void }[] = [
  {
    // tcpdump-arp-oobr.pcap frame 1166: hardware type 19 is ATMARP (RFC 2225), another layout; it
    // used to be read as plain ARP. tcpdump prints `[|arp]`, tshark decodes it as ATMARP.
    name: 'atmarp-read-as-arp',
    linktype: 1,
    bytes: 'ffffffffffff001f29da2d7908060013080006040001001f29da2d79c0a80168000000000000c0a80101000000000000000000000000000000000000',
    expect: (p) => assert.equal(p, undefined),
  },
  {
    // tcpdump-vrrp-oobr-fr.pcap frame 1: the IP header leaves 6 bytes of VRRP. It used to give a
    // malformed packet with no fields; now the 6 bytes' fields are kept, as tshark shows them.
    name: 'vrrp-6-bytes-frame-relay',
    linktype: 107,
    bytes: '80ea9d0800477f00229d100000fe708e15fadb5b14d196fb404553fb190010fd002102000101ff00000100a102000400000400005d00102e270000006b004000',
    expect: (p) => {
      assert.equal(p?.kind, 'malformed');
      assert.deepEqual(p.partial, { version: 2, type: 1, vrid: 2, priority: 0, count: 1, authType: 1, interval: 255, intervalUnit: 's' });
    },
  },
  {
    // tcpdump-icmp-oobr-1-vrrp.pcap frame 2: Count 4 in an 11-byte VRRPv3 message. The checksum used
    // to be left out of the malformed packet; it is bad, as tshark says.
    name: 'vrrp3-count-past-end',
    linktype: 1,
    bytes: '000c0249967ec00520ffff9d08004504001f7f000000407000821603d30036d100003180450400200e00b2a12000040001000100001e00002300000001000000',
    expect: (p) => {
      assert.equal(p?.kind, 'malformed');
      assert.equal(p.partial['checksumStatus'], 'bad');
      assert.equal(p.partial['checksum'], 0x0e00);
      assert.deepEqual(p.partial['addresses'], []);
    },
  },
  {
    // tcpdump-vrrp-oobr-2.pcap frame 1: More Fragments set, offset 0. It used to be decoded as a
    // (truncated) VRRPv3 advert; a fragment is now reported as such, as tshark does.
    name: 'vrrp-in-first-fragment',
    linktype: 1,
    bytes: '0000c0a09687ff8debff9b9d080045020027bd0fe0002370007f000302943600001031ff1103010da20000000000000002000000ffff',
    expect: (p) => {
      assert.equal(p?.kind, 'malformed');
      assert.match(p.reason, /fragment/);
    },
  },
  {
    // A 3-byte VRRP message: only version, type, VRID and priority exist.
    name: 'vrrp-3-bytes',
    linktype: 101,
    bytes: '45000017000000000170000000000000e0000012 21 2a 64',
    expect: (p) => {
      assert.equal(p?.kind, 'malformed');
      assert.deepEqual(p.partial, { version: 2, type: 1, vrid: 42, priority: 100 });
    },
  },
];

test('regressions: named inputs that once broke or fooled a decoder', () => {
  for (const r of REGRESSIONS) {
    const b = hex(r.bytes);
    let p: Packet | undefined;
    try {
      p = decode(b, b.length, r.linktype);
    } catch (e) {
      assert.fail(`${r.name}: threw ${String(e)}`);
    }
    try {
      r.expect(p);
    } catch (e) {
      throw new Error(`${r.name}: ${(e as Error).message}\n${json(p)}`);
    }
  }
});
