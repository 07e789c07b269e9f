// One captured frame as the readers hand it on. The object is reused for every frame of a source
// (gopacket's DecodingLayerParser habit): consumers decode what they need synchronously and copy it.

export const Direction = { in: 'in', out: 'out', unknown: 'unknown' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

/** How the raw timestamp words are to be read. */
export const TsMode = {
  /** classic pcap: a = seconds, b = sub-second in units of 1e9/scale ns */
  secFrac: 0,
  /** pcapng: (a << 32 | b) units of `unitsPerSec`, plus an offset in seconds */
  units: 1,
} as const;
export type TsMode = (typeof TsMode)[keyof typeof TsMode];

/**
 * Packet times vrrpscope can show as dates: 1970-01-01 up to the end of 9999 (ISO 8601's four-digit
 * years). A packet stamped outside (a pcapng if_tsoffset of 2^62 s, a negative offset) is damage
 * to that packet: counted and skipped by the reader, never the end of the run.
 */
export const TS_MIN_NS = 0n;
export const TS_END_NS = 253_402_300_800n * 1_000_000_000n;

export class Frame {
  /** Bytes of the frame are buf[offset, offset + caplen). Valid only during the callback. */
  buf: Uint8Array = new Uint8Array(0);
  offset = 0;
  caplen = 0;
  origlen = 0;
  linktype = 0;
  /** Interface index within the capture file (pcapng IDB number), -1 when the format has none. */
  ifIndex = -1;
  ifName: string | undefined = undefined;
  direction: Direction = Direction.unknown;
  /** 1-based frame number within its input, as tcpdump and tshark count. */
  number = 0;
  /** Byte offset of the record in its input, for messages. */
  fileOffset = 0;
  tsMode: TsMode = TsMode.secFrac;
  tsA = 0;
  tsB = 0;
  /** secFrac: nanoseconds per sub-second unit (1000 for µs, 1 for ns). units: units per second. */
  tsScale = 1000;
  tsOffsetSec = 0;
  /** For units mode with a power-of-two resolution. */
  tsBinary = false;

  /** The last second seen in secFrac mode and its nanoseconds: consecutive frames mostly share it. */
  private lastSec = -1;
  private lastSecNs = 0n;

  /** Timestamp in nanoseconds since the epoch; computed on demand, so frames nobody wants cost nothing. */
  timestampNs(): bigint {
    if (this.tsMode === TsMode.secFrac) {
      if (this.tsA !== this.lastSec) {
        this.lastSec = this.tsA;
        this.lastSecNs = BigInt(this.tsA) * 1_000_000_000n;
      }
      return this.lastSecNs + BigInt(this.tsB * this.tsScale);
    }
    const units = (BigInt(this.tsA) << 32n) | BigInt(this.tsB);
    const perSec = BigInt(this.tsScale);
    const ns = this.tsBinary
      ? (units * 1_000_000_000n) / perSec
      : perSec >= 1_000_000_000n
        ? units / (perSec / 1_000_000_000n)
        : units * (1_000_000_000n / perSec);
    return ns + BigInt(this.tsOffsetSec) * 1_000_000_000n;
  }

  /** timeParts()'s result: the timestamp is sec × 10^9 + nsec nanoseconds. */
  sec = 0;
  nsec = 0;

  /**
   * The timestamp as two exact numbers in `sec` and `nsec`, without BigInt; false when numbers
   * cannot hold it exactly (pcapng units past 2^53, a binary or sub-nanosecond resolution): then
   * use timestampNs().
   */
  timeParts(): boolean {
    if (this.tsMode === TsMode.secFrac) {
      this.sec = this.tsA;
      this.nsec = this.tsB * this.tsScale;
      return true;
    }
    const perSec = this.tsScale;
    // µs pcapng (the default resolution) fits: tsA < 2^21 keeps the units below 2^53.
    if (this.tsBinary || this.tsA >= 0x20_0000 || perSec > 1_000_000_000 || 1_000_000_000 % perSec !== 0) return false;
    const units = this.tsA * 0x1_0000_0000 + this.tsB;
    let sec = Math.floor(units / perSec);
    let rem = units - sec * perSec;
    // The division is rounded: put the remainder back in range.
    if (rem < 0) {
      sec--;
      rem += perSec;
    } else if (rem >= perSec) {
      sec++;
      rem -= perSec;
    }
    this.sec = sec + this.tsOffsetSec;
    this.nsec = rem * (1_000_000_000 / perSec);
    return true;
  }

  /** A view (not a copy) of the captured bytes. */
  data(): Uint8Array {
    return this.buf.subarray(this.offset, this.offset + this.caplen);
  }
}
