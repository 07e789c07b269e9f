// Hostile captures for the hardening tests (issue 16) and the bench: each is what an attacker or a
// broken tool could hand vrrpscope, built in memory in a few milliseconds. Big ones are streams of
// chunks, so a test can pipe gigabytes without holding them.

import { gzipSync } from 'node:zlib';
import { PcapngWriter, VRRP2_FRAME, vrrpFrame, withVrrpChecksum } from './capture-writer.js';

/** A classic pcap file header (little-endian, µs). */
export function pcapHeader(snaplen = 65535, linktype = 1): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeUInt32LE(snaplen, 16);
  b.writeUInt32LE(linktype, 20);
  return b;
}

/** One classic pcap record (little-endian). */
export function pcapRecord(sec: number, usec: number, data: Uint8Array, caplen = data.length): Buffer {
  const b = Buffer.alloc(16 + data.length);
  b.writeUInt32LE(sec, 0);
  b.writeUInt32LE(usec, 4);
  b.writeUInt32LE(caplen, 8);
  b.writeUInt32LE(data.length, 12);
  b.set(data, 16);
  return b;
}

/**
 * A pcap of VRRP adverts, `count` frames from `startSec` on, `perSec` a second, VRIDs 1..vrids in
 * turn: what a rotated capture file of a busy segment looks like. Built into one buffer.
 */
export function advertCapture(count: number, startSec: number, perSec = 100, vrids = 8): Buffer {
  const frames = Array.from({ length: vrids }, (_, i) => vrrpFrame(i + 1));
  const rec = 16 + VRRP2_FRAME.length;
  const b = Buffer.alloc(24 + count * rec);
  pcapHeader().copy(b, 0);
  const step = 1_000_000 / perSec;
  for (let i = 0; i < count; i++) {
    const at = 24 + i * rec;
    const us = Math.round(i * step);
    b.writeUInt32LE(startSec + Math.floor(us / 1e6), at);
    b.writeUInt32LE(us % 1e6, at + 4);
    b.writeUInt32LE(VRRP2_FRAME.length, at + 8);
    b.writeUInt32LE(VRRP2_FRAME.length, at + 12);
    b.set(frames[i % vrids]!, at + 16);
  }
  return b;
}

/** The stream: snaplen 0xffffffff, one good record, then a record "of" 3.7 GB and endless data. */
export function hugeSnaplenHead(): Buffer {
  const claim = Buffer.alloc(16);
  claim.writeUInt32LE(1_600_000_001, 0);
  claim.writeUInt32LE(0xdd00_0000, 8);
  claim.writeUInt32LE(0xdd00_0000, 12);
  return Buffer.concat([pcapHeader(0xffff_ffff), pcapRecord(1_600_000_000, 0, VRRP2_FRAME), claim]);
}

/**
 * A gzip bomb: a pcap header and zeros (records of 0 bytes at time 0) as `members` concatenated
 * gzip members of 16 MiB each: ~16 KiB of gzip per 16 MiB, so 256 members are 4 GiB from 4 MB.
 */
export function gzipBomb(members: number): Buffer {
  const zeros = Buffer.alloc(16 * 1024 * 1024);
  const first = gzipSync(Buffer.concat([pcapHeader(), pcapRecord(1_600_000_000, 0, VRRP2_FRAME), zeros]), { level: 9 });
  const rest = gzipSync(zeros, { level: 9 });
  return Buffer.concat([first, ...Array.from({ length: members - 1 }, () => rest)]);
}

/**
 * A pcapng with a good interface (adverts at 2020-09-13) and a second interface whose if_tsoffset
 * (`offsetSec`) puts its packets outside what a date can be; `ts` overrides the second
 * interface's packet times (µs units).
 */
