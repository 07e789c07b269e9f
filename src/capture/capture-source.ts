// Drives a format parser over a file or a stream: detects the format from the magic, feeds chunks,
// keeps a partial record for the next chunk, and turns damage into one CaptureError while keeping
// every frame read before it. Files are read into two reusable buffers in turn, so the next chunk
// is being read on libuv's thread pool while the parser walks this one (no per-chunk allocation);
// pipes are read as they arrive so `tcpdump -U -w - | vrrpscope -r -` is live.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureError } from './capture-error.js';
import { u16, u32 } from './bytes.js';
import { PcapParser } from './pcap-parser.js';
import { PcapngParser, type PcapngInterface } from './pcapng-parser.js';
import type { FrameSink, RecordParser, Warn } from './record-parser.js';

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
};

const CHUNK = 4 * 1024 * 1024;
/**
 * Room in front of each file chunk for the partial record left over from the previous one, so a
 * record is always contiguous without moving the chunk. Holds any classic pcap record (at most
 * MAX_RECORD + 16 bytes); only larger pcapng blocks take the slower spill path.
 */
const HEAD = 512 * 1024;

export function inputName(input: CaptureInput): string {
  return input.path === '-' ? '<stdin>' : input.path;
}

export async function readCapture(input: CaptureInput, sink: FrameSink, warn: Warn): Promise<CaptureSummary> {
  const name = inputName(input);
  const summary: CaptureSummary = { format: undefined, frames: 0, bytes: 0, interfaces: [], linktype: undefined, error: undefined };
  let parser: RecordParser | undefined;
  /** The stream path's buffer; the file path's unparsed tail once it is done (for finish). */
  let buf: Buffer = Buffer.allocUnsafe(0);
  let len = 0;
  let base = 0;
  const counting: FrameSink = (f) => {
    summary.frames++;
    sink(f);
  };

  const consume = (): void => {
    if (!parser) {
      if (len < 4) return;
      parser = detect(name, buf, len, counting, warn, summary);
      if (!parser) return;
    }
    const used = parser.parse(buf, 0, len, base);
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
    if (stream || (await isGzip(input.path))) {
      buf = Buffer.allocUnsafe(CHUNK);
      for await (const chunk of chunksOf(stream ?? createReadStream(input.path))) feed(chunk);
    } else {
      await readFile(input.path);
    }
    finish();
  } catch (e) {
    if (e instanceof CaptureError) summary.error = e;
    else if (isErrno(e)) summary.error = new CaptureError(name, base + len, errnoText(e));
    else if (e instanceof Error && /incorrect header check|unexpected end of file/.test(e.message)) summary.error = new CaptureError(name, base + len, `gzip data damaged (${e.message})`);
    else throw e;
  }
  return summary;

  /**
   * Reads a file with one read always in flight: chunk n+1 is read into one buffer while the parser
   * walks chunk n in the other. The unparsed tail of chunk n (a partial record) is copied into the
   * room in front of chunk n+1. Leaves the unparsed tail in buf[0, len) for finish().
   */
  async function readFile(path: string): Promise<void> {
    const fh = await open(path, 'r');
    const bufs = [Buffer.allocUnsafe(HEAD + CHUNK), Buffer.allocUnsafe(HEAD + CHUNK)] as const;
    let next: Promise<{ bytesRead: number }> | undefined;
    // The unparsed bytes: tail[tailAt, tailAt + len); `base` is the input offset of tail[tailAt].
    let tail: Buffer = bufs[1];
    let tailAt = 0;
    // Records bigger than HEAD are gathered here, growing as needed.
    let spill: Buffer | undefined;
    const start = (b: Buffer): void => {
      next = fh.read(b, HEAD, CHUNK, null);
      next.catch(() => undefined); // awaited below; a failure while parsing must not go unhandled
    };
    try {
      let cur = 0;
      start(bufs[0]);
      for (;;) {
        const { bytesRead } = await next!;
        next = undefined;
        if (bytesRead === 0) break;
        summary.bytes += bytesRead;
        const b = bufs[cur]!;
        let from: number;
        let to: number;
        let into: Buffer;
        if (len <= HEAD) {
          from = HEAD - len;
          if (len > 0) tail.copy(b, from, tailAt, tailAt + len);
          into = b;
          to = HEAD + bytesRead;
        } else {
          // A record larger than HEAD: gather it in the spill buffer.
          if (!spill || spill.length < len + bytesRead) {
            const bigger = Buffer.allocUnsafe(Math.max(2 * (len + bytesRead), HEAD + CHUNK));
            tail.copy(bigger, 0, tailAt, tailAt + len);
            spill = bigger;
          } else if (tail !== spill || tailAt !== 0) {
            tail.copy(spill, 0, tailAt, tailAt + len);
          }
          b.copy(spill, len, HEAD, HEAD + bytesRead);
          into = spill;
          from = 0;
          to = len + bytesRead;
        }
        // The tail has been copied out of the other buffer: read the next chunk into it now.
        cur ^= 1;
        start(bufs[cur]!);
        len = to - from;
        tail = into;
        tailAt = from;
        if (!parser) {
          if (len >= 4) parser = detect(name, from === 0 ? into : into.subarray(from, to), len, counting, warn, summary);
          if (!parser) continue;
        }
        const used = parser.parse(into, from, to, base - from);
        base += used - from;
        len = to - used;
        tailAt = used;
      }
    } finally {
      if (next) await next.catch(() => undefined);
      await fh.close();
    }
    // finish() wants the unparsed bytes at buf[0, len).
    buf = tailAt === 0 ? tail : tail.subarray(tailAt, tailAt + len);
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
      parser = detect(name, buf, len, counting, warn, summary);
      if (!parser) throw new CaptureError(name, 0, 'capture header cut off');
      consume();
    }
    parser.finish(len, base);
  }
}

/** A stream's chunks, gunzipped on the fly when the data starts with the gzip magic. */
async function* chunksOf(s: Readable): AsyncGenerator<Buffer> {
  const it = (s as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value as Buffer;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  const head = first.value as Buffer;
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) yield* Readable.from(all()).pipe(createGunzip());
  else yield* all();
}

async function isGzip(path: string): Promise<boolean> {
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
function detect(name: string, b: Uint8Array, len: number, sink: FrameSink, warn: Warn, summary: CaptureSummary): RecordParser | undefined {
  const magic = u32(b, 0, false);
  if (magic === 0x0a0d0d0a) {
    const p = new PcapngParser(name, sink, warn);
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
  const parser = new PcapParser(name, le, ns, u32(b, 16, le), linktype, sink, warn);
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
