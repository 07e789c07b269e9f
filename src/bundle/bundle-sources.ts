// Bundles at the edges of the CLI: `-r DIR` / `-r DIR.tar.gz` turned into labelled inputs plus each
// node's evidence, and `--bundle` fed from capture files (with --keepalived-*/--firewall files) or
// from local live capture (what the host monitor read).

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CaptureInput } from '../capture/capture-source.js';
import { dumpTime, type HostEvidence } from '../host/host-evidence.js';
import { isKeepalivedData } from '../host/keepalived/data-dump.js';
import type { BundleWriter } from './bundle-writer.js';
import { isArchive, isBundleDir } from './bundle-path.js';
import { unpackBundle } from './bundle-archive.js';
import { readBundle } from './bundle-reader.js';

export type ExpandedInputs = {
  readonly inputs: CaptureInput[];
  readonly hosts: HostEvidence[];
  readonly bundles: number;
  cleanup(): void;
};

/** Replaces every -r that is a bundle (directory with manifest.json, or .tar.gz) by its nodes' captures. */
export async function expandBundles(inputs: readonly CaptureInput[], warn: (m: string) => void): Promise<ExpandedInputs> {
  const out: CaptureInput[] = [];
  const hosts: HostEvidence[] = [];
  const cleanups: (() => void)[] = [];
  let bundles = 0;
  const fromBundles = new Set<string>();
  for (const i of inputs) {
    if (i.path === '-' || i.stream) {
      out.push(i);
      continue;
    }
    let dir: string | undefined;
    if (isBundleDir(i.path)) dir = i.path;
    else if (isArchive(i.path) && existsSync(i.path) && statSync(i.path).isFile()) {
      const u = await unpackBundle(i.path);
      cleanups.push(u.cleanup);
      dir = u.dir;
    }
    if (dir === undefined) {
      out.push(i);
      continue;
    }
    bundles++;
    const b = readBundle(dir);
    for (const p of b.problems) warn(p);
    out.push(...b.inputs);
    hosts.push(...b.hosts);
    for (const x of b.inputs) if (x.label !== undefined) fromBundles.add(x.label);
  }
  // Two -r with one label merge into one segment on purpose (a capture split in two); a bundle's
  // node must not be merged with anything by accident.
  const labels = out.map((i) => i.label);
  const dup = [...fromBundles].find((l) => labels.filter((x) => x === l).length > 1);
  if (dup !== undefined) {
    for (const c of cleanups) c();
    throw new Error(`two inputs are called '${dup}' (a bundle node and a -r label?)`);
  }
  return { inputs: out, hosts, bundles, cleanup: () => cleanups.forEach((c) => c()) };
}

/** A usable node name from a -r label or file name. */
export function nodeName(s: string): string {
  const n = s.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '').slice(0, 64);
  return n === '' ? 'node' : n;
}

export type OfflineHostFiles = { readonly conf?: string; readonly json: readonly string[]; readonly log?: string; readonly firewall: readonly string[] };

/** Copies the offline host files (--keepalived-conf with its includes, dumps with their times, log, rulesets) into the bundle. */
export function copyOfflineEvidence(bundle: BundleWriter, node: string, h: OfflineHostFiles, ev: HostEvidence | undefined, warn: (m: string) => void): void {
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(p, 'utf8');
    } catch (e) {
      warn(`--bundle: ${p}: ${(e as Error).message}`);
      return undefined;
    }
  };
  if (h.conf !== undefined) {
    const main = resolve(h.conf);
    bundle.evidence(node, 'conf-main', main, '', 0n);
    for (const f of new Set([main, ...(ev?.config?.files ?? []).map((x) => resolve(x))])) {
      const t = read(f);
      if (t !== undefined) bundle.evidence(node, 'conf', f, t, 0n);
    }
  }
  for (const arg of h.json) {
    const { path, ts } = dumpTime(arg);
    const t = read(path);
    if (t === undefined) continue;
    const when = ts ?? BigInt(Math.round(statSync(path).mtimeMs * 1e6));
    bundle.evidence(node, isKeepalivedData(t) ? 'data' : t.trimStart().startsWith('[') || t.trimStart().startsWith('{') ? 'json' : 'stats', path, t, when);
  }
  if (h.log !== undefined) {
    const t = read(h.log);
    if (t !== undefined) bundle.evidence(node, 'log', 'keepalived.log', t, 0n);
  }
  h.firewall.forEach((f, i) => {
    const t = read(f);
    if (t === undefined) return;
    const when = BigInt(Math.round(statSync(f).mtimeMs * 1e6));
    bundle.evidence(node, 'firewall', `ruleset-${i + 1}.${t.trimStart().startsWith('{') ? 'json' : 'txt'}`, t, when);
  });
}

/** What the local host monitor read, at the end of a live run (rulesets, configuration, addresses). */
export function copyLiveEvidence(bundle: BundleWriter, node: string, ev: HostEvidence, confPath: string | undefined): void {
  const at = ev.firewallReadNs ?? 0n;
  if (ev.firewall?.iptablesSave !== undefined) bundle.evidence(node, 'firewall', 'iptables-save.txt', ev.firewall.iptablesSave, at);
  if (ev.firewall?.ip6tablesSave !== undefined) bundle.evidence(node, 'firewall', 'ip6tables-save.txt', ev.firewall.ip6tablesSave, at);
  if (ev.firewall?.nftJson !== undefined) bundle.evidence(node, 'firewall', 'nft.json', ev.firewall.nftJson, at);
  if (ev.config && confPath !== undefined) {
    bundle.evidence(node, 'conf-main', resolve(confPath), '', 0n);
    for (const f of ev.config.files) {
      try {
        bundle.evidence(node, 'conf', resolve(f), readFileSync(f, 'utf8'), 0n);
      } catch {
        // gone since it was read: the parsed configuration was still used
      }
    }
  }
  bundle.setHost(node, { localAddresses: ev.localAddresses, windowS: ev.windowNs !== undefined ? Number(ev.windowNs / 1_000_000_000n) : null });
}
