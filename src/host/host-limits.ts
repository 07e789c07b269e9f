// Bounds on what one host input may cost (docs/user-guide.md, "Host input limits"). Each can be raised
// with an environment variable; a refused or cut input says which limit and how to raise it.

export type HostLimits = {
  /** Largest keepalived config file, JSON/stats/data dump or ruleset read (bytes). */
  readonly fileBytes: number;
  /** Largest keepalived log read; a longer one is read from its end (bytes). */
  readonly logBytes: number;
  /** All files of one configuration together, includes counted each time they are read (bytes). */
  readonly configBytes: number;
  /** Files read for one configuration, includes counted each time they are read. */
  readonly includeFiles: number;
  /** Include nesting depth. */
  readonly includeDepth: number;
  /** Paths one include glob may expand to (and directories it may look into). */
  readonly globPaths: number;
  /** Nesting of `{ … }` blocks in a configuration (keepalived's own go 4 deep). */
  readonly nesting: number;
  /** Words in one configuration statement. */
  readonly words: number;
};

const MiB = 1024 * 1024;

export const LIMIT_ENV: { readonly [K in keyof HostLimits]: string } = {
  fileBytes: 'VRRPSCOPE_MAX_HOST_FILE_MB',
  logBytes: 'VRRPSCOPE_MAX_LOG_MB',
  configBytes: 'VRRPSCOPE_MAX_CONFIG_MB',
  includeFiles: 'VRRPSCOPE_MAX_INCLUDES',
  includeDepth: 'VRRPSCOPE_MAX_INCLUDE_DEPTH',
  globPaths: 'VRRPSCOPE_MAX_GLOB',
  nesting: 'VRRPSCOPE_MAX_NESTING',
  words: 'VRRPSCOPE_MAX_WORDS',
};

export const DEFAULT_LIMITS: HostLimits = {
  fileBytes: 32 * MiB,
  logBytes: 64 * MiB,
  configBytes: 32 * MiB,
  includeFiles: 4096,
  includeDepth: 32,
  globPaths: 4096,
  nesting: 64,
  words: 4096,
};

/** The limits, with any raised (or lowered) through the environment; a bad value keeps the default. */
export function hostLimits(env: NodeJS.ProcessEnv = process.env): HostLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [k, name] of Object.entries(LIMIT_ENV)) {
    const v = Number(env[name]);
    if (env[name] === undefined || !Number.isFinite(v) || v <= 0) continue;
    out[k] = k.endsWith('Bytes') ? Math.round(v * MiB) : Math.floor(v);
  }
  return out as HostLimits;
}

/** "the 32 MiB limit (VRRPSCOPE_MAX_HOST_FILE_MB)" — for messages. */
export function limitText(l: HostLimits, k: keyof HostLimits): string {
  const v = l[k];
  const shown = !k.endsWith('Bytes') ? String(v) : v >= MiB ? `${+(v / MiB).toFixed(2)} MiB` : `${+(v / 1024).toFixed(1)} KiB`;
  return `the ${shown} limit (raise it with ${LIMIT_ENV[k]}=N)`;
}
