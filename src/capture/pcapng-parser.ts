// pcapng (draft-ietf-opsawg-pcapng). Every block has the same frame:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +---------------------------------------------------------------+
//   |                          Block Type                           |
//   |                      Block Total Length                       |
//   /                          Block Body                           /
//   |                      Block Total Length                       |
//   +---------------------------------------------------------------+
//
// Section Header (0x0A0D0D0A) carries the byte-order magic 0x1A2B3C4D and starts a new section with
// its own interfaces. Interface Description (1): link type, snaplen, options if_name (2),
// if_tsresol (9), if_tsoffset (14). Enhanced Packet (6): interface, timestamp high/low, captured and
// original length, data, options epb_flags (2; bits 0-1 = direction). Simple Packet (3): original
// length and data, interface 0, no timestamp. Obsolete Packet (2): like EPB with a 16-bit interface.
// Interface Statistics (5): isb_ifdrop (5) counts drops, isb_endtime (3) says when the capture
// stopped (so silence at the end of a capture is visible). Anything else is skipped.

import { CaptureError } from './capture-error.js';
import { u16, u32 } from './bytes.js';
import { Direction, Frame, TsMode } from './frame.js';
import type { FrameFilter, FrameSink, RecordParser, Warn } from './record-parser.js';
import { SkipGate } from './skip-gate.js';
import { limit, raiseHint } from '../util/limits.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const ISB = 5;
const EPB = 6;
const BOM = 0x1a2b3c4d;
/** Larger blocks are damage rather than data, as for libpcap (MAX_BLOCKSIZE): never buffered. */
export const MAX_BLOCK = 16 * 1024 * 1024;

/** Interface names longer than this (Linux allows 15, Windows' \\Device\\NPF_{GUID} ~50) are cut, ending in "...". */
const MAX_NAME = 256;

function clipName(s: string): string {
  return s.length > MAX_NAME ? `${s.slice(0, MAX_NAME - 3)}...` : s;
}

export type PcapngInterface = {
  readonly linktype: number;
  readonly snaplen: number;
  readonly name: string | undefined;
  readonly unitsPerSec: number;
  readonly binary: boolean;
  readonly offsetSec: number;
  /** Drops reported by the last Interface Statistics block, when present. */
  drops: number | undefined;
  /**
   * isb_endtime of the last Interface Statistics block (when the capture stopped), in ns — read
   * with the interface's resolution and, as a second reading, in microseconds: dumpcap 4.0 writes
   * it in µs even on nanosecond interfaces. The caller keeps whichever fits its packets.
   */
  endNs: readonly bigint[];
};

export class PcapngParser implements RecordParser {
  private readonly frame = new Frame();
  private le = true;
  private ifaces: PcapngInterface[] = [];
  /** Interfaces of earlier sections stay visible to callers (drop counts, names). */
  readonly allInterfaces: PcapngInterface[] = [];
  private ifBase = 0;
  private warnedSnap = false;
  private warnedIface = false;
  /** Packets skipped for naming an interface never described. */
  private undescribed = 0;
  skipped = 0;
  private readonly gate: SkipGate;
  /** The filter to ask in this chunk (SkipGate), and how many packets were put to it. */
  private skip: FrameFilter | undefined;
  private asked = 0;
  sections = 0;

  constructor(
    private readonly input: string,
    private readonly sink: FrameSink,
    private readonly warn: Warn,
    skip?: FrameFilter,
  ) {
    this.gate = new SkipGate(skip);
    this.frame.tsMode = TsMode.units;
  }

  parse(buf: Uint8Array, start: number, end: number, base: number): number {
    let p = start;
    this.frame.buf = buf;
    this.skip = this.gate.begin();
    this.asked = 0;
    const skippedBefore = this.skipped;
    while (end - p >= 12) {
      let type = u32(buf, p, this.le);
      if (type === SHB) {
        // The section's byte order is only known after reading its magic.
        const bom = u32(buf, p + 8, true);
        if (bom === BOM) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else throw new CaptureError(this.input, base + p + 8, `pcapng section header has a bad byte-order magic 0x${bom.toString(16).padStart(8, '0')}`);
        type = SHB;
      }
      const len = u32(buf, p + 4, this.le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) {
        throw new CaptureError(this.input, base + p, `pcapng block of type 0x${type.toString(16)} has an impossible length ${len}${len > MAX_BLOCK ? ` (blocks hold at most ${MAX_BLOCK} bytes)` : ''}`);
      }
      if (end - p < len) break;
      if (u32(buf, p + len - 4, this.le) !== len) {
        throw new CaptureError(this.input, base + p, `pcapng block of type 0x${type.toString(16)}: trailing length differs from leading length ${len}`);
      }
      this.block(type, buf, p, len, base);
      p += len;
    }
    if (this.skip !== undefined) this.gate.end(this.asked, this.skipped - skippedBefore);
    return p;
  }

