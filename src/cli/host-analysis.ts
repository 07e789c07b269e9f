// The host's half of the replay pipeline: `-i any` interface names from the host's evidence, the
// correlation of keepalived's view and the firewall with the wire, and the findings of both. Loaded
// only when there is host evidence (analyze-captures.ts imports it on demand).

import { closeSync, openSync, readSync } from 'node:fs';
import { readInputs } from '../capture/read-inputs.js';
import type { CaptureInput } from '../capture/capture-source.js';
import type { Packet } from '../decode/packet.js';
import { analyze } from '../analysis/analyze.js';
import { NodeClocks } from '../analysis/node-clocks.js';
import { sortFindings, type Finding } from '../analysis/finding.js';
import type { AdvertLedger } from '../host/advert-ledger.js';
import { refineWithDaemonLog } from '../host/daemon-log-evidence.js';
import { correlate } from '../host/correlate.js';
import { hostsOf, settleDumpTimes, type HostEvidence, type HostSet } from '../host/host-evidence.js';
import { IfindexNamer, type NamerInstance } from '../host/interface-namer.js';
import { segmentOf } from '../model/segment.js';
import type { Timeline } from '../model/timeline.js';
import { wireSegmenter } from './analyze-captures.js';

export { linkInstances } from '../host/correlate.js';

/**
 * Packet → segment for these inputs. With host evidence, `-i any` interface indexes are named from
 * it (an `ip link` file or keepalived data dump, else the configured instances), and the mapping
 * used is kept in the evidence for the report.
 */
export function segmenter(inputs: readonly CaptureInput[], host: HostEvidence | undefined): (p: Packet) => string {
  if (!host) return wireSegmenter(inputs);
  const labelled = new Set(inputs.filter((i) => i.label !== undefined).map((i) => i.label!));
  const namer = (host.namer = new IfindexNamer(host.interfaceNames, namerInstances(host)));
  return (p) => segmentOf(p, labelled.has(p.input), namer.namer);
}

/** The instances an index can be matched with: configured ones, else those keepalived's dumps list. */
function namerInstances(host: HostEvidence): NamerInstance[] {
  const out: NamerInstance[] = [...(host.config?.instances ?? [])];
  const seen = new Set(out.map((i) => i.name));
  for (const d of [...host.dumps, ...host.undated]) {
    for (const i of d.dump.instances) {
      if (seen.has(i.name)) continue;
      seen.add(i.name);
      // A dump's VIPs read "192.168.2.1/24 dev eth0 scope global".
      const addrs = i.vips.map((v) => v.split(/[\s/]/)[0] ?? '').filter((a) => a !== '');
      out.push({ name: i.name, interface: i.interface, vrid: i.vrid, family: addrs.some((a) => a.includes(':')) ? 6 : 4, virtualAddresses: addrs.map((address) => ({ address })) });
    }
  }
  return out;
}

/**
 * `-i any` files named only from keepalived's instances: an index is named by the first advert that
 * matches an instance, so read those files once before, to learn every name — else the packets
 * before that advert (a foreign cluster's, an ARP) would make a segment `if2` of their own.
 * Not for standard input, gzip or files that are not SLL2 (their first interface says so).
 */
export async function learnIndexes(inputs: readonly CaptureInput[], host: HostEvidence | undefined): Promise<void> {
  const namer = host?.namer;
  if (namer === undefined || !namer.learns()) return;
  const files = inputs.filter((i) => i.stream === undefined && i.path !== '-' && firstLinkType(i.path) === 276);
  if (files.length === 0) return;
  await readInputs(files, (p) => void (p.linktype === 276 && segmentOf(p, false, namer.namer)), () => undefined);
  namer.settle();
}

/** The link type of a pcap file, or of a pcapng file's first interface; undefined when not readable so. */
function firstLinkType(path: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const b = Buffer.alloc(4096);
    const n = readSync(fd, b, 0, b.length, 0);
    if (n < 24) return undefined;
    const magic = b.readUInt32LE(0);
    if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return b.readUInt32LE(20) & 0xffff;
    if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) return b.readUInt32BE(20) & 0xffff;
    if (magic !== 0x0a0d0d0a) return undefined;
    const le = b.readUInt32LE(8) === 0x1a2b3c4d;
    const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const shb = u32(4);
    if (shb < 28 || shb + 12 > n || u32(shb) !== 1) return undefined;
    return le ? b.readUInt16LE(shb + 8) : b.readUInt16BE(shb + 8);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** After the capture: dumps without a time are dated (never by their file's mtime). */
export function settleHost(host: HostEvidence, captureEndNs: bigint | undefined): void {
  settleDumpTimes(host, captureEndNs);
}

/** The wire's findings, plus the host's when there is host evidence. */
export function withHost(timeline: Timeline, ledger: AdvertLedger, host: HostSet | undefined): Finding[] {
  const hosts = hostsOf(host);
  // Host findings are causes: they run first, so the wire's symptoms can name them. Each node's
  // evidence (--ssh, a bundle) is compared with its own segments.
  const hostFindings = hosts.flatMap((h) => correlate(timeline, ledger, h)).map((f) => (f.kind || f.severity === 'info' ? f : { ...f, kind: 'cause' as const }));
  let all = [...hostFindings, ...analyze(timeline, hostFindings, nodeClocks(host))];
  for (const h of hosts) all = refineWithDaemonLog(timeline, all, h);
  return sortFindings(notBlind(all, host));
}

/** Each node's clock uncertainty (its evidence's `clock`), by the scope its segments carry. */
export function nodeClocks(host: HostSet | undefined): NodeClocks {
  return new NodeClocks(hostsOf(host).flatMap((h) => (h.scope === undefined ? [] : [{ node: h.scope, uncertaintyNs: h.clock?.uncertaintyNs ?? 0n }])));
}

/** Findings that rest on silence, which a node's lost capture also makes. */
const SILENCE: ReadonlySet<string> = new Set(['master-silent', 'no-master', 'flapping', 'master-change', 'master-gone', 'master-stalled', 'advert-loss', 'adverts-late', 'one-way-vrrp', 'garp-missing']);
/** A blind spot covers this much after it, too: a master's silence is judged over its master-down interval. */
const BLIND_GRACE_NS = 5_000_000_000n;

/** Drops silence warnings on a node's segments that overlap a time its capture was not running. */
export function notBlind(findings: Finding[], host: HostSet | undefined): Finding[] {
  const spots = hostsOf(host).filter((h) => h.scope !== undefined && (h.blind?.length ?? 0) > 0);
  if (spots.length === 0) return findings;
  return findings.filter((f) => {
    // Info stays (a master change after the node came back is worth seeing); warnings go.
    if (!SILENCE.has(f.code) || f.segment === undefined || f.severity === 'info') return true;
    const h = spots.find((x) => f.segment!.startsWith(`${x.scope}/`));
    return !h?.blind!.some((b) => f.lastSeen >= b.from && (b.to === undefined || f.firstSeen <= b.to + BLIND_GRACE_NS));
  });
}
