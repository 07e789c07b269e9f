// The VRRP-dense capture of issue 11: 255 VRIDs on one segment, two keepalived-like routers each,
// VRRPv3 at 10 cs, so 2 550 adverts a second; now and then a failover (the master resigns with
// priority 0, or falls silent past master-down), after which the new master sends a burst of
// gratuitous ARPs for its virtual IP. Deterministic (the same file every time), written through one
// 16 MiB buffer from prebuilt frames, so 6 M adverts take a few seconds.

import { closeSync, openSync, writeSync } from 'node:fs';
import { sum16 as internetSum } from '../src/decode/checksum.js';

export const DENSE_VRIDS = 255;
/** Advert interval, centiseconds. */
const INTERVAL_CS = 10;
const PERIOD_US = INTERVAL_CS * 10_000;
/** A failover on some VRID every this many periods (every 2 s). */
const FAILOVER_EVERY = 20;
/** After a crash the backup's first advert comes this many periods later (0.4 s > master-down 0.3 s + skew). */
const SILENT_PERIODS = 3;
const GARPS = 5;

export type DenseMeta = { adverts: number; garps: number; failovers: number; frames: number; bytes: number };

const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];

/** The decoder's own RFC 1071 sum (src/decode/checksum.ts), over a plain byte list. */
const sum16 = (b: ArrayLike<number>, acc = 0): number => internetSum(Uint8Array.from(b), 0, b.length, acc);
const cksum = (b: ArrayLike<number>, acc = 0): number => ~sum16(b, acc) & 0xffff;

function pad60(f: number[]): Buffer {
  while (f.length < 60) f.push(0);
  return Buffer.from(f);
}

/** One VRRPv3 advert over IPv4 to 224.0.0.18 from 10.1.VRID.(2|3), VIP 10.1.VRID.1. */
function advert(vrid: number, host: number, prio: number): Buffer {
  const src = [10, 1, vrid, host];
  const dst = [224, 0, 0, 18];
  const m = [0x31, vrid, prio, 1, 0, INTERVAL_CS, 0, 0, 10, 1, vrid, 1];
  const c = cksum(m, sum16([...src, ...dst, 0, 0, 0, m.length, 0, 0, 0, 112]));
  m[6] = c >>> 8;
  m[7] = c & 0xff;
  const ip = [0x45, 0xc0, ...be16(20 + m.length), 0, 0, 0, 0, 255, 112, 0, 0, ...src, ...dst];
  const ic = cksum(ip);
  ip[10] = ic >>> 8;
  ip[11] = ic & 0xff;
  return pad60([0x01, 0x00, 0x5e, 0, 0, 18, ...macOf(vrid, host), 0x08, 0x00, ...ip, ...m]);
}

function macOf(vrid: number, host: number): number[] {
  return [0x52, 0x54, 0x00, vrid, 0, host];
}

/** Gratuitous ARP request for 10.1.VRID.1 from router `host`'s MAC. */
function garp(vrid: number, host: number): Buffer {
  const mac = macOf(vrid, host);
  const vip = [10, 1, vrid, 1];
  return pad60([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...mac, 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1, ...mac, ...vip, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...vip]);
}

/** How the frames are written: Ethernet, or as `tcpdump -i any` writes them (Linux cooked v2). */
export type DenseLink = 'ethernet' | 'sll2';

const LINKTYPE = { ethernet: 1, sll2: 276 } as const;

/**
 * An Ethernet frame as `tcpdump -i any` records it: the 20-byte SLL2 header (protocol, interface
 * index, packet type, source MAC), then the network packet without the Ethernet padding.
 */
function sll2(ether: Buffer, ifindex: number): Buffer {
  const proto = ether.readUInt16BE(12);
  const len = proto === 0x0800 ? ether.readUInt16BE(16) : 28;
  const f = Buffer.alloc(20 + len);
  f.writeUInt16BE(proto, 0);
  f.writeUInt32BE(ifindex, 4);
  f.writeUInt16BE(1, 8); // ARPHRD_ETHER
  f[10] = ether[0] === 0xff ? 1 : ether[0]! & 1 ? 2 : 0; // PACKET_BROADCAST, PACKET_MULTICAST, PACKET_HOST
  f[11] = 6;
  ether.copy(f, 12, 6, 12);
  ether.copy(f, 20, 14, 14 + len);
  return f;
}

/**
 * Writes `adverts` adverts (and the GARPs of their failovers) as a classic pcap to `path` — a file,
 * or a FIFO a reader is waiting on. `progress` hears the count written after every 16 MiB.
 */