  finish(leftover: number, base: number): void {
    if (this.undescribed > 1) this.warn(`${this.input}: ${this.undescribed} packets skipped for naming an interface that was never described`);
    if (leftover > 0) {
      throw new CaptureError(this.input, base, `last block cut off (${leftover} bytes of a block, file truncated)`);
    }
  }

  private block(type: number, b: Uint8Array, p: number, len: number, base: number): void {
    const le = this.le;
    const end = p + len - 4;
    switch (type) {
      case SHB:
        if (len < 28) throw new CaptureError(this.input, base + p, 'pcapng section header block too short');
        this.sections++;
        this.ifBase = this.allInterfaces.length;
        this.ifaces = [];
        return;
      case IDB: {
        if (len < 20) throw new CaptureError(this.input, base + p, 'pcapng interface description block too short');
        let name: string | undefined;
        let unitsPerSec = 1_000_000;
        let binary = false;
        let offsetSec = 0;
        forEachOption(b, p + 16, end, le, (code, vp, vlen) => {
          // Kept to MAX_NAME characters: thousands of interfaces with 64 KiB names must not cost gigabytes.
          if (code === 2) name = clipName(new TextDecoder().decode(b.subarray(vp, vp + Math.min(vlen, MAX_NAME * 4))).replace(/\0+$/, ''));
          else if (code === 9 && vlen >= 1) {
            const v = b[vp]!;
            binary = (v & 0x80) !== 0;
            unitsPerSec = binary ? 2 ** (v & 0x7f) : 10 ** v;
          } else if (code === 14 && vlen >= 8) {
            const hi = u32(b, vp + (le ? 4 : 0), le) | 0;
            const lo = u32(b, vp + (le ? 0 : 4), le);
            offsetSec = hi * 4294967296 + lo;
          }
        });
        if (this.allInterfaces.length >= limit('pcapng-interfaces')) {
          throw new CaptureError(this.input, base + p, `more than ${limit('pcapng-interfaces')} interfaces described; the rest is not read (${raiseHint('pcapng-interfaces')})`);
        }
        const iface: PcapngInterface = { linktype: u16(b, p + 8, le), snaplen: u32(b, p + 12, le), name, unitsPerSec, binary, offsetSec, drops: undefined, endNs: [] };
        this.ifaces.push(iface);
        this.allInterfaces.push(iface);
        return;
      }
      case EPB: {
        if (len < 32) throw new CaptureError(this.input, base + p, 'pcapng enhanced packet block too short');
        const caplen = u32(b, p + 20, le);
        if (caplen > len - 32) throw new CaptureError(this.input, base + p, `pcapng packet claims ${caplen} captured bytes in a ${len}-byte block`);
        const id = u32(b, p + 8, le);
        const iface = this.iface(id, base + p);
        if (!iface) return;
        // Options: only epb_flags (2) matters, bits 0-1 = direction. The walk is forEachOption's,
        // written out because this runs for every packet (no closure to allocate).
        let direction: Direction = Direction.unknown;
        for (let q = p + 28 + ((caplen + 3) & ~3); end - q >= 4; ) {
          const code = u16(b, q, le);
          const olen = u16(b, q + 2, le);
          if (code === 0 || q + 4 + olen > end) break;
          if (code === 2 && olen >= 4) {
            const d = u32(b, q + 4, le) & 3;
            direction = d === 1 ? Direction.in : d === 2 ? Direction.out : Direction.unknown;
          }
          q += 4 + ((olen + 3) & ~3);
        }
        this.emit(id, iface, u32(b, p + 12, le), u32(b, p + 16, le), caplen, u32(b, p + 24, le), p + 28, direction, base + p);
        return;
      }
      case OPB: {
        if (len < 32) throw new CaptureError(this.input, base + p, 'pcapng obsolete packet block too short');
        const caplen = u32(b, p + 20, le);
        if (caplen > len - 32) throw new CaptureError(this.input, base + p, `pcapng packet claims ${caplen} captured bytes in a ${len}-byte block`);
        const id = u16(b, p + 8, le);
        const iface = this.iface(id, base + p);
        if (!iface) return;
        this.emit(id, iface, u32(b, p + 12, le), u32(b, p + 16, le), caplen, u32(b, p + 24, le), p + 28, Direction.unknown, base + p);
        return;
      }
      case SPB: {
        if (len < 16) throw new CaptureError(this.input, base + p, 'pcapng simple packet block too short');
        const iface = this.iface(0, base + p);
        if (!iface) return;
        const origlen = u32(b, p + 8, le);
        let caplen = Math.min(origlen, len - 16);
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        // No timestamp in an SPB: it inherits the previous frame's time, the best a reader can do.
        const f = this.frame;
        this.emit(0, iface, f.tsA, f.tsB, caplen, origlen, p + 12, Direction.unknown, base + p);
        return;
      }
      case ISB: {
        if (len < 24) return;
        const iface = this.ifaces[u32(b, p + 8, le)];
        if (!iface) return;
        forEachOption(b, p + 20, end, le, (code, vp, vlen) => {
          if (code === 5 && vlen >= 8) {
            const hi = u32(b, vp + (le ? 4 : 0), le);
            const lo = u32(b, vp + (le ? 0 : 4), le);
            iface.drops = hi * 4294967296 + lo;
          } else if (code === 3 && vlen >= 8) {
            // Same layout as a packet timestamp: high word, then low word.
            const f = new Frame();
            f.tsMode = TsMode.units;
            f.tsA = u32(b, vp, le);
            f.tsB = u32(b, vp + 4, le);
            f.tsScale = iface.unitsPerSec;
            f.tsBinary = iface.binary;
            f.tsOffsetSec = iface.offsetSec;
            const asIs = f.timestampNs();
            f.tsScale = 1_000_000;
            f.tsBinary = false;
            iface.endNs = [asIs, f.timestampNs()];
          }
        });
        return;
      }
      default:
        return;
    }
  }

