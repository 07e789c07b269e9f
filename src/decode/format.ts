// Text forms of addresses, as tshark and tcpdump print them (IPv6 per RFC 5952).

const hex2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function mac(b: Uint8Array, p: number, n = 6): string {
  let s = hex2[b[p]!]!;
  for (let i = 1; i < n; i++) s += ':' + hex2[b[p + i]!]!;
  return s;
}

export function ipv4(b: Uint8Array, p: number): string {
  return `${b[p]}.${b[p + 1]}.${b[p + 2]}.${b[p + 3]}`;
}

export function ipv6(b: Uint8Array, p: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[p + 2 * i]! << 8) | b[p + 2 * i + 1]!);
  // IPv4-mapped addresses keep their dotted tail.
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) return `::ffff:${ipv4(b, p + 12)}`;
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const part = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return part(w);
  return `${part(w.slice(0, bestAt))}::${part(w.slice(bestAt + bestLen))}`;
}

/** Bytes as they arrived, one char per byte (latin1), so nothing is lost; views make it inert. */
export function latin1(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[p + i]!);
  return s;
}
