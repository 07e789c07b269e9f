// `vrrpscope -r DIR` (or DIR.tar.gz) on a bundle: each node's capture becomes a labelled input
// (segments `node/eth0`), each node's host evidence is loaded scoped to its own segments, with the
// times the manifest gives. Nothing outside the bundle is ever opened: every path is checked
// against the bundle's real directory after symlinks are resolved, and keepalived's includes are
// looked up under the node's config/ copy, never on this machine.

import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, posix, resolve, sep } from 'node:path';
import type { CaptureInput } from '../capture/capture-source.js';
import { splitFirewallDump } from '../host/firewall/index.js';
import { addDataDump, addDump, emptyEvidence, type HostEvidence } from '../host/host-evidence.js';
import { parseKeepalivedConf } from '../host/keepalived/config.js';
import { parseKeepalivedJson } from '../host/keepalived/json-dump.js';
import { KeepalivedLogParser } from '../host/keepalived/log.js';
import { parseKeepalivedStats } from '../host/keepalived/stats-dump.js';
import { MANIFEST, parseManifest, type Manifest } from './manifest.js';

export type LoadedBundle = {
  readonly manifest: Manifest;
  readonly inputs: CaptureInput[];
  readonly hosts: HostEvidence[];
  /** One line each; the rest of the bundle is still read. */
  readonly problems: string[];
};

const MAX_TEXT = 256 * 1024 * 1024;

/** A path inside the bundle, or an Error saying why not (outside, missing, not a file). */
export function insideBundle(root: string, rel: string): string {
  const base = realpathSync(root);
  const full = resolve(base, rel);
  if (full !== base && !full.startsWith(base + sep)) throw new Error(`${rel}: outside the bundle`);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new Error(`${rel}: missing from the bundle`);
  }
  if (real !== base && !real.startsWith(base + sep)) throw new Error(`${rel}: a link out of the bundle`);
  return real;
}

function readText(root: string, rel: string): string {
  const p = insideBundle(root, rel);
  const st = statSync(p);
  if (!st.isFile()) throw new Error(`${rel}: not a file`);
  if (st.size > MAX_TEXT) throw new Error(`${rel}: too large (${st.size} bytes)`);
  return readFileSync(p, 'utf8');
}

export function readBundle(dir: string): LoadedBundle {
  const manifest = parseManifest(readText(dir, MANIFEST));
  const inputs: CaptureInput[] = [];
  const hosts: HostEvidence[] = [];
  const problems: string[] = [];
  for (const n of manifest.nodes) {
    const say = (m: string): void => void problems.push(`bundle ${n.name}: ${m}`);
    if (n.capture !== null) {
      try {
        inputs.push({ label: n.labelled ? n.name : undefined, path: insideBundle(dir, n.capture) });
      } catch (e) {
        say((e as Error).message);
      }
    }
    const ev = emptyEvidence();
    if (n.labelled) ev.scope = n.name;
    if (n.lost.length > 0) ev.blind = n.lost.map(([from, to]) => ({ from: BigInt(from), to: to === null ? undefined : BigInt(to) }));
    if (n.clock) ev.clock = { offsetNs: BigInt(n.clock.offsetNs), uncertaintyNs: BigInt(n.clock.uncertaintyNs) };
    for (const a of n.localAddresses) ev.localAddresses.add(a);
    if (n.windowS !== null) ev.windowNs = BigInt(Math.round(n.windowS * 1e9));
    const k = n.keepalived;
    if (k.config !== null && k.configRoot !== null) {
      const root = k.configRoot;
      // Includes name paths on the node: they are looked up in the node's copy of them.
      const onNode = (p: string): string => `${root}${posix.normalize(posix.isAbsolute(p) ? p : `/${p}`)}`;
      const readFile = (p: string): string => readText(dir, onNode(p));
      const readDir = (d: string): string[] => readdirSync(insideBundle(dir, onNode(d)));
      try {
        ev.config = parseKeepalivedConf(k.config, readFile, readDir);
        for (const e of ev.config.errors) say(`${e.file}:${e.line}: ${e.message}`);
      } catch (e) {
        say(`${k.config}: ${(e as Error).message}`);
      }
    }
    for (const d of k.dumps) {
      try {
        const text = readText(dir, d.file);
        const dump = d.kind === 'stats' ? parseKeepalivedStats(text) : parseKeepalivedJson(text);
        if (dump.instances.length === 0 && dump.errors.length > 0) say(`${d.file}: ${dump.errors[0]!.message}`);
        else addDump(ev, { ts: BigInt(d.timeNs), dump, source: d.file });
      } catch (e) {
        say((e as Error).message);
      }
    }
    // After the counter dumps: a data dump taken right after a stats dump gives it its states.
    for (const d of k.data) {
      try {
        for (const p of addDataDump(ev, readText(dir, d.file), d.file, BigInt(d.timeNs))) say(`${d.file}: ${p}`);
      } catch (e) {
        say((e as Error).message);
      }
    }
    if (k.log !== null) {
      try {
        const parser = new KeepalivedLogParser({});
        // The log keeps the node's own times: put them on the recording clock like the rest.
        const off = n.clock ? BigInt(n.clock.offsetNs) : 0n;
        for (const line of readText(dir, k.log).split('\n')) {
          const e = parser.parseLine(line);
          if (e) ev.log.push(e.time === undefined ? e : { ...e, time: e.time - off });
        }
      } catch (e) {
        say((e as Error).message);
      }
    }
    for (const f of n.firewall) {
      try {
        const r = splitFirewallDump(readText(dir, f.file));
        ev.firewall = { ...ev.firewall, ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) };
        ev.firewallSource = `${n.name}'s ruleset in the bundle`;
        const t = BigInt(f.timeNs);
        if (ev.firewallReadNs === undefined || t > ev.firewallReadNs) ev.firewallReadNs = t;
      } catch (e) {
        say((e as Error).message);
      }
    }
    hosts.push(ev);
  }
  return { manifest, inputs, hosts, problems };
}
