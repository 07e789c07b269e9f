// The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers VRRPv3 and ICMPv6 add to it.

/** One's-complement sum of b[p, p+n), folded to 16 bits, starting from `acc`. */
export function sum16(b: Uint8Array, p: number, n: number, acc = 0): number {
  let s = acc;
  const end = p + (n & ~1);
  for (let i = p; i < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (n & 1) s += b[p + n - 1]! << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Pseudo-header sum: source, destination, upper-layer length and protocol. */
export function pseudoSum(b: Uint8Array, srcAt: number, dstAt: number, addrLen: 4 | 16, length: number, proto: number): number {
  let s = sum16(b, srcAt, addrLen);
  s = sum16(b, dstAt, addrLen, s);
  s += (length >>> 16) + (length & 0xffff) + proto;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** True when a message whose checksum field is included sums to all ones. */
export function verifies(b: Uint8Array, p: number, n: number, acc = 0): boolean {
  return sum16(b, p, n, acc) === 0xffff;
}
