// Replays a pcapng recording as a stream paced by its packet timestamps (divided by `speed`): the
// header blocks at once, each packet block when its time comes, the statistics block (with the
// capture's end time) at the end. Timestamps are left as recorded: vrrpscope's clock is packet time.

import { readFileSync } from 'node:fs';

export type PacedBlock = { readonly atNs: bigint | undefined; readonly bytes: Uint8Array };

/** The blocks of a little-endian pcapng file with their timestamps (packets and statistics). */
export function pcapngBlocks(path: string): PacedBlock[] {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: PacedBlock[] = [];
  const resol: bigint[] = [];
  for (let off = 0; off + 12 <= buf.length; ) {
    const type = dv.getUint32(off, true);
    const len = dv.getUint32(off + 4, true);
    if (type === 0x0a0d0d0a && dv.getUint32(off + 8, true) !== 0x1a2b3c4d) throw new Error(`${path}: big-endian pcapng is not handled here`);
    if (len < 12 || off + len > buf.length) throw new Error(`${path}: bad block at ${off}`);
    let atNs: bigint | undefined;
    if (type === 1) {
      // Interface description: if_tsresol (option 9) sets the timestamp unit (default microseconds).
      let unit = 1000n;
      for (let o = off + 16; o + 4 <= off + len - 4; ) {
        const code = dv.getUint16(o, true);
        const olen = dv.getUint16(o + 2, true);
        if (code === 0) break;
        if (code === 9) {
          const r = buf[o + 4]!;
          unit = r & 0x80 ? 0n : 10n ** BigInt(9 - r);
          if (unit === 0n) throw new Error(`${path}: binary if_tsresol is not handled here`);
        }
        o += 4 + ((olen + 3) & ~3);
      }
      resol.push(unit);
    } else if (type === 6) {
      const unit = resol[dv.getUint32(off + 8, true)] ?? 1000n;
      atNs = ((BigInt(dv.getUint32(off + 12, true)) << 32n) | BigInt(dv.getUint32(off + 16, true))) * unit;
    } else if (type === 5) {
      // Interface statistics: written when the capture stopped, at isb_endtime (option 3).
      const unit = resol[dv.getUint32(off + 8, true)] ?? 1000n;
      for (let o = off + 20; o + 4 <= off + len - 4; ) {
        const code = dv.getUint16(o, true);
        const olen = dv.getUint16(o + 2, true);
        if (code === 0) break;
        if (code === 3 && olen === 8) {
          const v = (BigInt(dv.getUint32(o + 4, true)) << 32n) | BigInt(dv.getUint32(o + 8, true));
          // Some writers (dumpcap among them) put microseconds here whatever if_tsresol says:
          // take whichever reading lands after the last packet, as vrrpscope's reader does.
          const last = [...out].reverse().find((x) => x.atNs !== undefined)?.atNs ?? 0n;
          atNs = v * unit >= last ? v * unit : v * 1000n;
        }
        o += 4 + ((olen + 3) & ~3);
      }
    }
    out.push({ atNs, bytes: buf.subarray(off, off + len) });
    off += len;
  }
  return out;
}

/** Writes the blocks at their (scaled) times; resolves when the last is written. */
export async function pace(blocks: readonly PacedBlock[], speed: number, write: (b: Uint8Array) => void): Promise<void> {
  const first = blocks.find((b) => b.atNs !== undefined)?.atNs;
  const t0 = Date.now();
  for (const b of blocks) {
    if (b.atNs !== undefined && first !== undefined) {
      const due = t0 + Number(b.atNs - first) / 1e6 / speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    write(b.bytes);
  }
}
