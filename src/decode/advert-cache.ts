// A router's adverts are the same bytes every time: VRRP has no sequence number, and only the IPv4
// identification (keepalived counts it up) and the header checksum over it change. So an advert
// whose frame matches, byte for byte outside those four, one decoded a moment ago decodes to the
// same link, IP and VRRP records: they are shared instead of made again (address texts, checksum
// verification, the address list). Shared records are readonly like every decoded record, and the
// model can tell "same settings as last time" by identity, without comparing fields.
//
// The IPv4 header checksum is not verified by the decoder, so leaving it out changes nothing. An
// advert in AH differs by its sequence number every time: it never matches and is decoded in full.
// Bytes past the VRRP message (Ethernet padding) are decoded by nobody and not compared.
//
// Fixed size, nothing allocated per advert: the saved bytes live in one arena.

import type { IpHeader, L2, Vrrp } from './packet.js';

/** The records one advert decodes to, shared by its repeats. */
export class DecodedAdvert {
  /**
   * Where a model put these records' adverts last time (timeline.ts writes and checks them; the
   * decoder never reads them): fields of an object the advert has just touched, instead of a hash
   * look-up per advert. Several models in one process each check that the note is their own.
   */
  model: object | undefined = undefined;
  segment = '';
  moves = 0;
  vrid: unknown = undefined;
  router: unknown = undefined;

  constructor(
    readonly l2: L2,
    readonly ip: IpHeader,
    readonly vrrp: Vrrp,
  ) {}
}

/** Slots, by the source address's last bytes, the VRID and the length; WAYS entries in each. */
const SLOTS = 2048;
const WAYS = 4;
/** Frames longer than this (up to the end of the VRRP message) are not cached. */
const MAX_BYTES = 128;
/** Hits are counted over this many look-ups; below half, the cache stops taking new entries … */
const WINDOW = 4096;
/** … except in one window out of this many (to notice when adverts repeat again). */
const RETRY = 16;

/**
 * When adverts do not repeat (a flood of spoofed ones, every one different) the cache would only
 * keep each decoded advert alive past its use; it then stops taking entries until they repeat.
 */
export class AdvertCache {
  private readonly bytes = new Uint8Array(SLOTS * WAYS * MAX_BYTES);
  /** The arena and the frame's buffer read four bytes at a time (a fifth of the loads of a byte loop). */
  private readonly saved = new DataView(this.bytes.buffer);
  private frameBuf: Uint8Array | undefined;
  private frame: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private readonly lens = new Int32Array(SLOTS * WAYS);
  /** Offset of the IPv4 header in the saved bytes, -1 for IPv6 (nothing to skip). */
  private readonly ip4s = new Int32Array(SLOTS * WAYS);
  private readonly records: (DecodedAdvert | undefined)[] = new Array<DecodedAdvert | undefined>(SLOTS * WAYS).fill(undefined);
  /** The way each slot replaces next. */
  private readonly next = new Uint8Array(SLOTS);
  private looked = 0;
  private hit = 0;
  private idle = 0;
  private taking = true;

  /** The slot of the advert in b[start, end) whose IP destination address is at dstAt and VRRP message at vrrpAt. */
  static slot(b: Uint8Array, start: number, end: number, dstAt: number, vrrpAt: number): number {
    // The source address ends where the destination starts (IPv4 and IPv6 alike).
    const src = (b[dstAt - 2]! << 8) | b[dstAt - 1]!;
    const vrid = vrrpAt + 1 < end ? b[vrrpAt + 1]! : 0;
    return (src * 31 + vrid * 7 + (end - start)) & (SLOTS - 1);
  }

  /** The records of an advert seen before whose bytes b[start, end) repeat; ip4: IPv4 header offset from start, or -1. */
  get(slot: number, b: Uint8Array, start: number, end: number, ip4: number): DecodedAdvert | undefined {
    if (++this.looked === WINDOW) this.judge();
    const n = end - start;
    for (let w = 0; w < WAYS; w++) {
      const e = slot * WAYS + w;
      if (this.lens[e] !== n || this.ip4s[e] !== ip4) continue;
      const d = this.records[e];
      if (d !== undefined && this.same(e * MAX_BYTES, b, start, n, ip4)) {
        this.hit++;
        return d;
      }
    }
    return undefined;
  }

  set(slot: number, b: Uint8Array, start: number, end: number, ip4: number, d: DecodedAdvert): void {
    const n = end - start;
    if (!this.taking || n > MAX_BYTES) return;
    const w = this.next[slot]!;
    this.next[slot] = (w + 1) % WAYS;
    const e = slot * WAYS + w;
    this.bytes.set(b.subarray(start, end), e * MAX_BYTES);
    this.lens[e] = n;
    this.ip4s[e] = ip4;
    this.records[e] = d;
  }

  /** The saved bytes at `at` equal b[start, start + n), apart from the IPv4 identification and header checksum. */
  private same(at: number, b: Uint8Array, start: number, n: number, ip4: number): boolean {
    if (b !== this.frameBuf) {
      this.frameBuf = b;
      this.frame = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    const s = this.saved;
    const f = this.frame;
    if (ip4 < 0) return range(s, at, f, start, 0, n);
    // The VRRP message first: it differs first when anything does (a priority change).
    return range(s, at, f, start, ip4 + 12, n) && range(s, at, f, start, 0, ip4 + 4) && range(s, at, f, start, ip4 + 6, ip4 + 10);
  }

  /** At the end of a window: keep taking entries while at least half the look-ups hit. */
  private judge(): void {
    const good = this.hit * 2 >= this.looked;
    this.looked = this.hit = 0;
    if (good) {
      this.taking = true;
      this.idle = 0;
    } else if (this.taking) this.taking = false;
    else if (++this.idle >= RETRY) {
      this.taking = true;
      this.idle = 0;
    }
  }
}

/** s[at + from, at + to) equals f[start + from, start + to): four bytes at a time, then the rest. */
function range(s: DataView<ArrayBufferLike>, at: number, f: DataView<ArrayBufferLike>, start: number, from: number, to: number): boolean {
  let i = from;
  for (; i + 4 <= to; i += 4) if (s.getUint32(at + i) !== f.getUint32(start + i)) return false;
  for (; i < to; i++) if (s.getUint8(at + i) !== f.getUint8(start + i)) return false;
  return true;
}
