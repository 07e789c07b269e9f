// Text forms of addresses, as tshark and tcpdump print them (IPv6 per RFC 5952).

const hex2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

// The same few addresses come back on every advert: their text is made once and reused (fewer
// strings for the collector, and Map lookups on a string whose hash is already known). Keys are
// split in two small integers (V8 keeps integers below 2^30 unboxed: no allocation per lookup). The
// caches start over when full, so they stay small whatever the input. The texts are made by
// `join`, which gives one flat string (`+` and templates make ropes, a node per join): the model
// keeps them in its lists for hours.
const CACHE_MAX = 4096;
const macs = new Map<number, Map<number, string>>();
const v4s = new Map<number, Map<number, string>>();
let macCount = 0;
let v4Count = 0;

export function mac(b: Uint8Array, p: number, n = 6): string {
  if (n !== 6) return macText(b, p, n);
  const hi = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  const lo = (b[p + 3]! << 16) | (b[p + 4]! << 8) | b[p + 5]!;
  let m = macs.get(hi);
  let s = m?.get(lo);
  if (s === undefined) {
    if (macCount >= CACHE_MAX) {
      macs.clear();
      macCount = 0;
      m = undefined;
    }
    if (!m) macs.set(hi, (m = new Map()));
    m.set(lo, (s = macText(b, p, 6)));
    macCount++;
  }
  return s;
}

function macText(b: Uint8Array, p: number, n: number): string {
  const parts: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = hex2[b[p + i]!]!;
  return parts.join(':');
}

export function ipv4(b: Uint8Array, p: number): string {
  const hi = (b[p]! << 8) | b[p + 1]!;
  const lo = (b[p + 2]! << 8) | b[p + 3]!;
  let m = v4s.get(hi);
  let s = m?.get(lo);
  if (s === undefined) {
    if (v4Count >= CACHE_MAX) {
      v4s.clear();
      v4Count = 0;
      m = undefined;
    }
    if (!m) v4s.set(hi, (m = new Map()));
    m.set(lo, (s = [b[p], b[p + 1], b[p + 2], b[p + 3]].join('.')));
    v4Count++;
  }
  return s;
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
