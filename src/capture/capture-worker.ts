// One live capture handle in a process of its own: opens `cap` on one interface with the kernel
// filter, stamps each frame at delivery with the run's shared clock, and writes it to standard
// output (live-filter.ts → FRAME_HEADER) in batches; open/stats/error messages go over IPC.
//
// Why a process per interface: when an interface goes down or disappears, libpcap's socket reports
// an error and cap 0.2's poll callback aborts the whole process (an assert in its binding). Here
// that only ends this worker; the parent marks the interface down and starts a new worker when it
// comes back, and the other interfaces keep running. It also keeps the stamping loop free of the
// parent's work (model, rendering), so timestamps stay close to the kernel's.
//
// Drops: cap does not expose pcap_stats. Where the optional `koffi` FFI loads, the worker reads
// the packet socket's PACKET_STATISTICS (what pcap_stats reports on Linux) with the frames'
// flushes, at most once a second (the kernel only drops while frames arrive, and those wake this
// process anyway), and once more on the way out; new drops reach the parent at once.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { createRequire } from 'node:module';
import { FRAME_HEADER, linkTypeOfCap, type WorkerMessage, type WorkerParams } from './live-filter.js';
import { dropPrivileges } from './privileges.js';

const require = createRequire(import.meta.url);
const BATCH = 1 << 20;
const FLUSH_BYTES = 256 * 1024;
const FLUSH_MS = 10;
const STATS_MS = 1000;
const COALESCE_PPS = 2000;
const COALESCE_MS = 1;

type CapHandle = { open(dev: string, filter: string, bufSize: number, buf: Buffer): string; close(): void; on(ev: 'packet', f: (n: number, trunc: boolean) => void): void };

function send(m: WorkerMessage): void {
  if (process.send) process.send(m);
}

function classify(message: string): WorkerMessage & { type: 'error' } {
  const m = message.toLowerCase();
  const code = /permitted|permission|eperm|eacces/.test(m) ? 'permission' : /no such device|doesn't exist|does not exist/.test(m) ? 'no-device' : /not up|went down/.test(m) ? 'down' : 'other';
  return { type: 'error', code, message };
}

function socketInodes(): Map<string, number> {
  const out = new Map<string, number>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const l = readlinkSync(`/proc/self/fd/${fd}`);
      if (l.startsWith('socket:[')) out.set(l.slice(8, -1), Number(fd));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/** The packet socket fd libpcap opened: a socket fd that is new since `before` and listed in /proc/net/packet. */
function packetSocket(before: Map<string, number>): number | undefined {
  let packet: Set<string>;
  try {
    packet = new Set(readFileSync('/proc/net/packet', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)[8] ?? '').filter(Boolean));
  } catch {
    return undefined;
  }
  for (const [inode, fd] of socketInodes()) if (!before.has(inode) && packet.has(inode)) return fd;
  return undefined;
}

/** getsockopt(fd, SOL_PACKET, PACKET_STATISTICS) through koffi, or undefined when koffi is missing. */
function statsReader(fd: number | undefined): (() => { packets: number; drops: number }) | undefined {
  if (fd === undefined) return undefined;
  try {
    const koffi = require('koffi') as typeof import('koffi');
    const libc = koffi.load('libc.so.6');
    const getsockopt = libc.func('int getsockopt(int, int, int, _Inout_ uint8_t *buf, _Inout_ uint32_t *len)');
    const SOL_PACKET = 263;
    const PACKET_STATISTICS = 6;
    const buf = Buffer.alloc(12);
    const len = [12];
    return () => {
      len[0] = 12;
      buf.fill(0);
      // The kernel resets the counters on every read; tp_packets already includes tp_drops.
      if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, buf, len) !== 0) return { packets: 0, drops: 0 };
      return { packets: buf.readUInt32LE(0), drops: buf.readUInt32LE(4) };
    };
  } catch {
    return undefined;
  }
}

