// Live capture on several interfaces at once: one `cap` handle per interface, each in a worker
// process (capture-worker.ts, which explains why), so every frame carries its interface name. This
// side reads the workers' frame streams into one reusable Frame, follows each interface's state
// (opening, up, down, gone, failed), re-opens interfaces that come back and, when capturing on
// every interface, picks up interfaces that appear. Knows nothing of the model or the views.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Direction, Frame, TsMode } from './frame.js';
import { limit } from '../util/limits.js';
import { DEFAULT_BUFFER_BYTES, FRAME_HEADER, LIVE_FILTER, type ClockAnchor, type WorkerMessage, type WorkerParams } from './live-filter.js';

const WORKER = fileURLToPath(new URL('./capture-worker.js', import.meta.url));
const SYS_NET = '/sys/class/net';
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
/** A worker that failed for another reason than the interface going away is retried this much later. */
const RETRY_MS = 5000;
/** How long the first open of every interface may take before start() gives up waiting. */
const OPEN_TIMEOUT_MS = 10_000;
/** One read from a worker's channel at most (a pipe holds 64 KiB; the rest waits in the worker). */
const READ_BYTES = 1 << 20;
/** A drain that found this much means a busy wire: drain again after BUSY_MS, not at the next beat. */
const BUSY_BYTES = 4096;
const BUSY_MS = 10;
/** A drain reads for at most this long before the event loop gets a turn (a pipe holds only 64 KiB a read). */
const DRAIN_BUDGET_MS = 40;

export type LiveState = 'opening' | 'up' | 'down' | 'gone' | 'failed';

export type LiveInterface = {
  readonly name: string;
  state: LiveState;
  /** Frames this interface delivered. */
  frames: number;
  /** Frames that passed the kernel filter and frames the kernel dropped (ring full), when known. */
  received: number | undefined;
  dropped: number | undefined;
  /**
   * Frames vrrpscope itself let go: the interface's queue to the analysis was full (limit
   * live-queue: the newest frames are dropped while it is), or they were still queued when the
   * capture stopped. Every frame the kernel delivered is in `frames` or here.
   */
  shed: number;
  linktype: number | undefined;
  /** Why it is not up (libpcap's words). */
  message: string | undefined;
  /** Times the handle was (re-)opened. */
  opens: number;
};

export type HostInterface = { readonly name: string; readonly up: boolean; readonly loopback: boolean };

export type LiveCaptureOptions = {
  /** Interface names, or 'all': every interface that is up and not loopback, now and later. */
  readonly interfaces: readonly string[] | 'all';
  readonly anchor: ClockAnchor;
  readonly filter?: string;
  readonly bufferBytes?: number;
  /** -Z: workers drop root to this user once their handle is open. */
  readonly user?: string;
  /** Bytes of frames a worker may queue for this side (default: limit live-queue). */
  readonly maxQueued?: number;
  /** Every frame; `f` is reused (valid only during the call; f.timestampNs() is its time). */
  readonly onFrame: (f: Frame, ifName: string) => void;
  /** An interface changed state. */
  readonly onState?: (i: LiveInterface) => void;
};

/** The host's interfaces as the kernel lists them. */
export function hostInterfaces(): HostInterface[] {
  let names: string[];
  try {
    names = readdirSync(SYS_NET);
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const flags = readFlags(name) ?? 0;
    return { name, up: (flags & IFF_UP) !== 0, loopback: (flags & IFF_LOOPBACK) !== 0 };
  });
}

