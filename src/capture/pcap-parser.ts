// Classic libpcap file format (draft-ietf-opsawg-pcap).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                          Magic Number                         |  a1b2c3d4 µs / a1b23c4d ns
//   |          Major Version        |         Minor Version         |
//   |                           Reserved1                           |
//   |                           Reserved2                           |
//   |                            SnapLen                            |
//   | FCS |f|0 0 0 0 0 0 0 0 0 0 0 0|         LinkType              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   then records:  ts seconds | ts µs-or-ns | captured length | original length | data
//
// Both byte orders; the magic tells which.

import { CaptureError } from './capture-error.js';
import { u32 } from './bytes.js';
import { Direction, Frame, TsMode } from './frame.js';
import type { FrameFilter, FrameSink, RecordParser, Warn } from './record-parser.js';
import { SkipGate } from './skip-gate.js';

/**
 * libpcap refuses records longer than this for ordinary link types (MAXIMUM_SNAPLEN), whatever the
 * header's snaplen says: a snaplen of 0xffffffff must not make the reader wait for a 4 GiB record.
 */
export const MAX_RECORD = 262_144;

export class PcapParser implements RecordParser {
  private readonly frame = new Frame();
  private warnedSnap = false;
  skipped = 0;
  private readonly gate: SkipGate;

  constructor(
    private readonly input: string,
    private readonly le: boolean,
    nanoseconds: boolean,
    private readonly snaplen: number,
    linktype: number,
    private readonly sink: FrameSink,
    private readonly warn: Warn,
    skip?: FrameFilter,
  ) {
    this.gate = new SkipGate(skip);
    const f = this.frame;
    f.linktype = linktype & 0x0fff_ffff;
    f.tsMode = TsMode.secFrac;
    f.tsScale = nanoseconds ? 1 : 1000;
    f.direction = Direction.unknown;
  }

  get linktype(): number {
    return this.frame.linktype;
  }

  parse(buf: Uint8Array, start: number, end: number, base: number): number {
    const f = this.frame;
    const le = this.le;
    f.buf = buf;
    const skip = this.gate.begin();
    const linktype = f.linktype;
    const skippedBefore = this.skipped;
    let asked = 0;
    let p = start;
    while (end - p >= 16) {
      const caplen = u32(buf, p + 8, le);
      if (caplen > MAX_RECORD) {
        throw new CaptureError(this.input, base + p, `record ${f.number + 1} claims ${caplen} captured bytes, more than the ${MAX_RECORD} a pcap record may hold (snaplen ${this.snaplen}): damaged file`);
      }
      if (end - p < 16 + caplen) break;
      if (caplen > this.snaplen && !this.warnedSnap) {
        this.warnedSnap = true;
        this.warn(`${this.input}: record ${f.number + 1} at byte ${base + p} holds ${caplen} bytes, more than the snaplen ${this.snaplen}; kept, as libpcap does`);
      }
      if (skip !== undefined) {
        asked++;
        if (skip(buf, p + 16, caplen, linktype)) {
          f.number++;
          this.skipped++;
          p += 16 + caplen;
          continue;
        }
      }
      f.tsA = u32(buf, p, le);
      f.tsB = u32(buf, p + 4, le);
      f.caplen = caplen;
      f.origlen = u32(buf, p + 12, le);
      f.offset = p + 16;
      f.fileOffset = base + p;
      f.number++;
      this.sink(f);
      p += 16 + caplen;
    }
    if (skip !== undefined) this.gate.end(asked, this.skipped - skippedBefore);
    return p;
  }

  finish(leftover: number, base: number): void {
    if (leftover > 0) {
      throw new CaptureError(this.input, base, `last record cut off (${leftover} bytes of a record, file truncated)`);
    }
  }
}
