// Drives a format parser over a file or a stream: detects the format from the magic, feeds chunks,
// keeps a partial record for the next chunk, and turns damage into one CaptureError while keeping
// every frame read before it. Files are read straight into one reusable buffer (no per-chunk
// allocation); pipes are read as they arrive so `tcpdump -U -w - | vrrpscope -r -` is live.

import { createReadStream, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { CaptureError } from './capture-error.js';
import { u16, u32 } from './bytes.js';
import { PcapParser } from './pcap-parser.js';
import { PcapngParser, type PcapngInterface } from './pcapng-parser.js';
import type { FrameFilter, FrameSink, RecordParser, Warn } from './record-parser.js';
import { limit, raiseHint } from '../util/limits.js';

export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export type CaptureInput = {
  /** What the user called it: `-r eth0=FILE` gives label eth0. */
  readonly label: string | undefined;
  /** A path, or `-` for standard input. */
  readonly path: string;
  /** Only for tests and embedding: a stream to read instead of the path. */
  readonly stream?: Readable;
};

export type CaptureSummary = {
  format: CaptureFormat | undefined;
  frames: number;
  bytes: number;
  /** pcapng interfaces (names, drops) when the format has them. */
  interfaces: readonly PcapngInterface[];
  /** Link type of a classic pcap file. */
  linktype: number | undefined;
  /** The damage that stopped reading early, if any. Frames before it were delivered. */
  error: CaptureError | undefined;
  /** Reading was stopped (Ctrl-C) before the input ended; what was read was delivered. */
  interrupted: boolean;
};

/** How the caller steers a read in progress. */
export type ReadControl = {
  /** Asked after every chunk: a promise to wait on before reading more (the merge is far enough ahead), or undefined. */
  readonly pause?: () => Promise<void> | undefined;
  /** Stops reading (Ctrl-C): the frames read so far count, the rest of the input is left unread. */
  readonly signal?: AbortSignal;
  /**
   * Bytes per read of a regular file (default FILE_CHUNK). A merge asks for less, so that what one
   * read hands on in one go stays a small multiple of its look-ahead.
   */
  readonly chunkBytes?: number;
  /**
   * Frames to count and number but not deliver: the caller would drop them at a glance. Asked in
   * the parser's loop, it spares most of a sparse capture's frames the trip through the sink.
   */
  readonly skip?: FrameFilter;
};

const CHUNK = 4 * 1024 * 1024;
/** Buffer for regular files: fits in a CPU core's L2 cache with room for any classic pcap record. */
const FILE_CHUNK = 512 * 1024;
/** A synchronous read loop gives the event loop a turn after this many bytes or milliseconds. */
const YIELD_BYTES = 16 * 1024 * 1024;
const YIELD_MS = 10;

export function inputName(input: CaptureInput): string {
  return input.path === '-' ? '<stdin>' : input.path;
}

export async function readCapture(input: CaptureInput, sink: FrameSink, warn: Warn, control: ReadControl = {}): Promise<CaptureSummary> {
  const name = inputName(input);
  const summary: CaptureSummary = { format: undefined, frames: 0, bytes: 0, interfaces: [], linktype: undefined, error: undefined, interrupted: false };
  const signal = control.signal;
  const stopped = (): boolean => {
    if (signal?.aborted) summary.interrupted = true;
    return summary.interrupted;
  };
  /** Waits while the caller wants no more yet; false once reading is to stop. */
  const mayGoOn = async (): Promise<boolean> => {
    const w = control.pause?.();
    if (w && signal && !signal.aborted) {
      let onAbort = (): void => undefined;
      const abort = new Promise<void>((resolve) => {
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      });
      await Promise.race([w, abort]);
      signal.removeEventListener('abort', onAbort);
    } else if (w) await w;
    return !stopped();
  };
  let parser: RecordParser | undefined;
  let buf: Buffer = Buffer.allocUnsafe(0);
  let len = 0;
  let base = 0;
  /** Frames the parser has skipped (ReadControl.skip) and summary.frames already counts. */
  let skipped = 0;
  const counting: FrameSink = (f) => {
    summary.frames++;
    sink(f);
  };
  /** Counts the frames skipped since the last look, also those before damage stopped a parse. */
  const tally = (): void => {
    if (parser) {
      summary.frames += parser.skipped - skipped;
      skipped = parser.skipped;
    }
  };

  const consume = (): void => {
    if (!parser) {
      if (len < 4) return;
      parser = detect(name, buf, len, counting, warn, summary, control.skip);
      if (!parser) return;
    }
    const used = parser.parse(buf, 0, len, base);
    tally();
    if (used > 0) {
      buf.copyWithin(0, used, len);
      len -= used;
      base += used;
    }
  };
  const room = (): void => {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
  };

  try {
    const stream = input.stream ?? (input.path === '-' ? process.stdin : undefined);
    if (stream || (await readAsStream(input.path))) {
      buf = Buffer.allocUnsafe(CHUNK);
      const s = stream ?? createReadStream(input.path);
      // Ctrl-C while the stream is quiet (`tcpdump -U -w - | vrrpscope -r -`): stop waiting for it.
      const onAbort = (): void => void s.destroy();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const chunk of chunksOf(s, name)) {
          feed(chunk);
          if (!(await mayGoOn())) break;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    } else {
      await readFile(input.path);
    }
    if (!stopped()) finish();
  } catch (e) {
    tally();
    if (stopped()) return summary; // what the interrupted stream said on the way out does not matter
    if (e instanceof CaptureError) summary.error = e;
    else if (isErrno(e)) summary.error = new CaptureError(name, base + len, errnoText(e), base + len > 0 || summary.frames > 0);
    else if (e instanceof Error && /incorrect header check|unexpected end of file/.test(e.message)) summary.error = new CaptureError(name, base + len, `gzip data damaged (${e.message})`);
    else throw e;
  }
  return summary;

  /**
   * Reads a file into `buf`. A regular file is read with short synchronous reads into a buffer
   * small enough to stay in the CPU cache while the parser walks it: from the page cache such a
   * read takes tens of microseconds, less than a round trip through libuv's thread pool, and the
   * event loop still gets a turn every few MiB or milliseconds. Anything else (a FIFO, a device)
   * may block, so it is read asynchronously as data arrives.
   */
  async function readFile(path: string): Promise<void> {
    const fh = await open(path, 'r');
    try {
      if ((await fh.stat()).isFile()) {
        buf = Buffer.allocUnsafe(control.chunkBytes ?? FILE_CHUNK);
        for (;;) {
          // Date.now, not performance.now: that would load perf_hooks for a 10 ms budget.
          const t0 = Date.now();
          for (let burst = 0; burst < YIELD_BYTES && Date.now() - t0 < YIELD_MS; ) {
            room();
            const bytesRead = readSync(fh.fd, buf, len, buf.length - len, null);
            if (bytesRead === 0) return;
            summary.bytes += bytesRead;
            len += bytesRead;
            burst += bytesRead;
            consume();
            if (!(await mayGoOn())) return;
          }
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (stopped()) return;
        }
      }
      buf = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        room();
        const { bytesRead } = await fh.read(buf, len, buf.length - len, null);
        if (bytesRead === 0) break;
        summary.bytes += bytesRead;
        len += bytesRead;
        consume();
        if (!(await mayGoOn())) return;
      }
    } finally {
      await fh.close();
    }
  }

  function feed(chunk: Buffer): void {
    summary.bytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      room();
      const n = Math.min(chunk.length - at, buf.length - len);
      chunk.copy(buf, len, at, at + n);
      len += n;
      at += n;
      consume();
    }
  }

  function finish(): void {
    if (!parser) {
      if (len === 0) throw new CaptureError(name, 0, 'empty input: no capture header');
      // Fewer than 4 bytes: not even a whole magic number to look at (detect would read past len).
      if (len < 4) throw new CaptureError(name, 0, `capture header cut off (${len} bytes)`);
      parser = detect(name, buf, len, counting, warn, summary, control.skip);
      if (!parser) throw new CaptureError(name, 0, 'capture header cut off');
      consume();
    }
    parser.finish(len, base);
  }
}

