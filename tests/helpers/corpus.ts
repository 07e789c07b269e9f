// The shared conformance corpus (../shared/corpus beside the repository, see its PROVENANCE.md),
// read in place at test time: nothing from it is copied into the repository. Tests that need it
// call `corpusOrSkip(t)` and skip with a clear message when it is absent.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { readCapture, type CaptureSummary } from '../../src/capture/capture-source.js';
import type { Frame } from '../../src/capture/frame.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import type { Packet } from '../../src/decode/packet.js';

/** The repository root (this file runs from dist/tests/helpers/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** ../shared/corpus beside the repository root; VRRPSCOPE_CORPUS=<dir> points elsewhere. */
export const CORPUS_DIR = process.env['VRRPSCOPE_CORPUS'] ? process.env['VRRPSCOPE_CORPUS'].replace(/\/?$/, '/') : fileURLToPath(new URL('../../../../shared/corpus/', import.meta.url));

export function corpusPresent(): boolean {
  return existsSync(CORPUS_DIR) && existsSync(CORPUS_DIR + 'PROVENANCE.md');
}

/** True when the corpus is there; otherwise marks the test skipped and returns false. */
export function corpusOrSkip(t: TestContext): boolean {
  if (corpusPresent()) return true;
  t.skip(`corpus not present: expected the shared capture corpus at ${CORPUS_DIR}`);
  return false;
}

/** Every capture in the corpus (pcap or pcapng, whatever the extension), sorted by name. */
export function corpusCaptures(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((n) => /\.(pcap|pcapng)$/.test(n))
    .sort();
}

export function corpusPath(name: string): string {
  return CORPUS_DIR + name;
}

/** A frame copied out of the reader's reusable Frame, plus what decodeFrame made of it. */
export type CopiedFrame = {
  readonly number: number;
  readonly ts: bigint;
  readonly tsA: number;
  readonly tsB: number;
  readonly caplen: number;
  readonly origlen: number;
  readonly linktype: number;
  readonly ifName: string | undefined;
  readonly direction: string;
  readonly bytes: Uint8Array;
  readonly packet: Packet | undefined;
};

export type ReadResult = { readonly frames: CopiedFrame[]; readonly summary: CaptureSummary; readonly warnings: string[] };

export function copyFrame(f: Frame, packet: Packet | undefined): CopiedFrame {
  return {
    number: f.number,
    ts: f.timestampNs(),
    tsA: f.tsA,
    tsB: f.tsB,
    caplen: f.caplen,
    origlen: f.origlen,
    linktype: f.linktype,
    ifName: f.ifName,
    direction: f.direction,
    bytes: Uint8Array.from(f.data()),
    packet,
  };
}

/** Reads a whole capture through readCapture, decoding every frame while it is valid. */
export async function readAll(path: string, input = path): Promise<ReadResult> {
  const frames: CopiedFrame[] = [];
  const warnings: string[] = [];
  const summary = await readCapture({ label: undefined, path }, (f) => frames.push(copyFrame(f, decodeFrame(f, input))), (m) => warnings.push(m));
  return { frames, summary, warnings };
}

export type TsvRow = Readonly<Record<string, string>>;

/** A `<capture>.tshark.tsv` file: header row, tab-separated, multi-values joined with ','. */
export function readTsv(path: string): TsvRow[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const head = lines[0]!.split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    if (cells.length !== head.length) throw new Error(`${path}: row with ${cells.length} cells, header has ${head.length}`);
    const row: Record<string, string> = {};
    head.forEach((h, i) => (row[h] = cells[i]!));
    return row;
  });
}

/** Nanoseconds since the epoch as tshark prints frame.time_epoch (9 decimals). */
export function epochText(ns: bigint): string {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  return `${neg ? '-' : ''}${a / 1_000_000_000n}.${String(a % 1_000_000_000n).padStart(9, '0')}`;
}

/** mulberry32: a small seeded PRNG, so a failing fuzz run can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
