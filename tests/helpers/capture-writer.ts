// Builds pcap and pcapng files in memory for reader tests, in either byte order, with exactly the
// blocks and options a test asks for (draft-ietf-opsawg-pcapng, draft-ietf-opsawg-pcap).

export type Option = { readonly code: number; readonly value: Uint8Array };

class Bytes {
  private readonly parts: number[] = [];
  constructor(private readonly le: boolean) {}
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    const a = [v >>> 24, v >>> 16, v >>> 8, v].map((x) => x & 0xff);
    for (const x of this.le ? a.reverse() : a) this.u8(x);
    return this;
  }
  u64(v: bigint): this {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export const opt = {
  str: (code: number, s: string): Option => ({ code, value: new TextEncoder().encode(s) }),
  u8: (code: number, v: number): Option => ({ code, value: Uint8Array.of(v) }),
  /** A 32- or 64-bit value in the byte order of the section it goes into (so: filled in later). */
  u32: (code: number, v: number): Option & { readonly u32: number } => ({ code, value: new Uint8Array(4), u32: v }),
  u64: (code: number, v: bigint): Option & { readonly u64: bigint } => ({ code, value: new Uint8Array(8), u64: v }),
};

export type Iface = { linktype: number; snaplen?: number; name?: string; tsresol?: number; tsoffset?: bigint; extra?: Option[] };

export class PcapngWriter {
  private readonly out: Uint8Array[] = [];
  private le = true;

  /** Starts a section in the given byte order. */
  section(le: boolean, options: Option[] = []): this {
    this.le = le;
    const body = new Bytes(le).u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn);
    this.options(body, options);
    return this.block(0x0a0d0d0a, body);
  }

  iface(i: Iface): this {
    const body = new Bytes(this.le).u16(i.linktype).u16(0).u32(i.snaplen ?? 0);
    const o: Option[] = [];
    if (i.name !== undefined) o.push(opt.str(2, i.name));
    if (i.tsresol !== undefined) o.push(opt.u8(9, i.tsresol));
    if (i.tsoffset !== undefined) o.push(opt.u64(14, i.tsoffset));
    this.options(body, [...o, ...(i.extra ?? [])]);
    return this.block(1, body);
  }

  /** Enhanced Packet Block; `ts` in the interface's units; `flags` is epb_flags (bits 0-1: 1 in, 2 out). */
  epb(iface: number, ts: bigint, data: Uint8Array, p: { origlen?: number; flags?: number; caplen?: number } = {}): this {
    const body = new Bytes(this.le)
      .u32(iface)
      .u32(Number(ts >> 32n))
      .u32(Number(ts & 0xffffffffn))
      .u32(p.caplen ?? data.length)
      .u32(p.origlen ?? data.length)
      .raw(data)
      .pad4();
    this.options(body, p.flags !== undefined ? [opt.u32(2, p.flags)] : []);
    return this.block(6, body);
  }

  /** Obsolete Packet Block: 16-bit interface id, 16-bit drops count. */
  opb(iface: number, ts: bigint, data: Uint8Array, origlen = data.length): this {
    const body = new Bytes(this.le)
      .u16(iface)
      .u16(0)
      .u32(Number(ts >> 32n))
      .u32(Number(ts & 0xffffffffn))
      .u32(data.length)
      .u32(origlen)
      .raw(data)
      .pad4();
    return this.block(2, body);
  }

  /** Simple Packet Block: interface 0, no timestamp. */
  spb(data: Uint8Array, origlen = data.length): this {
    return this.block(3, new Bytes(this.le).u32(origlen).raw(data).pad4());
  }

  /** Interface Statistics Block with isb_ifdrop. */
  isb(iface: number, ts: bigint, drops: bigint | undefined): this {
    const body = new Bytes(this.le)
      .u32(iface)
      .u32(Number(ts >> 32n))
      .u32(Number(ts & 0xffffffffn));
    this.options(body, drops !== undefined ? [opt.u64(5, drops)] : []);
    return this.block(5, body);
  }

  /** Any block, e.g. an unknown type that a reader must skip. */
  raw(type: number, body: Uint8Array): this {
    return this.block(type, new Bytes(this.le).raw(body).pad4());
  }

  /** Appends bytes as they are (for damage: a block with lying lengths). */
  bytes(b: Uint8Array): this {
    this.out.push(b);
    return this;
  }

  /** A 32-bit value in the current section's byte order. */
  u32(v: number): Uint8Array {
    return new Bytes(this.le).u32(v).done();
  }

  done(): Uint8Array {
    return Buffer.concat(this.out);
  }

  private options(body: Bytes, options: Option[]): void {
    if (options.length === 0) return;
    for (const o of options) {
      let value = o.value;
      if ('u32' in o) value = new Bytes(this.le).u32((o as { u32: number }).u32).done();
      if ('u64' in o) value = new Bytes(this.le).u64((o as { u64: bigint }).u64).done();
      body.u16(o.code).u16(value.length).raw(value).pad4();
    }
    body.u16(0).u16(0);
  }

  private block(type: number, body: Bytes): this {
    const len = 12 + body.length;
    this.out.push(new Bytes(this.le).u32(type).u32(len).raw(body.done()).u32(len).done());
    return this;
  }
}

export type PcapRecord = { sec: number; frac: number; data: Uint8Array; origlen?: number; caplen?: number };

/** A classic pcap file: µs or ns magic, either byte order. */
export function pcapFile(p: { le: boolean; ns?: boolean; snaplen?: number; linktype?: number; records: PcapRecord[] }): Uint8Array {
  const b = new Bytes(p.le)
    .u32(p.ns ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(p.snaplen ?? 65535)
    .u32(p.linktype ?? 1);
  for (const r of p.records) b.u32(r.sec).u32(r.frac).u32(r.caplen ?? r.data.length).u32(r.origlen ?? r.data.length).raw(r.data);
  return b.done();
}

/** Bytes from a hex string with any whitespace. */
export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

/**
 * A VRRPv2 advert in Ethernet (VRID 42, priority 100, 1 address 192.0.2.1, 1 s, no auth), correct
 * checksum. Any capture test can use it to see a decoded packet come out.
 */
export const VRRP2_FRAME = withVrrpChecksum(
  hex(`
  01005e000012 00005e00012a 0800
  45c00028 00000000 ff70 0000 c0000202 e0000012
  212a6401 0001 0000 c0000201 0000000000000000`),
  34,
);

/** VRRP2_FRAME for another VRID (and its virtual source MAC), checksum recomputed. */
export function vrrpFrame(vrid: number): Uint8Array {
  const f = Uint8Array.from(VRRP2_FRAME);
  f[11] = vrid;
  f[35] = vrid;
  f[40] = f[41] = 0;
  return withVrrpChecksum(f, 34);
}

export function withVrrpChecksum(f: Uint8Array, at: number): Uint8Array {
  let s = 0;
  for (let i = at; i < f.length; i += 2) s += (f[i]! << 8) | (f[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const c = ~s & 0xffff;
  f[at + 6] = c >> 8;
  f[at + 7] = c & 0xff;
  return f;
}
