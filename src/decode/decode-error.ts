// The one error a decoder may throw: which layer ran out of (or met bad) bytes, where, and how many
// it needed. decodeFrame turns it into a `malformed` packet; it never escapes further.

export class DecodeError extends Error {
  constructor(
    readonly layer: string,
    readonly offset: number,
    readonly need: number,
    readonly have: number,
    reason?: string,
  ) {
    super(reason ?? `${layer}: truncated (need ${need} bytes at offset ${offset}, have ${have})`);
    this.name = 'DecodeError';
  }
}

/** Throws unless b has `need` bytes from `at` up to `end`. */
export function need(layer: string, at: number, n: number, end: number): void {
  if (at + n > end) throw new DecodeError(layer, at, n, Math.max(0, end - at));
}
