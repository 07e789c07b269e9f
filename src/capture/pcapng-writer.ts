// `-w FILE`: what live capture saw, as pcapng (little-endian): one section header, one interface
// description block per interface (if_name, nanosecond if_tsresol) added when the interface first
// delivers, enhanced packet blocks with epb_flags (direction), and interface statistics blocks
// (start/end time, frames received and dropped) when the capture ends. Blocks are batched and
// written every FLUSH_MS, so a crash loses at most that much; tcpdump, tshark and `vrrpscope -r`
// read the file (also one cut short by a crash, up to its last complete block).

import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { Direction, type Frame } from './frame.js';

const FLUSH_MS = 500;
const FLUSH_BYTES = 1 << 20;

export type InterfaceStats = { readonly received: number | undefined; readonly dropped: number | undefined; readonly shed?: number; readonly linktype?: number | undefined };

/** Why -w cannot write, as one line (the caller adds the path). */
export class RecordingError extends Error {}

/**
 * Opens `path` for a new recording, safely as root in a directory others can write: never through
 * a symlink (O_NOFOLLOW), never over an existing file unless `overwrite` (O_EXCL), and then only a
 * regular file; created 0600 (the capture may hold anything on the wire).
 */
export function openRecording(path: string, overwrite: boolean): number {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_CREAT | O_NOFOLLOW | (overwrite ? 0 : O_EXCL), 0o600);
  } catch (e) {
    throw new RecordingError(openProblem(e as NodeJS.ErrnoException));
  }
  if (overwrite) {
    try {
      if (!fstatSync(fd).isFile()) throw new RecordingError('is not a regular file; -w writes only regular files');
      ftruncateSync(fd, 0);
      fchmodSync(fd, 0o600);
    } catch (e) {
      closeSync(fd);
      throw e instanceof RecordingError ? e : new RecordingError(openProblem(e as NodeJS.ErrnoException));
    }
  }
  return fd;
}

function openProblem(e: NodeJS.ErrnoException): string {
  const uid = process.getuid?.();
  const who = uid === undefined || uid === 0 ? '' : ` (writing as uid ${uid})`;
  switch (e.code) {
    case 'EEXIST':
      return 'already exists; vrrpscope does not overwrite a file unless --overwrite is given';
    case 'ELOOP':
      return 'is a symbolic link; vrrpscope never writes through one (name the file itself)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied${who}`;
    case 'ENOENT':
      return 'its directory does not exist';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `${e.code ?? 'error'}: ${e.message.replace(/^[A-Z]+: /, '')}`;
  }
}

export class PcapngWriter {
  private readonly fd: number;
  private readonly ids = new Map<string, number>();
  private readonly firstTs = new Map<number, bigint>();
  private chunks: Buffer[] = [];
  private pending = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private failed = false;
  /** Told once when writing fails (the capture goes on without the recording). */
  onError: ((message: string) => void) | undefined;
  /** Frames written. */
  frames = 0;