export function badTimePcapng(offsetSec: bigint, ts = 1_600_000_000_000_000n): Buffer {
  const w = new PcapngWriter().section(true).iface({ linktype: 1, name: 'eth0' }).iface({ linktype: 1, name: 'eth1', tsoffset: offsetSec });
  for (let i = 0; i < 5; i++) {
    w.epb(0, 1_600_000_000_000_000n + BigInt(i) * 1_000_000n, VRRP2_FRAME);
    w.epb(1, ts + BigInt(i) * 1_000_000n, vrrpFrame(7));
  }
  return Buffer.from(w.done());
}

/** The 199 KB pcapng: three interfaces named with 64 KiB words, adverts on each. */
export function longNamesPcapng(): Buffer {
  const w = new PcapngWriter().section(true);
  for (let i = 0; i < 3; i++) w.iface({ linktype: 1, name: String.fromCharCode(97 + i).repeat(65_000) });
  for (let i = 0; i < 30; i++) w.epb(i % 3, 1_600_000_000_000_000n + BigInt(i) * 1_000_000n, vrrpFrame(1 + (i % 3)));
  return Buffer.from(w.done());
}

/** A pcapng with `n` interface description blocks and a packet on the last (a flood of tiny IDBs). */
export function manyInterfacesPcapng(n: number): Buffer {
  const shb = Buffer.from(new PcapngWriter().section(true).done());
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(20, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(20, 16);
  const epb = Buffer.from(new PcapngWriter().section(true).epb(n - 1, 1_600_000_000_000_000n, VRRP2_FRAME).done()).subarray(shb.length);
  return Buffer.concat([shb, ...Array.from({ length: n }, () => idb), epb]);
}

/**
 * A flapping VRID: two routers take turns being master, each for 3 adverts then 4 s of silence,
 * `switches` times, on `vrids` VRIDs: lots of transitions (a long --json) and a long --report.
 */
export function flapCapture(switches: number, vrids = 1): Buffer {
  const recs: Buffer[] = [pcapHeader()];
  let t = 1_600_000_000;
  for (let s = 0; s < switches; s++) {
    for (let k = 0; k < 3; k++, t++) {
      for (let v = 1; v <= vrids; v++) {
        const f = Buffer.from(vrrpFrame(v));
        f[29] = 2 + (s % 2); // source 192.0.2.2 / 192.0.2.3
        recs.push(pcapRecord(t, v, f));
      }
    }
    t += 4;
  }
  return Buffer.concat(recs);
}

/**
 * Spoofed adverts (issue 11/16): `vrids` VRIDs × `sources` source addresses in turn, each advert with
 * another priority, `count` frames from `startSec` at `perSec` a second, as a stream of chunks. Every
 * source is a new router and every advert a priority change: what grew memory without a cap.
 */
export function* spoofedFlood(count: number, vrids = 255, sources = 64, perSec = 10_000, startSec = 1_600_000_000): Generator<Buffer> {
  yield pcapHeader();
  const rec = 16 + VRRP2_FRAME.length;
  const per = 4096;
  const step = 1_000_000 / perSec;
  for (let done = 0; done < count; ) {
    const n = Math.min(per, count - done);
    const b = Buffer.alloc(n * rec);
    for (let k = 0; k < n; k++, done++) {
      const at = k * rec;
      const us = Math.round(done * step);
      b.writeUInt32LE(startSec + Math.floor(us / 1e6), at);
      b.writeUInt32LE(us % 1e6, at + 4);
      b.writeUInt32LE(VRRP2_FRAME.length, at + 8);
      b.writeUInt32LE(VRRP2_FRAME.length, at + 12);
      const f = Uint8Array.from(VRRP2_FRAME);
      const vrid = 1 + (done % vrids);
      const src = Math.floor(done / vrids) % sources;
      f[11] = vrid;
      f[35] = vrid;
      f[28] = 1 + (src >> 8);
      f[29] = 1 + (src & 0xff);
      f[36] = 1 + ((done * 7) % 254);
      f[40] = f[41] = 0;
      b.set(withVrrpChecksum(f, 34), at + 16);
    }
    yield b;
  }
}
