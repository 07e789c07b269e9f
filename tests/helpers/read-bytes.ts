// Reads capture bytes through readCapture, from a temporary file or as a stream cut into chunks.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readCapture, type CaptureSummary } from '../../src/capture/capture-source.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { copyFrame, type CopiedFrame } from './corpus.js';

export const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-test-'));

/** Writes bytes to a file under the test's temporary directory and returns its path. */
export function tmpFile(name: string, bytes: Uint8Array | string): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

/**
 * Without `chunks`: written to a file named `name` and read by path. With `chunks`: streamed, 'one'
 * as a single chunk, or cut into pieces of the listed sizes (cycled).
 */
export async function readBytes(bytes: Uint8Array, name = 'mem.pcapng', chunks?: number[] | 'one'): Promise<{ frames: CopiedFrame[]; summary: CaptureSummary; warnings: string[]; path: string }> {
  const frames: CopiedFrame[] = [];
  const warnings: string[] = [];
  let stream: Readable | undefined;
  if (chunks !== undefined) {
    const parts: Buffer[] = [];
    if (chunks === 'one') parts.push(Buffer.from(bytes));
    else
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const n = Math.max(1, chunks[i % chunks.length]!);
        parts.push(Buffer.from(bytes.subarray(at, at + n)));
        at += n;
      }
    stream = Readable.from(parts);
  }
  const path = stream ? name : tmpFile(name, bytes);
  const summary = await readCapture({ label: undefined, path, ...(stream ? { stream } : {}) }, (f) => frames.push(copyFrame(f, decodeFrame(f, name))), (m) => warnings.push(m));
  return { frames, summary, warnings, path };
}