/** Decompression is watched from this much output on: below it any ratio is fine. */
const GUNZIP_RATIO_FROM = 64 * 1024 * 1024;

/**
 * A stream's chunks, gunzipped on the fly when the data starts with the gzip magic. What gzip
 * data may expand to is bounded (limits gunzip-size and gunzip-ratio): a 4 MB bomb is refused
 * after reading a bounded amount, never expanded to gigabytes.
 */
async function* chunksOf(s: Readable, name: string): AsyncGenerator<Buffer> {
  const it = (s as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  let fed = 0;
  async function* all(): AsyncGenerator<Buffer> {
    fed += (first.value as Buffer).length;
    yield first.value as Buffer;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      fed += r.value.length;
      yield r.value;
    }
  }
  const head = first.value as Buffer;
  if (!(head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b)) return yield* all();
  // Required for gzip data only: most runs never need them.
  const require = createRequire(import.meta.url);
  const { Readable } = require('node:stream') as typeof import('node:stream');
  const { createGunzip } = require('node:zlib') as typeof import('node:zlib');
  const source = Readable.from(all());
  const gunzip = source.pipe(createGunzip());
  const maxSize = limit('gunzip-size');
  const maxRatio = limit('gunzip-ratio');
  let out = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (out + chunk.length > maxSize) {
        throw new CaptureError(name, out, `gzip data expands to more than ${maxSize} bytes; the rest is not read (${raiseHint('gunzip-size')})`);
      }
      out += chunk.length;
      if (out > GUNZIP_RATIO_FROM && out > fed * maxRatio) {
        throw new CaptureError(name, out, `gzip data expands more than ${maxRatio}-fold (${out} bytes from ${fed}), as a decompression bomb does; the rest is not read (${raiseHint('gunzip-ratio')})`);
      }
      yield chunk;
    }
  } finally {
    gunzip.destroy();
    source.destroy();
  }
}

