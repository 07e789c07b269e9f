// Unsigned integer reads on plain Uint8Arrays. The readers call these for every record, so they are
// tiny and branch only on byte order; callers have already checked the bounds.

export function u16(b: Uint8Array, p: number, le: boolean): number {
  return le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!;
}

export function u32(b: Uint8Array, p: number, le: boolean): number {
  return le
    ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0
    : ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