function readFlags(name: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(`${SYS_NET}/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return undefined;
  }
}

type Local = { mac: Buffer | undefined; v4: Set<number>; v6: Set<string> };

type Slot = {
  readonly info: LiveInterface;
  child: ChildProcess | undefined;
  retryAt: number;
  stopping: boolean;
  local: Local;
  /** Partial record carried over to the next chunk. */
  rest: Buffer | undefined;
  /** Read end of the worker's frame channel (a FIFO read when drained), or undefined. */
  fd: number | undefined;
  /** Stats of earlier workers on this interface (counters restart with each worker). */
  baseReceived: number;
  baseDropped: number;
  /** Frames read from the current worker, and what its last counters said (sent to us, shed by it). */
  workerFrames: number;
  workerSent: number;
  workerShed: number;
  baseShed: number;
};

export class LiveCapture {
  private readonly slots = new Map<string, Slot>();
  private readonly frame = new Frame();
  private stopped = false;
  private frameNumber = 0;
  private readonly readBuf = Buffer.allocUnsafe(READ_BYTES);
  private busyTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: LiveCaptureOptions) {
    this.frame.tsMode = TsMode.secFrac;
    this.frame.tsScale = 1;
  }

  /** Opens every selected interface; resolves once each is up, or known not to be (at most OPEN_TIMEOUT_MS). */
  async start(): Promise<void> {
    const names = this.opts.interfaces === 'all' ? hostInterfaces().filter((i) => i.up && !i.loopback).map((i) => i.name) : this.opts.interfaces;
    for (const n of names) this.add(n);
    const deadline = Date.now() + OPEN_TIMEOUT_MS;
    while ([...this.slots.values()].some((s) => s.info.state === 'opening') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  get interfaces(): readonly LiveInterface[] {
    return [...this.slots.values()].map((s) => s.info);
  }

  /** Drops over all interfaces, the kernel's and vrrpscope's (undefined when no interface can tell and none were shed). */
  get dropped(): number | undefined {
    let known = false;
    let n = 0;
    for (const s of this.slots.values()) {
      n += s.info.shed;
      if (s.info.dropped === undefined) continue;
      known = true;
      n += s.info.dropped;
    }
    return known || n > 0 ? n : undefined;
  }

  /** Stops every worker (each sends its final counters first). */
  async stop(): Promise<void> {
    this.stopped = true;
    // Workers write their last frames on the way out: keep reading while they go.
    const draining = setInterval(() => this.drain(), BUSY_MS);
    const exits: Promise<void>[] = [];
    for (const s of this.slots.values()) {
      const c = s.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) continue;
      s.stopping = true;
      exits.push(
        new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            c.kill('SIGKILL');
            resolve();
          }, 2000);
          // 'close', not 'exit': the worker's last counters and frames are in by then.
          c.once('close', () => {
            clearTimeout(t);
            resolve();
          });
          c.kill('SIGTERM');
        }),
      );
    }
    await Promise.all(exits);
    clearInterval(draining);
    if (this.busyTimer) clearTimeout(this.busyTimer);
    for (const s of this.slots.values()) this.closeChannel(s);
    // Frames in stream channels (the fallback) were read before 'exit'; give their ends a turn.
    await new Promise((r) => setImmediate(r));
  }

  /**
   * Reads what the workers wrote. The owner calls it on every clock tick; while the wire is busy it
   * calls itself every BUSY_MS. Frames do not wake this process one by one: on a quiet wire they
   * wait in the channel for the next tick (their timestamps were taken in the worker).
   */
  drain(): void {
    let busy = false;
    for (const slot of this.slots.values()) if (slot.fd !== undefined && this.readChannel(slot) >= BUSY_BYTES) busy = true;
    if (busy && this.busyTimer === undefined)
      this.busyTimer = setTimeout(() => {
        this.busyTimer = undefined;
        this.drain();
      }, BUSY_MS);
  }

  /**
   * Reads a slot's channel until it is empty, or until `budgetMs` of work is spent (the event loop
   * gets its turn; the owner drains again soon); returns the bytes read. At end of file, closes it.
   */
  private readChannel(slot: Slot, budgetMs = DRAIN_BUDGET_MS): number {
    let total = 0;
    const t0 = performance.now();
    while (slot.fd !== undefined) {
      let n: number;
      // An empty channel is the usual case and readSync says so with an exception: without a stack
      // trace it costs a fraction as much.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        n = readSync(slot.fd, this.readBuf, 0, READ_BYTES, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') this.closeChannel(slot);
        break;
      } finally {
        Error.stackTraceLimit = limit;
      }
      if (n === 0) {
        this.closeChannel(slot); // the worker is gone and its last frame read
        break;
      }
      total += n;
      this.chunk(slot, this.readBuf.subarray(0, n));
      if (performance.now() - t0 > budgetMs) break;
    }
    return total;
  }

  private closeChannel(slot: Slot): void {
    if (slot.fd === undefined) return;
    try {
      closeSync(slot.fd);
    } catch {
      // already closed
    }
    slot.fd = undefined;
  }

  private add(name: string): void {
    if (this.slots.has(name)) return;
    const info: LiveInterface = { name, state: 'opening', frames: 0, received: undefined, dropped: undefined, shed: 0, linktype: undefined, message: undefined, opens: 0 };
    const slot: Slot = {
      info,
      child: undefined,
      retryAt: 0,
      stopping: false,
      local: localAddresses(name),
      rest: undefined,
      fd: undefined,
      baseReceived: 0,
      baseDropped: 0,
      workerFrames: 0,
      workerSent: 0,
      workerShed: 0,
      baseShed: 0,
    };
    this.slots.set(name, slot);
    const flags = readFlags(name);
    if (flags === undefined) this.setState(slot, 'gone', 'no such interface');
    else if ((flags & IFF_UP) === 0) this.setState(slot, 'down', 'interface is down');
    else this.spawn(slot);
  }

  private spawn(slot: Slot): void {
    const params: WorkerParams = {
      iface: slot.info.name,
      filter: this.opts.filter ?? LIVE_FILTER,
      bufferBytes: this.opts.bufferBytes ?? DEFAULT_BUFFER_BYTES,
      anchor: { wallNs: String(this.opts.anchor.wallNs), monoNs: String(this.opts.anchor.monoNs) },
      user: this.opts.user,
      maxQueued: this.opts.maxQueued ?? limit('live-queue'),
    };
    slot.local = localAddresses(slot.info.name);
    slot.rest = undefined;
    slot.workerFrames = 0;
    slot.workerSent = 0;
    slot.workerShed = 0;
    slot.stopping = false;
    if (slot.info.state !== 'opening') this.setState(slot, 'opening', undefined);
    // fd 3: frames (FRAME_HEADER records), through a FIFO this side reads when it drains, or a
    // stream pipe where no FIFO can be made; fd 4: IPC messages; stderr: libpcap's complaints.
    this.closeChannel(slot);
    const channel = frameChannel();
    const child = spawn(process.execPath, [WORKER, JSON.stringify(params)], { stdio: ['ignore', 'ignore', 'pipe', channel?.write ?? 'pipe', 'ipc'] });
    if (channel) {
      closeSync(channel.write);
      slot.fd = channel.read;
    } else (child.stdio[3] as Readable).on('data', (chunk: Buffer) => this.chunk(slot, chunk));
    slot.child = child;
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      // cap prints "Warning: …: no IPv4 address assigned - This may not actually work" for
      // interfaces without IPv4; the kernel filter does not need the netmask, so it is noise.
      stderr = (stderr + s).split('\n').filter((l) => !/This may not actually work/.test(l)).join('\n').slice(-2000);
    });
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'open') {
        slot.info.linktype = m.linktype;
        slot.info.opens++;
        if (m.stats) {
          slot.info.received ??= 0;
          slot.info.dropped ??= 0;
        }
        this.setState(slot, 'up', undefined);
      } else if (m.type === 'stats') {
        if (m.received !== null) slot.info.received = slot.baseReceived + m.received;
        if (m.dropped !== null) slot.info.dropped = slot.baseDropped + m.dropped;
        slot.workerSent = m.sent;
        slot.workerShed = m.queueDropped;
        slot.info.shed = slot.baseShed + m.queueDropped;
      } else if (m.type === 'error') {
        slot.info.message = m.message;
        if (m.code === 'permission') slot.retryAt = Number.POSITIVE_INFINITY;
      }
    });
    child.on('error', (e) => {
      slot.info.message = e.message;
    });
    // Counted once every frame and message of the worker is in ('close' follows its streams and IPC).
    child.once('close', () => this.settle(slot));
    child.on('exit', (code, signal) => {
      // Its last frames are in the channel: read them (to the end of file) before anything else.
      if (slot.fd !== undefined && slot.fd === channel?.read) this.readChannel(slot, Number.POSITIVE_INFINITY);
      if (slot.child === child) slot.child = undefined;
      if (this.stopped || slot.stopping) return;
      const flags = readFlags(slot.info.name);
      if (flags === undefined) return this.setState(slot, 'gone', 'interface disappeared');
      if ((flags & IFF_UP) === 0) return this.setState(slot, 'down', 'interface went down');
      if (slot.retryAt !== Number.POSITIVE_INFINITY) slot.retryAt = Date.now() + RETRY_MS;
      const why = slot.info.message ?? (stderr.trim() || (signal ? `capture stopped (${signal})` : `capture stopped (exit ${code})`));
      this.setState(slot, 'failed', why);
    });
  }

  /**
   * Notices interfaces that went down, came back or (capturing on all) appeared; the owner calls it
   * about once a second from its own clock tick, so an idle capture wakes up once, not twice.
   */
  poll(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const slot of this.slots.values()) {
      const st = slot.info.state;
      if (st === 'up' || st === 'opening') continue;
      const flags = readFlags(slot.info.name);
      if (flags === undefined) {
        if (st !== 'gone') this.setState(slot, 'gone', 'interface disappeared');
        continue;
      }
      if ((flags & IFF_UP) === 0) {
        if (st !== 'down') this.setState(slot, 'down', 'interface is down');
        continue;
      }
      if (st === 'failed' && now < slot.retryAt) continue;
      this.spawn(slot);
    }
    if (this.opts.interfaces === 'all') for (const i of hostInterfaces()) if (i.up && !i.loopback && !this.slots.has(i.name)) this.add(i.name);
  }

  /**
   * A worker ended: what it sent and this side never read (still queued when it was stopped, or
   * lost with it) is counted as shed, and its counters become the base for the next worker.
   */
  private settle(slot: Slot): void {
    const unread = Math.max(0, slot.workerSent - slot.workerFrames);
    slot.baseShed += slot.workerShed + unread;
    slot.info.shed = slot.baseShed;
    slot.workerSent = slot.workerFrames = slot.workerShed = 0;
    slot.baseReceived = slot.info.received ?? 0;
    slot.baseDropped = slot.info.dropped ?? 0;
  }

  private setState(slot: Slot, state: LiveState, message: string | undefined): void {
    slot.info.state = state;
    slot.info.message = message;
    this.opts.onState?.(slot.info);
  }

  /** Splits a worker's byte stream into frames. */
  private chunk(slot: Slot, chunk: Buffer): void {
    let b = chunk;
    if (slot.rest) {
      b = Buffer.concat([slot.rest, chunk]);
      slot.rest = undefined;
    }
    const f = this.frame;
    const name = slot.info.name;
    let at = 0;
    while (b.length - at >= FRAME_HEADER) {
      const caplen = b.readUInt32LE(at);
      if (b.length - at < FRAME_HEADER + caplen) break;
      f.buf = b;
      f.offset = at + FRAME_HEADER;
      f.caplen = caplen;
      f.origlen = caplen;
      f.linktype = b.readUInt16LE(at + 4);
      f.tsA = b.readUInt32LE(at + 8);
      f.tsB = b.readUInt32LE(at + 12);
      f.ifName = name;
      f.ifIndex = -1;
      f.number = ++this.frameNumber;
      f.fileOffset = 0;
      f.direction = direction(b, f.offset, caplen, f.linktype, slot.local);
      slot.info.frames++;
      slot.workerFrames++;
      this.opts.onFrame(f, name);
      at += FRAME_HEADER + caplen;
    }
    if (at < b.length) slot.rest = Buffer.from(b.subarray(at));
  }
}

/**
 * A FIFO for one worker's frames, both ends open and its name already gone: the worker inherits the
 * write end, this process reads the other without the event loop watching it. Node has no pipe()
 * of its own, so mkfifo(1) makes it; undefined when that fails (the caller then uses a stream).
 */
function frameChannel(): { read: number; write: number } | undefined {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), 'vrrpscope-'));
    const path = join(dir, 'frames');
    if (spawnSync('mkfifo', ['-m', '600', path], { stdio: 'ignore' }).status !== 0) return undefined;
    // Non-blocking: opening the read end does not wait for a writer, and reads never block.
    const read = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      return { read, write: openSync(path, constants.O_WRONLY | constants.O_NONBLOCK) };
    } catch (e) {
      closeSync(read);
      throw e;
    }
  } catch {
    return undefined;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** This host's link-layer and IP addresses on `name`, to tell frames it sent (direction out). */
function localAddresses(name: string): Local {
  let mac: Buffer | undefined;
  try {
    const s = readFileSync(`${SYS_NET}/${name}/address`, 'utf8').trim();
    if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(s)) mac = Buffer.from(s.replace(/:/g, ''), 'hex');
  } catch {
    // gone
  }
  const v4 = new Set<number>();
  const v6 = new Set<string>();
  for (const a of networkInterfaces()[name] ?? []) {
    if (a.family === 'IPv4') v4.add(a.address.split('.').reduce((n, o) => n * 256 + Number(o), 0));
    else v6.add(a.address.split('%')[0]!);
  }
  return { mac, v4, v6 };
}

/**
 * A frame is outgoing when it carries this interface's MAC as source, or (keepalived with
 * use_vmac sends from the virtual MAC) an IPv4 source address of this interface. Untagged Ethernet
 * only; anything else stays unknown.
 */
function direction(b: Buffer, at: number, len: number, linktype: number, local: Local): Direction {
  if (linktype !== 1 || len < 14) return Direction.unknown;
  const mac = local.mac;
  if (mac && b[at + 6] === mac[0] && b[at + 7] === mac[1] && b[at + 8] === mac[2] && b[at + 9] === mac[3] && b[at + 10] === mac[4] && b[at + 11] === mac[5]) return Direction.out;
  if (len >= 34 && b[at + 12] === 0x08 && b[at + 13] === 0x00 && local.v4.size > 0 && local.v4.has(b.readUInt32BE(at + 26))) return Direction.out;
  return Direction.in;
}

export function interfaceExists(name: string): boolean {
  return existsSync(`${SYS_NET}/${name}`);
}