  constructor(
    readonly path: string,
    application: string,
    overwrite = false,
  ) {
    this.fd = openRecording(path, overwrite);
    this.push(block(0x0a0d0d0a, Buffer.concat([bom(), options([[4, Buffer.from(application)]])])));
    this.flush();
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Appends one frame (ns timestamp) as an enhanced packet block on its interface. */
  write(f: Frame, ifName: string, ts: bigint): void {
    if (this.closed || this.failed) return;
    const id = this.interfaceId(ifName, f.linktype);
    if (!this.firstTs.has(id)) this.firstTs.set(id, ts);
    const data = f.buf.subarray(f.offset, f.offset + f.caplen);
    const pad = (4 - (data.length % 4)) % 4;
    const flags = f.direction === Direction.in ? 1 : f.direction === Direction.out ? 2 : 0;
    const optLen = flags ? 12 : 0; // epb_flags (4 + 4) + opt_endofopt (4)
    const total = 28 + data.length + pad + optLen + 4;
    const b = Buffer.alloc(total);
    b.writeUInt32LE(6, 0);
    b.writeUInt32LE(total, 4);
    b.writeUInt32LE(id, 8);
    b.writeUInt32LE(Number(ts >> 32n), 12);
    b.writeUInt32LE(Number(ts & 0xffffffffn), 16);
    b.writeUInt32LE(data.length, 20);
    b.writeUInt32LE(Math.max(f.origlen, data.length), 24);
    b.set(data, 28);
    if (flags) {
      const o = 28 + data.length + pad;
      b.writeUInt16LE(2, o);
      b.writeUInt16LE(4, o + 2);
      b.writeUInt32LE(flags, o + 4);
      // opt_endofopt stays zero
    }
    b.writeUInt32LE(total, total - 4);
    this.frames++;
    this.push(b);
    if (this.pending >= FLUSH_BYTES) this.flush();
  }

  /** Writes what is batched. */
  flush(): void {
    if (this.chunks.length === 0 || this.failed) return;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.pending = 0;
    let off = 0;
    try {
      while (off < all.length) off += writeSync(this.fd, all, off);
    } catch (e) {
      // A full disk or a file system gone read-only: say so once and stop recording, not the capture.
      if (!this.failed) this.onError?.(`${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; recording stopped after ${this.frames} frames`);
      this.failed = true;
    }
  }

  /** Interface statistics blocks (end time, received, dropped), then closes the file. */
  close(end: bigint, stats: ReadonlyMap<string, InterfaceStats>): void {
    if (this.closed) return;
    clearInterval(this.timer);
    // No frame at all: still describe the interfaces, or readers (libpcap) refuse the file.
    if (this.ids.size === 0) for (const [name, s] of stats) this.interfaceId(name, s.linktype ?? 1);
    for (const [key, id] of this.ids) {
      const name = key.slice(0, key.lastIndexOf('|'));
      const s = stats.get(name);
      const opts: [number, Buffer][] = [];
      const start = this.firstTs.get(id);
      if (start !== undefined) opts.push([2, ts64(start)]);
      opts.push([3, ts64(end)]);
      if (s?.received !== undefined) opts.push([4, u64(s.received)]);
      if (s?.dropped !== undefined) opts.push([5, u64(s.dropped)]);
      if (s?.shed !== undefined) opts.push([7, u64(s.shed)]); // isb_osdrop: dropped by the capturing software
      const body = Buffer.alloc(12);
      body.writeUInt32LE(id, 0);
      body.writeUInt32LE(Number(end >> 32n), 4);
      body.writeUInt32LE(Number(end & 0xffffffffn), 8);
      this.push(block(5, Buffer.concat([body, options(opts)])));
    }
    this.flush();
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      // already reported by flush
    }
  }

  /** Describes an interface before its first frame, so a recording cut short still names it. */
  describe(ifName: string, linktype: number): void {
    if (!this.closed && !this.failed) this.interfaceId(ifName, linktype);
  }

  private interfaceId(ifName: string, linktype: number): number {
    const key = `${ifName}|${linktype}`;
    let id = this.ids.get(key);
    if (id !== undefined) return id;
    id = this.ids.size;
    this.ids.set(key, id);
    const head = Buffer.alloc(8);
    head.writeUInt16LE(linktype, 0);
    head.writeUInt32LE(0, 4); // snaplen: no limit
    const tsresol = Buffer.from([9]); // 10^-9 s
    this.push(block(1, Buffer.concat([head, options([[2, Buffer.from(ifName)], [9, tsresol]])])));
    return id;
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.pending += b.length;
  }
}

function bom(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x1a2b3c4d, 0);
  b.writeUInt16LE(1, 4);
  b.writeUInt16LE(0, 6);
  b.writeBigInt64LE(-1n, 8); // section length not given
  return b;
}

function options(list: readonly (readonly [number, Buffer])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [code, value] of list) {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(code, 0);
    h.writeUInt16LE(value.length, 2);
    parts.push(h, value, Buffer.alloc((4 - (value.length % 4)) % 4));
  }
  parts.push(Buffer.alloc(4)); // opt_endofopt
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

function ts64(ns: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(Number(ns >> 32n), 0);
  b.writeUInt32LE(Number(ns & 0xffffffffn), 4);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
