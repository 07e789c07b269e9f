// `npm run bench`: how fast does `vrrpscope -r FILE --packets` read a big capture, next to `cat`,
// `tcpdump` and `tshark` on the same file, in the same run?
//
// 1. Generates (once; cached in bench/out/, `--regen` to redo) synthetic captures of mixed traffic:
//    TCP/UDP over IPv4 and IPv6 of varied sizes, some 802.1Q-tagged, ICMPv6, ARP, and 0.1 % VRRP
//    v2/v3 adverts with valid checksums from four routers:
//      big.pcap     ~1.5 GB, 3,000,000 frames (classic pcap, µs)
//      small.pcap   its first 300,000 frames (~150 MB): for tshark, which is too slow for big.pcap
//      big.pcapng   its first 600,000 frames (~300 MB) as Enhanced Packet Blocks
//    Frames are stamped from prebuilt templates into a 16 MiB buffer, so this takes seconds.
// 2. Times each command with stdout to /dev/null, interleaved round by round (cat, vrrpscope,
//    tcpdump, tshark, ...), and keeps the best of N rounds: the machine is shared and noisy, and
//    the best run is the one least disturbed. Everything reads from the page cache: each file is
//    read once (untimed) right before its group of commands in every round, as the kernel may
//    reclaim cold page-cache pages between rounds.
//    Two floor rows show what any Node.js reader pays: `node -e ''` (starting Node) and
//    dist/bench/floor.js (start Node, read the file as vrrpscope does, walk the record headers).
// 3. Prints frames/s, MB/s (1 MB = 10^6 bytes), the ratios and vrrpscope's peak RSS per file (from
//    /usr/bin/time), and writes the same as JSON to bench/out/last-run.json.
//
// 4. The VRRP-dense case (bench/dense-bench.ts, issue 11): captures of nothing but adverts, 255 VRIDs,
//    0.5 M / 2 M / 6 M adverts, through --report and --json next to tcpdump and tshark.
//
// Options: --regen  --no-tshark  --rounds N (default 3)  --quick (big.pcap only: cat, vrrpscope, floors)
//          --dense (only the dense case; also VRRPSCOPE_BENCH=dense)  --no-dense  --dense-rounds N (default 1)
//          --day [--hours N] (only the day-long replay through a FIFO, bench/day-replay.ts; default 24 h)

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { advertCapture } from '../tests/helpers/hostile-captures.js';
import { runDay } from './day-replay.js';
import { runDense } from './dense-bench.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'bin', 'vrrpscope');
// bin/vrrpscope is started as a user starts it (its launcher execs `node`): the node running this.
process.env['PATH'] = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
const FLOOR = fileURLToPath(new URL('./floor.js', import.meta.url));
/** Bump when the generated traffic changes, so cached files are rebuilt. */
const GEN_VERSION = 4;
const BIG_FRAMES = 3_000_000;
const SMALL_FRAMES = 300_000;
const NG_FRAMES = 600_000;
const VRRP_EVERY = 1000; // 0.1 %
const ARP_EVERY = 500; // 0.2 %

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(name);
const ROUNDS = (() => {
  const i = argv.indexOf('--rounds');
  const n = i >= 0 ? Number(argv[i + 1]) : 3;
  return Number.isInteger(n) && n > 0 ? n : 3;
})();
const QUICK = flag('--quick');
const DENSE_ONLY = flag('--dense') || process.env['VRRPSCOPE_BENCH'] === 'dense';
const DENSE = !flag('--no-dense') && !QUICK;
const DENSE_ROUNDS = (() => {
  const i = argv.indexOf('--dense-rounds');
  const n = i >= 0 ? Number(argv[i + 1]) : 1;
  return Number.isInteger(n) && n > 0 ? n : 1;
})();
const TSHARK = !flag('--no-tshark') && !QUICK && hasCommand('tshark');
const TCPDUMP = !QUICK && hasCommand('tcpdump');

// ---------------------------------------------------------------------------------------------
// Traffic generation

/** xorshift32: deterministic, so every generated file is the same. */
let seed = 0x2545f491;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}

function bytes(...parts: (Uint8Array | number[])[]): Uint8Array {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ip4 = (s: string): number[] => s.split('.').map(Number);
function ip6(s: string): number[] {
  const [head = '', tail = ''] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => be16(parseInt(g, 16)));
}
const macb = (s: string): number[] => s.split(':').map((x) => parseInt(x, 16));
function noise(n: number): number[] {
  return Array.from({ length: n }, () => rand() & 0xff);
}

