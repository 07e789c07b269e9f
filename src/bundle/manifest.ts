// The bundle's manifest (manifest.json, docs/bundle.md): which files belong to which node and when
// each piece of host evidence was taken. Checked strictly on reading: a bundle comes from someone
// else, so every path must be relative, inside the bundle, and every field of the right type.

export const BUNDLE_FORMAT = 'vrrpscope-bundle';
export const BUNDLE_VERSION = 1;
export const MANIFEST = 'manifest.json';

export type TimedFile = { readonly file: string; readonly timeNs: string };
export type DumpFile = TimedFile & { readonly kind: 'json' | 'stats' };

export type BundleNode = {
  /** The node's name: segments read back are `name/eth0`. */
  readonly name: string;
  /** Where it came from: `ssh root@node1`, `live on host`, `file node1.pcapng`. */
  readonly source: string;
  /**
   * Whether segments carry the node's name (`node1/eth0`: several nodes, --ssh, `-r LABEL=FILE`).
   * false: as the capture names them (`eth0`), for a bundle of one unlabelled file or local live capture.
   */
  readonly labelled: boolean;
  /** The node's capture (pcapng, interfaces named; times on the recording machine's clock). */
  readonly capture: string | null;
  /** node clock − recording clock, as estimated and already applied to the capture and dump times. */
  readonly clock: { readonly offsetNs: string; readonly uncertaintyNs: string } | null;
  readonly localAddresses: readonly string[];
  /** Live evidence compares only counter windows this recent (seconds); null = all of them. */
  readonly windowS: number | null;
  readonly keepalived: {
    /** The node's own path of the main configuration file; its files are under `configRoot` + that path. */
    readonly config: string | null;
    readonly configRoot: string | null;
    readonly dumps: readonly DumpFile[];
    /** keepalived's data dumps (keepalived.data: interfaces, advert sources, states; no counters), with their times. */
    readonly data: readonly TimedFile[];
    /** keepalived's log as the node wrote it (journal JSON lines or syslog; times on the node's clock). */
    readonly log: string | null;
  };
  readonly firewall: readonly TimedFile[];
  /** When the node's capture was not running (its connection lost): [fromNs, toNs | null]. */
  readonly lost: readonly (readonly [string, string | null])[];
  readonly interfaces: { readonly link: string | null; readonly addr: string | null };
};

export type Manifest = {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: number;
  readonly created: string;
  readonly tool: string;
  readonly nodes: readonly BundleNode[];
};

export class ManifestError extends Error {}

/** A path as the manifest may hold it: relative, forward slashes, no `..`, no empty or dot parts. */
export function isBundlePath(p: unknown): p is string {
  if (typeof p !== 'string' || p === '' || p.length > 512 || p.startsWith('/') || p.includes('\\') || p.includes('\0')) return false;
  return p.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

const NODE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** Parses and checks manifest.json; throws ManifestError with a one-line reason. */
export function parseManifest(text: string): Manifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`manifest.json is not JSON (${(e as Error).message})`);
  }
  const o = obj(m, 'manifest');
  if (o['format'] !== BUNDLE_FORMAT) throw new ManifestError(`manifest.json: not a vrrpscope bundle (format ${JSON.stringify(o['format'])})`);
  if (typeof o['version'] !== 'number' || o['version'] > BUNDLE_VERSION) throw new ManifestError(`manifest.json: bundle version ${String(o['version'])} is newer than this vrrpscope reads (${BUNDLE_VERSION})`);
  if (!Array.isArray(o['nodes'])) throw new ManifestError('manifest.json: no nodes');
  const names = new Set<string>();
  const nodes = o['nodes'].map((n, i): BundleNode => {
    const x = obj(n, `node ${i + 1}`);
    const name = x['name'];
    if (typeof name !== 'string' || !NODE_NAME.test(name)) throw new ManifestError(`manifest.json: node ${i + 1} has no usable name`);
    if (names.has(name)) throw new ManifestError(`manifest.json: two nodes are called ${name}`);
    names.add(name);
    const k = obj(x['keepalived'] ?? {}, `${name}.keepalived`);
    const ifs = obj(x['interfaces'] ?? {}, `${name}.interfaces`);
    const clock = x['clock'] === null || x['clock'] === undefined ? null : obj(x['clock'], `${name}.clock`);
    return {
      name,
      source: typeof x['source'] === 'string' ? x['source'].slice(0, 200) : '?',
      labelled: x['labelled'] !== false,
      capture: optPath(x['capture'], `${name}.capture`),
      clock: clock ? { offsetNs: nsString(clock['offsetNs'], `${name}.clock.offsetNs`), uncertaintyNs: nsString(clock['uncertaintyNs'], `${name}.clock.uncertaintyNs`) } : null,
      localAddresses: Array.isArray(x['localAddresses']) ? x['localAddresses'].filter((a): a is string => typeof a === 'string' && a.length < 64) : [],
      windowS: typeof x['windowS'] === 'number' && x['windowS'] > 0 ? x['windowS'] : null,
      keepalived: {
        config: typeof k['config'] === 'string' && k['config'].startsWith('/') ? k['config'] : null,
        configRoot: optPath(k['configRoot'], `${name}.keepalived.configRoot`),
        dumps: list(k['dumps'], `${name}.keepalived.dumps`).map((d, j) => {
          const f = timed(d, `${name}.keepalived.dumps[${j}]`);
          const kind = obj(d, '')['kind'];
          return { ...f, kind: kind === 'stats' ? 'stats' : 'json' };
        }),
        data: list(k['data'], `${name}.keepalived.data`).map((d, j) => timed(d, `${name}.keepalived.data[${j}]`)),
        log: optPath(k['log'], `${name}.keepalived.log`),
      },
      firewall: list(x['firewall'], `${name}.firewall`).map((f, j) => timed(f, `${name}.firewall[${j}]`)),
      lost: list(x['lost'], `${name}.lost`).map((l, j) => {
        if (!Array.isArray(l) || l.length !== 2) throw new ManifestError(`manifest.json: ${name}.lost[${j}] is not [from, to]`);
        return [nsString(l[0], `${name}.lost[${j}]`), l[1] === null ? null : nsString(l[1], `${name}.lost[${j}]`)] as const;
      }),
      interfaces: { link: optPath(ifs['link'], `${name}.interfaces.link`), addr: optPath(ifs['addr'], `${name}.interfaces.addr`) },
    };
  });
  return { format: BUNDLE_FORMAT, version: o['version'], created: typeof o['created'] === 'string' ? o['created'] : '', tool: typeof o['tool'] === 'string' ? o['tool'] : '', nodes };
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ManifestError(`manifest.json: ${what} is not an object`);
  return v as Record<string, unknown>;
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ManifestError(`manifest.json: ${what} is not a list`);
  return v;
}

function optPath(v: unknown, what: string): string | null {
  if (v === undefined || v === null) return null;
  if (!isBundlePath(v)) throw new ManifestError(`manifest.json: ${what} is not a path inside the bundle (${JSON.stringify(v).slice(0, 80)})`);
  return v;
}

function nsString(v: unknown, what: string): string {
  if (typeof v !== 'string' || !/^-?\d{1,20}$/.test(v)) throw new ManifestError(`manifest.json: ${what} is not a time in ns`);
  return v;
}

function timed(v: unknown, what: string): TimedFile {
  const o = obj(v, what);
  const file = optPath(o['file'], `${what}.file`);
  if (file === null) throw new ManifestError(`manifest.json: ${what} has no file`);
  return { file, timeNs: nsString(o['timeNs'], `${what}.timeNs`) };
}