  private iface(id: number, at: number): PcapngInterface | undefined {
    const iface = this.ifaces[id];
    if (!iface) this.undescribed++;
    if (!iface && !this.warnedIface) {
      this.warnedIface = true;
      this.warn(`${this.input}: packet at byte ${at} names interface ${id}, which was never described; such packets are skipped`);
    }
    return iface;
  }

  private emit(id: number, iface: PcapngInterface, hi: number, lo: number, caplen: number, origlen: number, at: number, direction: Direction, fileOffset: number): void {
    if (iface.snaplen > 0 && caplen > iface.snaplen && !this.warnedSnap) {
      this.warnedSnap = true;
      this.warn(`${this.input}: packet at byte ${fileOffset} holds ${caplen} bytes, more than its interface's snaplen ${iface.snaplen}; kept`);
    }
    const f = this.frame;
    if (this.skip !== undefined) {
      this.asked++;
      if (this.skip(f.buf, at, caplen, iface.linktype)) {
        f.number++;
        this.skipped++;
        return;
      }
    }
    f.linktype = iface.linktype;
    f.ifIndex = this.ifBase + id;
    f.ifName = iface.name;
    f.tsA = hi;
    f.tsB = lo;
    f.tsScale = iface.unitsPerSec;
    f.tsBinary = iface.binary;
    f.tsOffsetSec = iface.offsetSec;
    f.caplen = caplen;
    f.origlen = origlen;
    f.offset = at;
    f.direction = direction;
    f.fileOffset = fileOffset;
    f.number++;
    this.sink(f);
  }
}

/** Walks a pcapng option list: code, length, value padded to 32 bits, until opt_endofopt. */
function forEachOption(b: Uint8Array, p: number, end: number, le: boolean, fn: (code: number, valueAt: number, len: number) => void): void {
  while (end - p >= 4) {
    const code = u16(b, p, le);
    const len = u16(b, p + 2, le);
    if (code === 0 || p + 4 + len > end) return;
    fn(code, p + 4, len);
    p += 4 + ((len + 3) & ~3);
  }
}