function main(): void {
  const params = JSON.parse(process.argv[2] ?? '{}') as WorkerParams;
  // The run's anchor (wall time at a CLOCK_MONOTONIC instant), moved to this process's
  // performance.now() (the same monotonic clock, as a double in ms): per frame, only float
  // arithmetic and no BigInt allocation.
  const h = process.hrtime.bigint();
  const p0 = performance.now();
  const wallAtP0 = BigInt(params.anchor.wallNs) + (h - BigInt(params.anchor.monoNs));
  const baseSec = Number(wallAtP0 / 1_000_000_000n);
  const baseNs = Number(wallAtP0 % 1_000_000_000n);
  let capMod: { Cap: new () => CapHandle };
  try {
    capMod = require('cap') as { Cap: new () => CapHandle };
  } catch (e) {
    send({ type: 'error', code: 'other', message: `cap: ${(e as Error).message}` });
    process.exit(3);
  }
  const cap = new capMod.Cap();
  const pkt = Buffer.alloc(65535);
  const before = socketInodes();
  let linkName: string;
  try {
    linkName = cap.open(params.iface, params.filter, params.bufferBytes, pkt);
  } catch (e) {
    send(classify((e as Error).message));
    process.exit(3);
  }
  const linktype = linkTypeOfCap(linkName);
  const readStats = statsReader(packetSocket(before));

  if (params.user !== undefined) {
    try {
      dropPrivileges(params.user);
    } catch (e) {
      send({ type: 'error', code: 'other', message: `-Z ${params.user}: ${(e as Error).message}` });
      process.exit(3);
    }
  }

  // Frames go to the parent on fd 3, asynchronously: the parent may pause (garbage collection,
  // analysis) and this process must keep draining the kernel ring meanwhile, whose slots are few
  // (cap asks for a 65535-byte snapshot, so with receive offload each slot is 64 KiB). What the
  // parent has not taken yet waits here, up to params.maxQueued bytes (limit live-queue); beyond
  // that new frames are dropped and counted (the load-shedding rule: drop the newest, count it).
  const sink = new Socket({ fd: 3, readable: false, writable: true });
  sink.on('error', () => process.exit(0)); // the parent is gone
  const out = Buffer.allocUnsafe(BATCH);
  let used = 0;
  let scheduled = false;
  let lastFlush = 0;
  let queueDrops = 0;
  let sentFrames = 0;
  const maxQueued = params.maxQueued;

  // Counters (the kernel's, and what this process sent on or shed), read with the frames' flushes
  // at most once a second and sent when they move (and on the way out): an idle worker wakes up
  // for its frames and nothing else, and neither does the parent (on a VM a wake-up costs more
  // than the work done).
  let received = 0;
  let dropped = 0;
  let lastRead = 0;
  let sent = -1;
  const report = (force: boolean): void => {
    const now = performance.now();
    if (!force && now - lastRead < STATS_MS) return;
    lastRead = now;
    if (readStats) {
      const s = readStats();
      // tp_packets counts what passed the filter; frames this process had to drop are among them.
      received += s.packets;
      dropped += s.drops;
    }
    // Sent whenever a count moved (at most once a second): the parent's account of what was
    // shed needs `sent` even when the worker is ended before its last word. Without kernel
    // counters (no koffi) our own still count.
    const all = dropped + queueDrops + sentFrames;
    if (!force && all === sent) return;
    sent = all;
    send({ type: 'stats', received: readStats ? received : null, dropped: readStats ? dropped : null, queueDropped: queueDrops, sent: sentFrames });
  };

  const flush = (): void => {
    scheduled = false;
    lastFlush = performance.now();
    if (used > 0) {
      // A copy of what is used, not a fresh batch buffer: a 1 MiB allocation per flush is a new
      // mapping and page faults each time, which on a quiet wire (a flush per frame) is most of
      // the work.
      sink.write(Buffer.from(out.subarray(0, used)));
      used = 0;
    }
    report(false);
  };
  // A busy wire: cap wakes this process for nearly every frame (it asks libpcap for immediate
  // delivery), and on a VM a wake-up costs more than the frame. Above COALESCE_PPS, each wake-up
  // ends with a nap of COALESCE_MS, so the next one finds a ring full of frames and cap hands them
  // over in one go. Frames that arrive during the nap are stamped up to COALESCE_MS late.
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let wakeArmed = false;
  let rateFrom = 0;
  let rateCount = 0;
  let busy = false;
  const endOfWake = (): void => {
    wakeArmed = false;
    if (busy) Atomics.wait(nap, 0, 0, COALESCE_MS);
  };
  cap.on('packet', (n) => {
    if (sink.writableLength + used > maxQueued) {
      queueDrops++;
      return;
    }
    sentFrames++;
    const now = performance.now();
    rateCount++;
    if (now - rateFrom >= 100) {
      busy = rateCount * (1000 / (now - rateFrom)) > COALESCE_PPS;
      rateFrom = now;
      rateCount = 0;
    }
    if (busy && !wakeArmed) {
      wakeArmed = true;
      setImmediate(endOfWake);
    }
    const ns = baseNs + Math.round((now - p0) * 1e6);
    const carry = Math.floor(ns / 1e9);
    if (used + FRAME_HEADER + n > BATCH) flush();
    out.writeUInt32LE(n, used);
    out.writeUInt16LE(linktype, used + 4);
    out.writeUInt16LE(0, used + 6);
    out.writeUInt32LE(baseSec + carry, used + 8);
    out.writeUInt32LE(ns - carry * 1e9, used + 12);
    pkt.copy(out, used + FRAME_HEADER, 0, n);
    used += FRAME_HEADER + n;
    // Frames arrive one wake-up at a time; writing each at once would cost a system call per
    // frame (and one 'data' event per frame in the parent). They go out at most every FLUSH_MS:
    // at the end of this wake-up when the last write is older than that (a quiet wire: no timer,
    // no second wake-up), else by a timer. The timestamps are already taken; only delivery waits.
    if (used >= FLUSH_BYTES) flush();
    else if (!scheduled) {
      scheduled = true;
      const wait = FLUSH_MS - (now - lastFlush);
      if (wait <= 0) setImmediate(flush);
      else setTimeout(flush, wait);
    }
  });
  send({ type: 'open', linktype, stats: readStats !== undefined });
  const stop = (): void => {
    // Counters first: once cap is closed the socket is gone.
    flush();
    report(true);
    // Frames the kernel took (counted in `received`) but cap never handed over are still in the
    // ring: they go with the handle, so they are counted as shed, not lost in silence.
    if (readStats) {
      const inRing = received - dropped - (sentFrames + queueDrops);
      if (inRing > 0) {
        queueDrops += inRing;
        send({ type: 'stats', received, dropped, queueDropped: queueDrops, sent: sentFrames });
      }
    }
    cap.close();
    // Let the frames and the last counters go out before leaving.
    sink.end(() => setTimeout(() => process.exit(0), 20));
    // The parent reads what is queued for up to 2 s, then ends this process and counts the rest as shed.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => undefined); // Ctrl-C goes to the parent, which stops us in order
  process.on('disconnect', stop);
}

main();
