// Segment names where room is short: the VRID is never cut, the segment is. One function for the
// report and the dashboard, so a name reads the same everywhere: first the capture file's
// extension goes (`br0.pcap` → `br0`), then a `-r LABEL=` prefix shrinks to its initial and digits
// (`node1/if2` → `n1/if2`), and only then is the middle cut (`bond0.1~0.200`).

const EXT = /\.(pcapng|pcap|cap|dmp|ntar)(\.gz)?$/i;

export function shortSegment(name: string, max: number): string {
  if (name.length <= max) return name;
  const parts = name.split('/');
  let s = parts.map((p) => p.replace(EXT, '')).join('/');
  if (s.length <= max) return s;
  if (parts.length > 1) {
    const [head, ...rest] = s.split('/');
    const short = head!.length > 3 ? `${head![0]}${/\d+$/.exec(head!)?.[0] ?? ''}` : head!;
    s = [short, ...rest].join('/');
    if (s.length <= max) return s;
  }
  if (max <= 1) return s.slice(0, Math.max(0, max));
  const keep = max - 1;
  const front = Math.ceil(keep / 2);
  return `${s.slice(0, front)}~${s.slice(s.length - (keep - front))}`;
}

/** "eth0/51", "eth0/51v6": the VRID whole, the segment shortened to make it fit `max`. */
export function vridText(v: { readonly segment: string; readonly vrid: number; readonly family: number }, max = Infinity): string {
  const tail = `/${v.vrid}${v.family === 6 ? 'v6' : ''}`;
  return `${shortSegment(v.segment, Math.max(1, max - tail.length))}${tail}`;
}

type VridName = { readonly segment: string; readonly vrid: number; readonly family: number };
const tailOf = (v: VridName): string => `/${v.vrid}${v.family === 6 ? 'v6' : ''}`;

/**
 * Labels for the rows of one table, at most `max` wide: a segment is shortened the same way on
 * every row (to leave room for the longest VRID of all), so `br0` is `br0` throughout.
 */
export function vridLabeler(rows: readonly VridName[], max: number): (v: VridName) => string {
  const tail = Math.max(0, ...rows.map((r) => tailOf(r).length));
  const fits = rows.every((r) => r.segment.length + tailOf(r).length <= max);
  return (v) => (fits ? `${v.segment}${tailOf(v)}` : `${shortSegment(v.segment, Math.max(1, max - tail))}${tailOf(v)}`);
}

/** "fe80::5054~:4321 (200)": an address shortened from the middle so that its priority always fits. */
export function withPriority(address: string, priority: number | string, width: number): string {
  const prio = ` (${priority})`;
  const full = address + prio;
  return full.length <= width ? full : shortSegment(address, Math.max(4, width - prio.length)) + prio;
}

/** How wide the SEG/VRID labels are on a screen `cols` wide: the same in every panel, so a segment reads the same. */
export function labelWidth(cols: number, rows: readonly VridName[]): number {
  const longest = Math.max(8, ...rows.map((r) => r.segment.length + tailOf(r).length));
  return Math.min(longest, cols >= 180 ? 22 : cols >= 140 ? 18 : cols >= 110 ? 14 : 12);
}