function sum16(b: ArrayLike<number>, acc = 0): number {
  let s = acc;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) s += b[b.length - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const cksum = (b: ArrayLike<number>, acc = 0): number => ~sum16(b, acc) & 0xffff;

function ether(dst: string, src: string, type: number, payload: Uint8Array | number[], vlan?: number): Uint8Array {
  const tag = vlan === undefined ? [] : [0x81, 0x00, ...be16(vlan)];
  const f = bytes(macb(dst), macb(src), tag, be16(type), payload);
  return f.length >= 60 ? f : bytes(f, new Array<number>(60 - f.length).fill(0)); // Ethernet pads to 60
}

function ipv4(src: string, dst: string, proto: number, ttl: number, payload: Uint8Array | number[]): Uint8Array {
  const h = [0x45, 0, ...be16(20 + payload.length), ...be16(rand() & 0xffff), 0x40, 0, ttl, proto, 0, 0, ...ip4(src), ...ip4(dst)];
  const c = cksum(h);
  h[10] = c >>> 8;
  h[11] = c & 0xff;
  return bytes(h, payload);
}

function ipv6(src: string, dst: string, nh: number, hlim: number, payload: Uint8Array | number[]): Uint8Array {
  return bytes([0x60, 0, 0, 0, ...be16(payload.length), nh, hlim, ...ip6(src), ...ip6(dst)], payload);
}

// Ports no dissector claims (no TLS, DNS or QUIC): random bytes on 443 or 53 send tshark into
// reassembly and retries that real traffic would not cause. TCP is stamped per frame as real
// connections: each flow's data segments advance its sequence number and its pure ACKs acknowledge
// all of it (tshark's TCP analysis slows down quadratically on segments that are never acked).
/** TCP with the timestamp option (32-byte header) and `n` bytes of data; seq/ack stamped later, checksums unchecked. */
const tcp = (n: number, sport: number, dport: number): number[] => [...be16(sport), ...be16(dport), 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x10, ...be16(501), 0, 0, 0, 0, 1, 1, 8, 10, ...be32(rand()), ...be32(rand()), ...noise(n)];
const udp = (n: number, sport: number, dport: number): number[] => [...be16(sport), ...be16(dport), ...be16(8 + n), 0, 0, ...noise(n)];

/** One TCP connection: `seq` is the next sequence number of its data direction. */
type Flow = { seq: number; readonly peerSeq: number };

type Template = {
  readonly frame: Uint8Array;
  readonly weight: number;
  /** Offset of the TCP header in the frame, -1 when not TCP. */
  readonly tcpAt: number;
  readonly flow: Flow | undefined;
  /** Bytes of TCP data, by which a data segment advances its flow. */
  readonly dataLen: number;
};

function template(frame: Uint8Array, weight: number, flow?: Flow): Template {
  let o = 12;
  let type = (frame[o]! << 8) | frame[o + 1]!;
  if (type === 0x8100) {
    o += 4;
    type = (frame[o]! << 8) | frame[o + 1]!;
  }
  const ip = o + 2;
  let tcpAt = -1;
  let dataLen = 0;
  if (type === 0x0800 && frame[ip + 9] === 6) {
    tcpAt = ip + 20;
    dataLen = ((frame[ip + 2]! << 8) | frame[ip + 3]!) - 20 - 32;
  } else if (type === 0x86dd && frame[ip + 6] === 6) {
    tcpAt = ip + 40;
    dataLen = ((frame[ip + 4]! << 8) | frame[ip + 5]!) - 32;
  }
  return { frame, weight, tcpAt, flow: tcpAt < 0 ? undefined : flow, dataLen };
}

/** Writes seq/ack of a TCP template's frame copied to b[at...] and advances its flow. */
function stampTcp(t: Template, b: Buffer, at: number): void {
  const f = t.flow!;
  const data = t.dataLen > 0;
  b.writeUInt32BE(data ? f.seq : f.peerSeq, at + t.tcpAt + 4);
  b.writeUInt32BE(data ? f.peerSeq : f.seq, at + t.tcpAt + 8);
}

/** The bulk of the traffic; weights chosen for ~500 bytes per record on average. */
function bulkTemplates(): Template[] {
  const gw = '52:54:00:12:34:56';
  const host = (i: number): string => `52:54:00:aa:00:${(i & 0xff).toString(16).padStart(2, '0')}`;
  const t: Template[] = [];
  const add = (weight: number, frame: Uint8Array, flow?: Flow): void => void t.push(template(frame, weight, flow));
  const flow = (): Flow => ({ seq: rand(), peerSeq: rand() });
  const SRV = 33000;
  for (let i = 0; i < 4; i++) {
    const c = `10.0.0.${20 + i}`;
    const s = `192.0.2.${10 + i}`;
    const f4 = flow();
    add(12.5, ether(gw, host(i), 0x0800, ipv4(c, s, 6, 64, tcp(0, 40000 + i, SRV))), f4); // ACK, 66 bytes
    add(4.5, ether(host(i), gw, 0x0800, ipv4(s, c, 6, 57, tcp(1448, SRV, 40000 + i))), f4); // full segment, 1514
    add(2, ether(host(i), gw, 0x0800, ipv4(s, c, 6, 57, tcp(100 + 150 * i, SRV, 40000 + i))), f4); // medium
    add(2, ether(gw, host(i), 0x0800, ipv4(c, s, 17, 64, udp(30 + 20 * i, 41000 + i, SRV + 1)))); // small UDP
    add(1, ether(host(i), gw, 0x0800, ipv4(s, c, 17, 57, udp(1200 + 40 * i, SRV + 1, 41000 + i)))); // big UDP (video-ish)
    const c6 = `2001:db8:1::${(0x20 + i).toString(16)}`;
    const s6 = `2001:db8:ffff::${(0x10 + i).toString(16)}`;
    const f6 = flow();
    add(2, ether(gw, host(i), 0x86dd, ipv6(c6, s6, 6, 64, tcp(0, 42000 + i, SRV))), f6); // IPv6 ACK, 86
    add(1.5, ether(host(i), gw, 0x86dd, ipv6(s6, c6, 6, 57, tcp(1428, SRV, 42000 + i))), f6); // IPv6 full, 1514
    add(0.8, ether(gw, host(i), 0x86dd, ipv6(c6, s6, 17, 64, udp(120 + 60 * i, 43000 + i, SRV + 1))));
    const fv = flow();
    add(2, ether(gw, host(i), 0x0800, ipv4(c, s, 6, 64, tcp(0, 44000 + i, SRV)), 100 + i), fv); // VLAN-tagged ACK
    add(1.2, ether(host(i), gw, 0x0800, ipv4(s, c, 6, 57, tcp(1444, SRV, 44000 + i)), 100 + i), fv); // VLAN-tagged, 1518
    add(0.5, ether(host(i), gw, 0x0800, ipv4(s, c, 6, 57, tcp(300 + 100 * i, SRV, 44000 + i)), 100 + i), fv);
    add(0.3, ether(gw, host(i), 0x86dd, ipv6(c6, s6, 6, 64, tcp(0, 45000 + i, SRV)), 200 + i), flow()); // VLAN-tagged IPv6 ACK
    // ICMPv6 that is not a neighbour advert (echo request): must be looked at and dropped
    add(0.2, ether(gw, host(i), 0x86dd, ipv6(c6, s6, 58, 64, [128, 0, 0, 0, ...be16(i), ...be16(1), ...noise(56)])));
  }
  return t;
}

/** Four routers' adverts: v2 without and with simple auth, v3 over IPv4 on a VLAN, v3 over IPv6. */
function vrrpTemplates(): Uint8Array[] {
  const v2 = (vrid: number, prio: number, authType: number, auth: string, vips: string[]): number[] => {
    const m = [0x21, vrid, prio, vips.length, authType, 1, 0, 0, ...vips.flatMap(ip4), ...Array.from({ length: 8 }, (_, i) => auth.charCodeAt(i) || 0)];
    const c = cksum(m);
    m[6] = c >>> 8;
    m[7] = c & 0xff;
    return m;
  };
  // The pseudo-header (RFC 5798 §5.2.8) is the same sum for both families, only the address length differs.
  const v3 = (src: number[], dst: number[], vrid: number, prio: number, vips: number[][]): number[] => {
    const m = [0x31, vrid, prio, vips.length, 0, 100, 0, 0, ...vips.flat()];
    const pseudo = sum16([...src, ...dst, ...be32(m.length), 0, 0, 0, 112]);
    const c = cksum(m, pseudo);
    m[6] = c >>> 8;
    m[7] = c & 0xff;
    return m;
  };
  const vmac = (v: 4 | 6, vrid: number): string => `00:00:5e:00:0${v === 4 ? 1 : 2}:${vrid.toString(16).padStart(2, '0')}`;
  return [
    ether('01:00:5e:00:00:12', vmac(4, 10), 0x0800, ipv4('10.0.0.2', '224.0.0.18', 112, 255, v2(10, 200, 0, '', ['10.0.0.1']))),
    ether('01:00:5e:00:00:12', vmac(4, 20), 0x0800, ipv4('10.0.1.3', '224.0.0.18', 112, 255, v2(20, 150, 1, 'secret', ['10.0.1.1', '10.0.1.100']))),
    ether('01:00:5e:00:00:12', vmac(4, 30), 0x0800, ipv4('10.0.2.2', '224.0.0.18', 112, 255, v3(ip4('10.0.2.2'), ip4('224.0.0.18'), 30, 100, [ip4('10.0.2.1')])), 30),
    ether('33:33:00:00:00:12', vmac(6, 40), 0x86dd, ipv6('fe80::2', 'ff02::12', 112, 255, v3(ip6('fe80::2'), ip6('ff02::12'), 40, 120, [ip6('fe80::1'), ip6('2001:db8:40::1')]))),
  ];
}

/** ARP request, reply and the master's gratuitous ARP for its virtual IP. */
function arpTemplates(): Uint8Array[] {
  const arp = (op: number, sm: string, sip: string, tm: string, tip: string): number[] => [0, 1, 8, 0, 6, 4, 0, op, ...macb(sm), ...ip4(sip), ...macb(tm), ...ip4(tip)];
  const a = '52:54:00:aa:00:14';
  const b = '52:54:00:aa:00:32';
  const v = '00:00:5e:00:01:0a';
  return [
    ether('ff:ff:ff:ff:ff:ff', a, 0x0806, arp(1, a, '10.0.0.20', '00:00:00:00:00:00', '10.0.0.50')),
    ether(a, b, 0x0806, arp(2, b, '10.0.0.50', a, '10.0.0.20')),
    ether('ff:ff:ff:ff:ff:ff', v, 0x0806, arp(1, v, '10.0.0.1', 'ff:ff:ff:ff:ff:ff', '10.0.0.1')),
  ];
}

/** A file written through one 16 MiB buffer. */
class Out {
  readonly buf = Buffer.allocUnsafe(16 << 20);
  pos = 0;
  private readonly fd: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  reserve(n: number): number {
    if (this.pos + n > this.buf.length) this.flush();
    const at = this.pos;
    this.pos += n;
    return at;
  }
  flush(): void {
    for (let off = 0; off < this.pos; ) off += writeSync(this.fd, this.buf, off, this.pos - off);
    this.pos = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** vrrpPlainV4: VRRP over untagged IPv4, all that `tcpdump vrrp` (BPF `ip proto 112`) matches. */
type Meta = { version: number; files: Record<string, { bytes: number; frames: number; vrrp: number; vrrpPlainV4: number; arp: number }> };

function generate(): Meta {
  const t0 = Date.now();
  seed = 0x2545f491;
  const bulk = bulkTemplates();
  const vrrp = vrrpTemplates();
  const arps = arpTemplates();
  // 4096-entry weighted lookup table: a random 12-bit index picks a template.
  const total = bulk.reduce((s, t) => s + t.weight, 0);
  const table: Template[] = [];
  for (const t of bulk) for (let k = Math.round((t.weight / total) * 4096); k > 0 && table.length < 4096; k--) table.push(t);
  while (table.length < 4096) table.push(bulk[0]!);

  const tmp = (n: string): string => join(OUT, n + '.tmp');
  const big = new Out(tmp('big.pcap'));
  const small = new Out(tmp('small.pcap'));
  const ng = new Out(tmp('big.pcapng'));
  const fileHeader = Buffer.alloc(24);
  fileHeader.writeUInt32LE(0xa1b2c3d4, 0);
  fileHeader.writeUInt16LE(2, 4);
  fileHeader.writeUInt16LE(4, 6);
  fileHeader.writeUInt32LE(262144, 16);
  fileHeader.writeUInt32LE(1, 20);
  for (const o of [big, small]) fileHeader.copy(o.buf, o.reserve(24));
  // pcapng: Section Header, then one Interface Description (EN10MB, if_name "eth0", µs resolution).
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeInt32LE(-1, 16);
  shb.writeInt32LE(-1, 20);
  shb.writeUInt32LE(28, 24);
  shb.copy(ng.buf, ng.reserve(28));
  const idb = Buffer.alloc(32);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(32, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(262144, 12);
  idb.writeUInt16LE(2, 16); // if_name
  idb.writeUInt16LE(4, 18);
  idb.write('eth0', 20, 'latin1');
  idb.writeUInt32LE(0, 24); // opt_endofopt
  idb.writeUInt32LE(32, 28);
  idb.copy(ng.buf, ng.reserve(32));

  let sec = 1_717_200_000; // 2024-06-01 00:00:00 UTC
  let usec = 0;
  let nv = 0;
  let na = 0;
  const counts = { big: { vrrp: 0, vrrpPlainV4: 0, arp: 0 }, small: { vrrp: 0, vrrpPlainV4: 0, arp: 0 }, ng: { vrrp: 0, vrrpPlainV4: 0, arp: 0 } };
  for (let i = 0; i < BIG_FRAMES; i++) {
    let frame: Uint8Array;
    let kind = 0; // 1 VRRP, 3 VRRP over untagged IPv4, 2 ARP, 0 the rest
    let tcpT: Template | undefined;
    if (i % VRRP_EVERY === VRRP_EVERY / 2 - 1) {
      kind = nv % vrrp.length < 2 ? 3 : 1; // the first two templates are untagged IPv4
      frame = vrrp[nv++ % vrrp.length]!;
    } else if (i % ARP_EVERY === ARP_EVERY / 2 - 1) {
      frame = arps[na++ % arps.length]!;
      kind = 2;
    } else {
      tcpT = table[rand() & 4095]!;
      frame = tcpT.frame;
      if (tcpT.tcpAt < 0) tcpT = undefined;
    }
    usec += 1 + (rand() & 127); // ~64 µs apart: 3 M frames span ~3 minutes
    if (usec >= 1_000_000) {
      usec -= 1_000_000;
      sec++;
    }
    const n = frame.length;
    const outs = i < SMALL_FRAMES ? [big, small] : [big];
    for (const o of outs) {
      const at = o.reserve(16 + n);
      const b = o.buf;
      b.writeUInt32LE(sec, at);
      b.writeUInt32LE(usec, at + 4);
      b.writeUInt32LE(n, at + 8);
      b.writeUInt32LE(n, at + 12);
      b.set(frame, at + 16);
      if (tcpT) stampTcp(tcpT, b, at + 16);
    }
    if (kind === 1 || kind === 3) {
      const plain = kind === 3 ? 1 : 0;
      for (const [c, n] of [[counts.big, BIG_FRAMES], [counts.small, SMALL_FRAMES], [counts.ng, NG_FRAMES]] as const) {
        if (i < n) {
          c.vrrp++;
          c.vrrpPlainV4 += plain;
        }
      }
    } else if (kind === 2) {
      counts.big.arp++;
      if (i < SMALL_FRAMES) counts.small.arp++;
      if (i < NG_FRAMES) counts.ng.arp++;
    }
    if (i < NG_FRAMES) {
      const padded = (n + 3) & ~3;
      const len = 32 + padded;
      const at = ng.reserve(len);
      const b = ng.buf;
      const units = sec * 1_000_000 + usec;
      b.writeUInt32LE(6, at);
      b.writeUInt32LE(len, at + 4);
      b.writeUInt32LE(0, at + 8);
      b.writeUInt32LE(Math.floor(units / 4294967296), at + 12);
      b.writeUInt32LE(units >>> 0, at + 16);
      b.writeUInt32LE(n, at + 20);
      b.writeUInt32LE(n, at + 24);
      b.set(frame, at + 28);
      if (tcpT) stampTcp(tcpT, b, at + 28);
      b.fill(0, at + 28 + n, at + 28 + padded);
      b.writeUInt32LE(len, at + 28 + padded);
    }
    if (tcpT) tcpT.flow!.seq = (tcpT.flow!.seq + tcpT.dataLen) >>> 0;
  }
  big.close();
  small.close();
  ng.close();
  const meta: Meta = { version: GEN_VERSION, files: {} };
  const record = (name: string, frames: number, c: { vrrp: number; vrrpPlainV4: number; arp: number }): void => {
    renameSync(tmp(name), join(OUT, name));
    meta.files[name] = { bytes: statSync(join(OUT, name)).size, frames, ...c };
  };
  record('big.pcap', BIG_FRAMES, counts.big);
  record('small.pcap', SMALL_FRAMES, counts.small);
  record('big.pcapng', NG_FRAMES, counts.ng);
  writeFileSync(join(OUT, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  log(`generated in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${Object.entries(meta.files).map(([n, f]) => `${n} ${mb(f.bytes)} MB ${f.frames.toLocaleString('en')} frames`).join(', ')}`);
  return meta;
}

function cached(): Meta | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(OUT, 'meta.json'), 'utf8')) as Meta;
    if (meta.version !== GEN_VERSION) return undefined;
    for (const [name, f] of Object.entries(meta.files)) if (statSync(join(OUT, name)).size !== f.bytes) return undefined;
    return meta;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

type Sample = { wall: number; user: number; sys: number; rssKiB: number };
type Job = { key: string; label: string; cmd: string; args: string[]; file: string | undefined };

const devnull = openSync('/dev/null', 'w');
const timeFile = join(OUT, '.time');
const haveTime = existsSync('/usr/bin/time');

function hasCommand(c: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0;
}

/** Runs once with stdout to /dev/null; wall time from here, CPU and peak RSS from /usr/bin/time. */
function measure(job: Job): Sample {
  const [cmd, args] = haveTime ? ['/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, job.cmd, ...job.args]] : [job.cmd, job.args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd as string, args as string[], { stdio: ['ignore', devnull, 'pipe'], maxBuffer: 16 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${job.label} failed (status ${r.status}): ${String(r.stderr).slice(0, 400)}`);
  const [user = NaN, sys = NaN, rss = NaN] = haveTime ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [];
  return { wall, user, sys, rssKiB: rss };
}

function vrrpscope(file: string, key: string): Job {
  return { key, label: `vrrpscope -r ${file} --packets`, cmd: BIN, args: ['-r', join(OUT, file), '--packets'], file };
}

/** Untimed: checks that vrrpscope, tcpdump and tshark all find the VRRP adverts the generator wrote. */
function sanity(meta: Meta): void {
  const f = meta.files['small.pcap']!;
  const out = spawnSync(process.execPath, [BIN, '-r', join(OUT, 'small.pcap'), '--packets'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = out.stdout.split('\n');
  const v = lines.filter((l) => l.includes(': VRRPv')).length;
  const a = lines.filter((l) => / ARP /.test(l)).length;
  const bad = lines.filter((l) => /bad checksum|malformed|checksum unknown/.test(l)).length;
  if (out.status !== 0 || v !== f.vrrp || a !== f.arp || bad !== 0) {
    throw new Error(`sanity: vrrpscope printed ${v} VRRP (want ${f.vrrp}), ${a} ARP (want ${f.arp}), ${bad} bad; status ${out.status} ${out.stderr}`);
  }
  if (TCPDUMP) {
    const t = spawnSync('tcpdump', ['-n', '-r', join(OUT, 'small.pcap'), 'vrrp'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    // `vrrp` is BPF `ip proto 112`: VRRP over IPv6 or inside a VLAN tag does not match.
    const n = t.stdout.split('\n').filter((l) => l.includes('VRRP')).length;
    if (n !== f.vrrpPlainV4) throw new Error(`sanity: tcpdump printed ${n} VRRP lines, want ${f.vrrpPlainV4}`);
  }
  if (TSHARK) {
    // tshark's `vrrp` display filter finds them all, as vrrpscope does.
    const t = spawnSync('tshark', ['-n', '-r', join(OUT, 'small.pcap'), '-Y', 'vrrp'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const n = t.stdout.split('\n').filter((l) => l.includes('VRRP')).length;
    if (n !== f.vrrp) throw new Error(`sanity: tshark printed ${n} VRRP lines, want ${f.vrrp}`);
  }
}

// ---------------------------------------------------------------------------------------------

function log(s: string): void {
  process.stderr.write(s + '\n');
}
const mb = (b: number): string => (b / 1e6).toFixed(0);
const sec = (s: number): string => `${s.toFixed(3)} s`;

function machine(): { cpu: string; nproc: number; memGiB: number; node: string; tcpdump: string; tshark: string } {
  let cpu = cpus()[0]?.model ?? '?';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpu;
  } catch {
    /* not Linux */
  }
  const ver = (c: string, a: string[]): string => (hasCommand(c) ? (spawnSync(c, a, { encoding: 'utf8' }).stdout || '').split('\n')[0]!.trim() : 'not installed');
  return { cpu, nproc: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, tcpdump: ver('tcpdump', ['--version']), tshark: ver('tshark', ['--version']) };
}

function main(): void {
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(join(ROOT, 'dist', 'packed', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  if (flag('--day')) {
    const i = argv.indexOf('--hours');
    const hours = i >= 0 ? Number(argv[i + 1]) : 24;
    void runDay({ out: OUT, bin: BIN, hours: hours > 0 ? hours : 24, log }).then((d) => process.stdout.write(d.lines.join('\n') + '\n'));
    return;
  }
  if (DENSE_ONLY) {
    const d = dense();
    process.stdout.write(d.lines.join('\n') + '\n');
    writeFileSync(join(OUT, 'last-run-dense.json'), JSON.stringify({ date: new Date().toISOString(), machine: machine(), rounds: DENSE_ROUNDS, rows: d.rows, ratios: d.ratios }, null, 2) + '\n');
    return;
  }
  let meta = flag('--regen') ? undefined : cached();
  if (!meta) {
    for (const n of ['big.pcap', 'small.pcap', 'big.pcapng', 'meta.json']) rmSync(join(OUT, n), { force: true });
    log(`generating synthetic captures in ${OUT} ...`);
    meta = generate();
  }
  const m = machine();
  log(`machine: ${m.nproc} x ${m.cpu}, ${m.memGiB} GiB, node ${m.node}; ${m.tcpdump}; ${m.tshark}`);
  sanity(meta);

  const jobs: Job[] = [
    { key: 'cat', label: 'cat big.pcap', cmd: 'cat', args: [join(OUT, 'big.pcap')], file: 'big.pcap' },
    vrrpscope('big.pcap', 'vrrpscope'),
    { key: 'node-start', label: "floor: node -e ''", cmd: process.execPath, args: ['-e', ''], file: undefined },
    { key: 'node-floor', label: 'floor: node floor.js big.pcap', cmd: process.execPath, args: [FLOOR, join(OUT, 'big.pcap')], file: 'big.pcap' },
  ];
  if (TCPDUMP) jobs.push({ key: 'tcpdump', label: 'tcpdump -n -r big.pcap vrrp', cmd: 'tcpdump', args: ['-n', '-r', join(OUT, 'big.pcap'), 'vrrp'], file: 'big.pcap' });
  if (!QUICK) {
    jobs.push(vrrpscope('small.pcap', 'vrrpscope-small'));
    if (TSHARK) jobs.push({ key: 'tshark-small', label: 'tshark -n -r small.pcap -Y vrrp', cmd: 'tshark', args: ['-n', '-r', join(OUT, 'small.pcap'), '-Y', 'vrrp'], file: 'small.pcap' });
    jobs.push({ key: 'cat-ng', label: 'cat big.pcapng', cmd: 'cat', args: [join(OUT, 'big.pcapng')], file: 'big.pcapng' });
    jobs.push(vrrpscope('big.pcapng', 'vrrpscope-ng'));
    if (TCPDUMP) jobs.push({ key: 'tcpdump-ng', label: 'tcpdump -n -r big.pcapng vrrp', cmd: 'tcpdump', args: ['-n', '-r', join(OUT, 'big.pcapng'), 'vrrp'], file: 'big.pcapng' });
  }
  // Rotated captures merged (-r b -r a, b starting where a ends): peak RSS must stay that of one
  // file (a bounded look-ahead per input), not grow with the later file (issue 16).
  const ROT = 500_000;
  for (const [n, start] of [['rot-a.pcap', 1_600_000_000], ['rot-b.pcap', 1_600_000_000 + ROT / 100]] as const) {
    if (!existsSync(join(OUT, n))) writeFileSync(join(OUT, n), advertCapture(ROT, start, 100));
  }
  jobs.push({ key: 'vrrpscope-rot-one', label: 'vrrpscope -r rot-a.pcap --packets', cmd: BIN, args: ['-r', join(OUT, 'rot-a.pcap'), '--packets'], file: undefined });
  jobs.push({ key: 'vrrpscope-rot-merge', label: 'vrrpscope -r rot-b -r rot-a --packets', cmd: BIN, args: ['-r', join(OUT, 'rot-b.pcap'), '-r', join(OUT, 'rot-a.pcap'), '--packets'], file: undefined });
  const samples = new Map<string, Sample[]>(jobs.map((j) => [j.key, []]));
  for (let r = 1; r <= ROUNDS; r++) {
    const parts: string[] = [];
    let warm: string | undefined;
    for (const j of jobs) {
      // Put the file back in the page cache before its group: every command reads from memory.
      if (j.file !== undefined && j.file !== warm) spawnSync('cat', [join(OUT, j.file)], { stdio: ['ignore', devnull, 'ignore'] });
      warm = j.file ?? warm;
      const s = measure(j);
      samples.get(j.key)!.push(s);
      parts.push(`${j.key} ${s.wall.toFixed(2)}`);
    }
    log(`round ${r}/${ROUNDS}: ${parts.join('  ')}`);
  }
  const best = (k: string): Sample | undefined => {
    const all = samples.get(k);
    return all && all.length ? all.reduce((a, b) => (b.wall < a.wall ? b : a)) : undefined;
  };
  const peakRss = (k: string): number => Math.max(...(samples.get(k) ?? []).map((s) => s.rssKiB));

  const fileOf = (k: string): Meta['files'][string] | undefined => {
    const f = jobs.find((j) => j.key === k)!.file;
    return f === undefined ? undefined : meta.files[f];
  };
  const rows: Record<string, unknown>[] = [];
  const lines: string[] = [];
  lines.push('');
  lines.push(`vrrpscope bench: best of ${ROUNDS} interleaved rounds, stdout to /dev/null, files in page cache`);
  for (const [name, f] of Object.entries(meta.files)) lines.push(`  ${name.padEnd(11)} ${mb(f.bytes).padStart(5)} MB  ${f.frames.toLocaleString('en').padStart(9)} frames  (${f.vrrp} VRRP, ${f.vrrpPlainV4} of them untagged IPv4, ${f.arp} ARP)`);
  lines.push('');
  lines.push(`  ${'command'.padEnd(36)} ${'best'.padStart(9)} ${'frames/s'.padStart(11)} ${'MB/s'.padStart(7)} ${'user+sys'.padStart(9)} ${'peak RSS'.padStart(9)}`);
  for (const j of jobs) {
    const s = best(j.key)!;
    const f = fileOf(j.key);
    const fps = f ? f.frames / s.wall : NaN;
    const mbps = f ? f.bytes / 1e6 / s.wall : NaN;
    rows.push({ key: j.key, command: j.label, bestWallS: s.wall, walls: samples.get(j.key)!.map((x) => x.wall), framesPerS: fps, mbPerS: mbps, cpuS: s.user + s.sys, peakRssKiB: peakRss(j.key) });
    const rate = f ? `${(fps / 1e6).toFixed(2).padStart(9)} M ${mbps.toFixed(0).padStart(7)}` : `${'-'.padStart(11)} ${'-'.padStart(7)}`;
    lines.push(`  ${j.label.padEnd(36)} ${sec(s.wall).padStart(9)} ${rate} ${sec(s.user + s.sys).padStart(9)} ${(peakRss(j.key) / 1024).toFixed(0).padStart(6)} MiB`);
  }
  lines.push('');
  const ratios: Record<string, number> = {};
  const ratio = (a: string, b: string, label: string, note = ''): void => {
    const x = best(a);
    const y = best(b);
    if (!x || !y) return;
    ratios[`${a}/${b}`] = x.wall / y.wall;
    lines.push(`  ${label.padEnd(44)} ${(x.wall / y.wall).toFixed(2)}×${note}`);
  };
  lines.push('  ratios (time of vrrpscope ÷ time of the other; < 1 means vrrpscope is faster):');
  ratio('vrrpscope', 'cat', 'big.pcap:   vrrpscope / cat', '   (target ≤ 1.5)');
  ratio('vrrpscope', 'tcpdump', 'big.pcap:   vrrpscope / tcpdump -n vrrp', '   (target ≤ 1.0)');
  ratio('node-start', 'cat', "big.pcap:   node -e '' / cat", '   (Node start-up alone)');
  ratio('node-floor', 'cat', 'big.pcap:   node floor.js / cat', '   (floor for a Node reader)');
  ratio('vrrpscope', 'node-floor', 'big.pcap:   vrrpscope / node floor.js');
  ratio('vrrpscope-small', 'tshark-small', 'small.pcap: vrrpscope / tshark -n -Y vrrp', '   (same 1/10 file, measured)');
  const ts = best('tshark-small');
  const v = best('vrrpscope');
  if (ts && v) {
    const scale = meta.files['big.pcap']!.frames / meta.files['small.pcap']!.frames;
    const est = ts.wall * scale;
    ratios['vrrpscope/tshark-scaled'] = v.wall / est;
    lines.push(`  ${'big.pcap:   vrrpscope / tshark (ESTIMATED)'.padEnd(44)} ${(v.wall / est).toFixed(3)}×   (tshark not run on big.pcap: small.pcap time × ${scale} = ${est.toFixed(1)} s)`);
  }
  ratio('vrrpscope-ng', 'cat-ng', 'big.pcapng: vrrpscope / cat');
  ratio('vrrpscope-ng', 'tcpdump-ng', 'big.pcapng: vrrpscope / tcpdump -n vrrp');
  if (!QUICK) {
    const rs = [peakRss('vrrpscope-small'), peakRss('vrrpscope'), peakRss('vrrpscope-ng')].map((k) => (k / 1024).toFixed(0));
    lines.push('');
    lines.push(`  vrrpscope peak RSS: small.pcap ${rs[0]} MiB, big.pcap ${rs[1]} MiB (10× the frames), big.pcapng ${rs[2]} MiB`);
  }
  const one = peakRss('vrrpscope-rot-one');
  const merged = peakRss('vrrpscope-rot-merge');
  if (one > 0 && merged > 0) {
    ratios['rot-merge-rss/rot-one-rss'] = merged / one;
    lines.push(`  merged rotated pair (2 × ${ROT.toLocaleString('en')} adverts): peak RSS ${(merged / 1024).toFixed(0)} MiB, one file ${(one / 1024).toFixed(0)} MiB (target: about the same)`);
  }
  const d = DENSE ? dense() : undefined;
  if (d) lines.push(...d.lines);
  process.stdout.write(lines.join('\n') + '\n');
  writeFileSync(join(OUT, 'last-run.json'), JSON.stringify({ date: new Date().toISOString(), machine: m, rounds: ROUNDS, files: meta.files, rows, ratios, dense: d && { rounds: DENSE_ROUNDS, rows: d.rows, ratios: d.ratios } }, null, 2) + '\n');
}

function dense(): ReturnType<typeof runDense> {
  return runDense({ out: OUT, bin: BIN, rounds: DENSE_ROUNDS, regen: flag('--regen'), tshark: !flag('--no-tshark'), tcpdump: true, log });
}

try {
  main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