/**
 * Gzip'd files and anything that is not a regular file (a FIFO from `mkfifo`, /dev/stdin, a
 * device) are read as a stream: no seeking, gunzipped on the fly when the data says so.
 */
async function readAsStream(path: string): Promise<boolean> {
  if (!(await stat(path)).isFile()) return true;
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Chooses the parser from the first bytes; undefined when more bytes are needed. */
function detect(name: string, b: Uint8Array, len: number, sink: FrameSink, warn: Warn, summary: CaptureSummary, skip: FrameFilter | undefined): RecordParser | undefined {
  const magic = u32(b, 0, false);
  if (magic === 0x0a0d0d0a) {
    const p = new PcapngParser(name, sink, warn, skip);
    summary.format = 'pcapng';
    summary.interfaces = p.allInterfaces;
    return p;
  }
  const variants: Record<number, [boolean, boolean]> = {
    0xa1b2c3d4: [false, false],
    0xd4c3b2a1: [true, false],
    0xa1b23c4d: [false, true],
    0x4d3cb2a1: [true, true],
  };
  const v = variants[magic];
  if (!v) {
    const hint = magic >>> 16 === 0x1f8b ? ' (gzip data)' : looksText(b, len) ? ' (looks like text, not a capture)' : '';
    throw new CaptureError(name, 0, `not a pcap or pcapng capture: magic 0x${magic.toString(16).padStart(8, '0')}${hint}`);
  }
  if (len < 24) return undefined;
  const [le, ns] = v;
  if (u16(b, 4, le) !== 2) warn(`${name}: pcap version ${u16(b, 4, le)}.${u16(b, 6, le)} (expected 2.4); reading anyway`);
  const linktype = u32(b, 20, le) & 0x0fff_ffff;
  const parser = new PcapParser(name, le, ns, u32(b, 16, le), linktype, sink, warn, skip);
  summary.format = ns ? 'pcap-ns' : 'pcap';
  summary.linktype = linktype;
  // Skip the file header: the record loop starts after it.
  let header = true;
  return {
    parse(buf, start, end, base) {
      if (header) {
        if (end - start < 24) return start;
        header = false;
        return parser.parse(buf, start + 24, end, base);
      }
      return parser.parse(buf, start, end, base);
    },
    finish: (left, base) => parser.finish(left, base),
    get skipped() {
      return parser.skipped;
    },
  };
}

function looksText(b: Uint8Array, len: number): boolean {
  for (let i = 0; i < Math.min(len, 64); i++) {
    const c = b[i]!;
    if (c < 9 || (c > 13 && c < 32) || c > 126) return false;
  }
  return true;
}

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

function errnoText(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a capture file';
    default:
      return `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}`;
  }
}
