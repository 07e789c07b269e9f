// `--bundle DIR` (or DIR.tar.gz): what was seen, for the engineer who looks later. Per node: its
// capture as pcapng (interfaces named, times on this machine's clock), and its host evidence as it
// was read — keepalived's configuration files under config/ by their path on the node, each dump
// with the time it was taken, the log as the node wrote it, the latest firewall ruleset and
// `ip -j link/addr` — plus manifest.json (docs/bundle.md), rewritten every few seconds so a bundle
// cut short by a crash still reads.

import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Frame } from '../capture/frame.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import type { ClockOffset } from '../ssh/clock-offset.js';
import { packBundle } from './bundle-archive.js';
import { isArchive } from './bundle-path.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION, isBundlePath, MANIFEST, type BundleNode, type DumpFile, type Manifest, type TimedFile } from './manifest.js';

type NodeRecord = {
  name: string;
  source: string;
  labelled: boolean;
  writer: PcapngWriter;
  clock: ClockOffset | undefined;
  localAddresses: Set<string>;
  windowS: number | null;
  config: string | null;
  configFiles: Set<string>;
  dumps: DumpFile[];
  data: TimedFile[];
  log: boolean;
  firewall: Map<string, TimedFile>;
  link: boolean;
  addr: boolean;
  lost: (readonly [string, string | null])[];
};

const MAX_DUMPS = 2000;

export class BundleWriter {
  /** Where files go now (a staging directory when packing to .tar.gz). */
  private readonly dir: string;
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly timer: NodeJS.Timeout;
  private finished = false;

  /** `target`: a directory (created; must not exist or be empty), or a path ending in .tar.gz / .tgz. */
  constructor(
    readonly target: string,
    private readonly tool: string,
  ) {
    if (isArchive(target)) {
      const parent = dirname(resolve(target));
      if (!existsSync(parent)) throw new Error(`--bundle: no directory ${parent}`);
      if (existsSync(target)) throw new Error(`--bundle: ${target} exists already`);
      const stage = mkdtempSync(join(parent, '.vrrpscope-bundle-'));
      this.dir = join(stage, archiveRoot(target));
      mkdirSync(this.dir);
    } else {
      if (existsSync(target) && readdirSync(target).length > 0) throw new Error(`--bundle: ${target} exists and is not empty`);
      mkdirSync(target, { recursive: true });
      this.dir = target;
    }
    this.timer = setInterval(() => this.writeManifest(), 10_000);
    this.timer.unref();
  }

  /** Registers a node (its directory and capture file) once; later calls return the same. */
  node(name: string, source: string, labelled = true): void {
    if (this.nodes.has(name)) return;
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    const writer = new PcapngWriter(join(d, 'capture.pcapng'), `${this.tool} (bundle, node ${name})`);
    this.nodes.set(name, { name, source, labelled, writer, clock: undefined, localAddresses: new Set(), windowS: null, config: null, configFiles: new Set(), dumps: [], data: [], log: false, firewall: new Map(), link: false, addr: false, lost: [] });
  }

  frame(node: string, f: Frame, iface: string, ts: bigint): void {
    this.nodes.get(node)?.writer.write(f, iface, ts);
  }

  setClock(node: string, c: ClockOffset | undefined): void {
    const n = this.nodes.get(node);
    if (n && c) n.clock = c;
  }

  setHost(node: string, h: { localAddresses?: Iterable<string>; windowS?: number | null; config?: string; lost?: readonly { from: bigint; to: bigint | undefined }[] }): void {
    const n = this.nodes.get(node);
    if (!n) return;
    if (h.lost) n.lost = h.lost.map((b) => [b.from.toString(), b.to === undefined ? null : b.to.toString()] as const);
    for (const a of h.localAddresses ?? []) n.localAddresses.add(a);
    if (h.windowS !== undefined) n.windowS = h.windowS;
    if (h.config !== undefined) n.config = h.config;
  }