export function writeDenseCapture(path: string, adverts: number, progress?: (adverts: number, seconds: number) => void, link: DenseLink = 'ethernet'): DenseMeta {
  let seed = 0x1234567;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  // With -i any, odd VRIDs are seen on interface 3 and even ones on 2 (two segments, as two NICs).
  const on = (v: number, f: Buffer): Buffer => (link === 'sll2' ? sll2(f, 2 + (v & 1)) : f);
  const frames = Array.from({ length: DENSE_VRIDS + 1 }, (_, v) => ({
    normal: [on(v, advert(v, 2, 150)), on(v, advert(v, 3, 100))],
    release: [on(v, advert(v, 2, 0)), on(v, advert(v, 3, 0))],
    garp: [on(v, garp(v, 2)), on(v, garp(v, 3))],
  }));
  const protoAt = link === 'sll2' ? 0 : 12;
  const ipAt = link === 'sll2' ? 20 : 14;
  // Per VRID: which router is the master (0: .2, 1: .3), and until which period it is silent.
  const master = new Array<number>(DENSE_VRIDS + 1).fill(0);
  const silentUntil = new Array<number>(DENSE_VRIDS + 1).fill(-1);
  const garpAt = new Array<number>(DENSE_VRIDS + 1).fill(-1);
  const buf = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(path, 'w');
  let pos = 0;
  let bytes = 0;
  const flush = (): void => {
    for (let off = 0; off < pos; ) off += writeSync(fd, buf, off, pos - off);
    bytes += pos;
    pos = 0;
    progress?.(n, lastSec);
  };
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(LINKTYPE[link], 20);
  header.copy(buf, 0);
  pos = 24;
  const start = 1_717_200_000; // 2024-06-01 00:00:00 UTC
  let n = 0;
  let garps = 0;
  let failovers = 0;
  let frameCount = 0;
  let ipId = 1;
  let lastSec = 0;
  const put = (us: number, f: Buffer): void => {
    if (pos + 16 + f.length > buf.length) flush();
    lastSec = Math.floor(us / 1e6);
    buf.writeUInt32LE(start + lastSec, pos);
    buf.writeUInt32LE(us % 1e6, pos + 4);
    buf.writeUInt32LE(f.length, pos + 8);
    buf.writeUInt32LE(f.length, pos + 12);
    f.copy(buf, pos + 16);
    // keepalived counts the IPv4 identification up with every advert (and so the header checksum changes).
    if (f[protoAt] === 0x08 && f[protoAt + 1] === 0x00) {
      const ip = pos + 16 + ipAt;
      buf.writeUInt16BE(ipId++ & 0xffff, ip + 4);
      buf.writeUInt16BE(0, ip + 10);
      buf.writeUInt16BE(cksum(buf.subarray(ip, ip + 20)), ip + 10);
    }
    pos += 16 + f.length;
    frameCount++;
  };
  const slot = Math.floor(PERIOD_US / DENSE_VRIDS);
  for (let period = 0; n < adverts; period++) {
    let failing = -1;
    if (period % FAILOVER_EVERY === FAILOVER_EVERY - 1) failing = 1 + (rand() % DENSE_VRIDS);
    for (let v = 1; v <= DENSE_VRIDS && n < adverts; v++) {
      // Each VRID has its slot in the period, with a little jitter that keeps the file in time order.
      const us = period * PERIOD_US + (v - 1) * slot + (rand() % (slot - 20));
      const m = master[v]!;
      if (v === failing && silentUntil[v]! < period) {
        failovers++;
        // Half the failovers are graceful (priority 0, the backup takes over at once), half a crash.
        if (failovers % 2 === 0) {
          put(us, frames[v]!.release[m]!);
          n++;
          master[v] = 1 - m;
          garpAt[v] = period + 1;
        } else {
          silentUntil[v] = period + SILENT_PERIODS;
          master[v] = 1 - m;
          garpAt[v] = period + SILENT_PERIODS + 1;
        }
        continue;
      }
      if (silentUntil[v]! >= period) continue;
      put(us, frames[v]!.normal[m]!);
      n++;
      if (garpAt[v] === period) {
        for (let g = 0; g < GARPS; g++) put(us + 1 + g, frames[v]!.garp[m]!);
        garps += GARPS;
      }
    }
  }
  flush();
  closeSync(fd);
  return { adverts: n, garps, failovers, frames: frameCount, bytes };
}
