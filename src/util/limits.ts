// The bounds vrrpscope puts on the work one input may cause, in one place: each has a name, a
// default, and the one option that raises it (`--limit NAME=VALUE`), so every message that says
// a limit was reached can say which one and how to raise it (docs/user-guide.md lists them).

export type LimitName = keyof typeof DEFAULTS;

const DEFAULTS = {
  /** Bytes a gzip'd capture may expand to. */
  'gunzip-size': 4 * 1024 ** 3,
  /** Expansion ratio of a gzip'd capture (checked once it is past 64 MiB). */
  'gunzip-ratio': 100,
  /** Interfaces one pcapng file may describe (each costs memory for the whole run). */
  'pcapng-interfaces': 65_536,
  /** Packets read ahead of the merged output per input (`-r a -r b`). */
  'merge-lookahead': 4096,
  /** Live: bytes of frames waiting between a capture worker and the analysis before frames are dropped. */
  'live-queue': 16 * 1024 * 1024,
} as const;

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

const current: Record<LimitName, number> = { ...DEFAULTS };

/** The value in force. */
export function limit(name: LimitName): number {
  return current[name];
}

export function limitNames(): readonly LimitName[] {
  return Object.keys(DEFAULTS) as LimitName[];
}

/** `NAME=VALUE` (VALUE: a whole number, sizes may end in K, M, G or T) → sets it; returns the problem when it is not one. */
export function setLimit(arg: string): string | undefined {
  const eq = arg.indexOf('=');
  const name = (eq > 0 ? arg.slice(0, eq) : arg) as LimitName;
  if (!(name in DEFAULTS)) return `--limit: no limit '${arg.slice(0, eq > 0 ? eq : arg.length).slice(0, 40)}' (there are: ${limitNames().join(', ')})`;
  const m = eq > 0 ? /^(\d{1,15})([kmgt]?)i?b?$/i.exec(arg.slice(eq + 1)) : null;
  const value = m ? Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(value) || value < 1) return `--limit ${name} wants a whole number ≥ 1 (sizes may end in K, M or G), e.g. --limit ${name}=${DEFAULTS[name]}`;
  current[name] = value;
  return undefined;
}

/** Back to the defaults (tests). */
export function resetLimits(): void {
  Object.assign(current, DEFAULTS);
}

/** The clause every limit message ends with. */
export function raiseHint(name: LimitName): string {
  return `limit ${name}=${formatLimit(current[name])}; raise it with --limit ${name}=N`;
}

function formatLimit(n: number): string {
  for (const [u, f] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) if (n >= f && n % f === 0) return `${n / f}${u}`;
  return String(n);
}