  /**
   * One piece of host evidence. kinds: conf (name = its path on the node), conf-main (name = path),
   * json / stats (a dump), data (keepalived.data), log (one line), firewall (name = iptables-save.txt, ip6tables-save.txt,
   * nft.json), ip-link / ip-addr.
   */
  evidence(node: string, kind: string, name: string, text: string, ts: bigint): void {
    const n = this.nodes.get(node);
    if (!n || this.finished) return;
    const put = (rel: string, body: string): void => {
      const p = join(this.dir, n.name, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, body);
    };
    switch (kind) {
      case 'conf-main':
        n.config = name;
        return;
      case 'conf': {
        const rel = `config${name}`;
        if (!name.startsWith('/') || !isBundlePath(`${n.name}/${rel}`)) return;
        put(rel, text);
        n.configFiles.add(name);
        n.config ??= name;
        return;
      }
      case 'json':
      case 'stats': {
        if (n.dumps.length >= MAX_DUMPS) return;
        const rel = `dumps/${String(n.dumps.length + 1).padStart(4, '0')}.${kind}`;
        put(rel, text);
        n.dumps.push({ file: `${n.name}/${rel}`, timeNs: ts.toString(), kind });
        return;
      }
      case 'data': {
        if (n.data.length >= MAX_DUMPS) return;
        const rel = `dumps/data-${String(n.data.length + 1).padStart(4, '0')}.txt`;
        put(rel, text);
        n.data.push({ file: `${n.name}/${rel}`, timeNs: ts.toString() });
        return;
      }
      case 'log': {
        const p = join(this.dir, n.name, 'keepalived.log');
        appendFileSync(p, text.endsWith('\n') ? text : `${text}\n`);
        n.log = true;
        return;
      }
      case 'firewall':
        if (!/^[a-z0-9-]+\.(txt|json)$/.test(name)) return;
        put(`firewall/${name}`, text);
        n.firewall.set(name, { file: `${n.name}/firewall/${name}`, timeNs: ts.toString() });
        return;
      case 'ip-link':
        put('ip-link.json', text);
        n.link = true;
        return;
      case 'ip-addr':
        put('ip-addr.json', text);
        n.addr = true;
        return;
      default:
        return;
    }
  }

  manifest(): Manifest {
    const nodes: BundleNode[] = [...this.nodes.values()].map((n) => ({
      name: n.name,
      source: n.source,
      labelled: n.labelled,
      capture: `${n.name}/capture.pcapng`,
      clock: n.clock ? { offsetNs: n.clock.offsetNs.toString(), uncertaintyNs: n.clock.uncertaintyNs.toString() } : null,
      localAddresses: [...n.localAddresses],
      windowS: n.windowS,
      keepalived: { config: n.config, configRoot: n.configFiles.size > 0 ? `${n.name}/config` : null, dumps: n.dumps, data: n.data, log: n.log ? `${n.name}/keepalived.log` : null },
      firewall: [...n.firewall.values()],
      lost: n.lost,
      interfaces: { link: n.link ? `${n.name}/ip-link.json` : null, addr: n.addr ? `${n.name}/ip-addr.json` : null },
    }));
    return { format: BUNDLE_FORMAT, version: BUNDLE_VERSION, created: new Date().toISOString(), tool: this.tool, nodes };
  }

  private writeManifest(): void {
    if (this.finished) return;
    for (const n of this.nodes.values()) n.writer.flush();
    const tmp = join(this.dir, `.${MANIFEST}.tmp`);
    writeFileSync(tmp, JSON.stringify(this.manifest(), null, 2) + '\n');
    renameSync(tmp, join(this.dir, MANIFEST));
  }

  /** Closes the captures (end time), writes the manifest, packs a .tar.gz; resolves with the path written. */
  async finish(end: bigint): Promise<string> {
    if (this.finished) return this.target;
    clearInterval(this.timer);
    for (const n of this.nodes.values()) n.writer.close(end, new Map());
    this.writeManifest();
    this.finished = true;
    if (!isArchive(this.target)) return this.target;
    const stage = dirname(this.dir);
    try {
      await packBundle(stage, basename(this.dir), this.target);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
    return this.target;
  }
}

/** The directory name inside the archive: the archive's name without .tar.gz. */
function archiveRoot(p: string): string {
  const b = basename(p).replace(/\.(tar\.gz|tgz)$/, '');
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(b) ? b : 'vrrpscope-bundle';
}
