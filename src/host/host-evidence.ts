// What vrrpscope knows about the host beside the wire: keepalived's configuration, its counter
// dumps over time, its log, and the firewall ruleset. Collected offline from files (a bundle an
// engineer was sent) or live from the running host; the correlation reads it, never the files.

import { statSync } from 'node:fs';
import { hostLimits, limitText } from './host-limits.js';
import { hostTextOf, mib, mustBeInside, readHostBytes, readHostText } from './read-host-file.js';
import { inertJsonSource, inertSource } from '../util/inert.js';
import type { FirewallRulesets } from './firewall/index.js';
import { splitFirewallDump } from './firewall/index.js';
import { parseInterfaceNames, parseKeepalivedDataInterfaces, type InterfaceNames } from './interface-names.js';
import type { IfindexNamer } from './interface-namer.js';
import { parseKeepalivedConf, type KeepalivedConfig } from './keepalived/config.js';
import { isKeepalivedData, parseKeepalivedData, withStates } from './keepalived/data-dump.js';
import { parseKeepalivedJson } from './keepalived/json-dump.js';
import type { KeepalivedDump } from './keepalived/dump-types.js';
import { parseKeepalivedLog, type KeepalivedLogEvent } from './keepalived/log.js';
import { parseKeepalivedStats } from './keepalived/stats-dump.js';
import { parseTimeArg } from '../views/time-format.js';

/**
 * How a dump's time was known: given (FILE@TIME, or the live clock when it was asked for), from
 * keepalived's log ("Printing VRRP as json … on signal"), from the dump itself (no earlier than
 * its latest transition), or the end of the capture. Never the file's mtime: a copied file has any.
 */
export type DumpTimeSource = 'given' | 'live' | 'log' | 'dump' | 'capture-end';

export type TimedDump = {
  readonly ts: bigint;
  readonly dump: KeepalivedDump;
  readonly source: string;
  /** Absent = given. */
  readonly timeSource?: DumpTimeSource;
  /** Plain words, for the report, when the time was not given. */
  readonly timeHow?: string;
};

/** A dump read from a file without @TIME: dated once the capture (and its end) is known. */
export type UndatedDump = { readonly dump: KeepalivedDump; readonly source: string };

export type HostEvidence = {
  config: KeepalivedConfig | undefined;
  /** Counter dumps, oldest first. */
  readonly dumps: TimedDump[];
  readonly log: KeepalivedLogEvent[];
  firewall: FirewallRulesets | undefined;
  /** Where the firewall ruleset came from (a file, or the commands run live). */
  firewallSource: string | undefined;
  /** Addresses of this host (live), so its own routers are told apart from peers. */
  readonly localAddresses: Set<string>;
  /** Problems reading any of it, one line each. */
  readonly problems: string[];
  /** Dumps without a time yet (offline, no @TIME): settleDumpTimes dates them. */
  readonly undated: UndatedDump[];
  /** Interface index → name (--ip-link FILE, or a keepalived data dump), for `-i any` captures. */
  interfaceNames: InterfaceNames | undefined;
  /** Names the capture's interface indexes while it is read; afterwards, which names it used and how. */
  namer?: IfindexNamer;
  /** Live: only counter windows ending this recently count (a fix shows within a few dumps). */
  windowNs?: bigint;
  /** Live: when the ruleset was last read (capture clock), and a way to ask for a fresh read. */
  firewallReadNs?: bigint;
  refreshFirewall?: () => void;
  /**
   * The node this evidence belongs to when several are watched (`--ssh`, a bundle): it is then
   * correlated only with that node's segments (`node2/eth0`), and findings name the node.
   */
  scope?: string;
  /**
   * The node's clock against the machine that put the nodes together (--ssh, a bundle): its offset
   * was subtracted from every time of this node; ± uncertaintyNs remains. Two events on different
   * nodes closer than the sum of their uncertainties have no known order.
   */
  clock?: { readonly offsetNs: bigint; readonly uncertaintyNs: bigint };
  /**
   * When this node's capture was not running (its ssh connection lost): silence on its segments then
   * says nothing about VRRP. `to` undefined = still lost.
   */
  blind?: { from: bigint; to: bigint | undefined }[];
};

export { hostsOf, type HostSet } from './host-set.js';

export function emptyEvidence(): HostEvidence {
  return { config: undefined, dumps: [], log: [], firewall: undefined, firewallSource: undefined, localAddresses: new Set(), problems: [], undated: [], interfaceNames: undefined };
}

/** `FILE` or `FILE@TIME` (TIME: epoch seconds, or an ISO 8601 date-time): when the dump was taken. */
export function dumpTime(arg: string, exists: (p: string) => boolean = (p) => statOk(p)): { path: string; ts: bigint | undefined } {
  const at = arg.lastIndexOf('@');
  if (at > 0 && !exists(arg)) {
    const t = arg.slice(at + 1);
    const ns = parseTimeArg(t);
    if (typeof ns === 'bigint') return { path: arg.slice(0, at), ts: ns };
  }
  return { path: arg, ts: undefined };
}

function statOk(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

export type OfflineBundle = {
  readonly conf?: string;
  readonly json?: readonly string[];
  readonly log?: string;
  readonly firewall?: readonly string[];
  /** Year for syslog lines, which carry none. */
  readonly year?: number;
  /** `ip -j link` / `ip -j addr` / `ip link` / `ip addr` output, or a keepalived data dump (--ip-link). */
  readonly interfaces?: string;
  /** The bundle directory these files came from: the config's includes stay inside it… */
  readonly root?: string;
  /** …unless the user said otherwise (--allow-include-outside). */
  readonly allowIncludeOutside?: boolean;
};

/** Reads an offline bundle; problems are collected, never thrown. */
export function loadBundle(b: OfflineBundle): HostEvidence {
  const ev = emptyEvidence();
  const limits = hostLimits();
  // Every file goes through readHostText: regular files only, a size cap, and the text already inert.
  // In a bundle, every file (the config's includes too) must resolve inside the bundle directory.
  const within = b.root !== undefined && b.allowIncludeOutside !== true ? { within: b.root } : {};
  const file = { maxBytes: limits.fileBytes, limit: limitText(limits, 'fileBytes'), ...within };
  if (b.conf !== undefined) {
    try {
      if (within.within !== undefined) mustBeInside(b.conf, within.within);
      ev.config = parseKeepalivedConf(b.conf, undefined, undefined, { limits, ...(b.root !== undefined ? { root: b.root, allowOutside: b.allowIncludeOutside === true } : {}) });
      for (const e of ev.config.errors) ev.problems.push(`${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`);
    } catch (e) {
      ev.problems.push(`${b.conf}: ${(e as Error).message}`);
    }
  }
  for (const arg of b.json ?? []) {
    const { path, ts } = dumpTime(arg);
    try {
      const raw = hostTextOf(readHostBytes(path, file).bytes);
      // keepalived.data (--signum=DATA) has no counters, but it names every interface with its index.
      if (isKeepalivedData(raw)) {
        for (const p of addDataDump(ev, inertSource(raw), path, undefined)) ev.problems.push(`${path}: ${p}`);
        continue;
      }
      const isJson = /^\s*[[{]/.test(raw);
      const dump = isJson ? parseKeepalivedJson(inertJsonSource(raw)) : parseKeepalivedStats(inertSource(raw));
      for (const e of dump.errors) ev.problems.push(`${path}: ${e.message}`);
      if (ts !== undefined) addDump(ev, { ts, dump, source: path, timeSource: 'given' });
      else ev.undated.push({ dump, source: path });
    } catch (e) {
      ev.problems.push(`${path}: ${readProblem(e)}`);
    }
  }
  if (b.interfaces !== undefined) {
    try {
      const names = parseInterfaceNames(readHostText(b.interfaces, { ...file, format: 'text' }).text, b.interfaces);
      for (const e of names.errors) ev.problems.push(`${b.interfaces}: ${e.line !== undefined ? `line ${e.line}: ` : ''}${e.message}`);
      ev.interfaceNames = names;
      // The host's own addresses tell its adverts from its peers' (like localAddresses live).
      for (const i of names.byIndex.values()) for (const a of i.addresses) if (!a.startsWith('127.') && a !== '::1') ev.localAddresses.add(a);
    } catch (e) {
      ev.problems.push((e as NodeJS.ErrnoException).code !== undefined ? `${b.interfaces}: ${readProblem(e)}` : (e as Error).message);
    }
  }
  if (b.log !== undefined) {
    try {
      const r = readHostText(b.log, { maxBytes: limits.logBytes, limit: limitText(limits, 'logBytes'), tail: true, format: 'lines', ...within });
      if (r.keptFrom !== undefined) ev.problems.push(`${b.log}: ${mib(r.size)} is over ${limitText(limits, 'logBytes')}: only its last ${mib(r.size - r.keptFrom)} (from byte ${r.keptFrom}) was read`);
      // one by one: a spread of a few hundred thousand events would overflow the call stack
      for (const e of parseKeepalivedLog(r.text, b.year !== undefined ? { referenceYear: b.year } : {})) ev.log.push(e);
      // keepalived names this host's addresses at start: "Assigned address 192.168.2.12 for interface eth0".
      for (const e of ev.log) {
        const m = /^Assigned address ([0-9a-fA-F.:]+) for interface \S+$/.exec(e.text);
        if (m) ev.localAddresses.add(m[1]!);
      }
    } catch (e) {
      ev.problems.push(`${b.log}: ${readProblem(e)}`);
    }
  }
  for (const f of b.firewall ?? []) {
    try {
      const split = splitFirewallDump(hostTextOf(readHostBytes(f, file).bytes));
      // made inert per part: nft -j output is JSON, whose string escapes must be neutralised too
      const r = {
        ...(split.iptablesSave !== undefined ? { iptablesSave: inertSource(split.iptablesSave) } : {}),
        ...(split.ip6tablesSave !== undefined ? { ip6tablesSave: inertSource(split.ip6tablesSave) } : {}),
        ...(split.nftJson !== undefined ? { nftJson: inertJsonSource(split.nftJson) } : {}),
      };
      ev.firewall = { ...ev.firewall, ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) };
      ev.firewallSource = ev.firewallSource ? `${ev.firewallSource}, ${f}` : f;
    } catch (e) {
      ev.problems.push(`${f}: ${readProblem(e)}`);
    }
  }
  return ev;
}

/**
 * Dates the dumps read without a time, once the capture has been read. Per dump, in this order:
 * keepalived's log (each JSON / stats dump it writes is logged "Printing VRRP as json|stats for
 * process(N) on signal": with k undated dumps of a kind and at least k such lines, the last k lines
 * date them, ordered by their counters, which only grow); else the dump itself when it shows a
 * transition after the capture's end (it was taken no earlier); else the end of the capture.
 */
export function settleDumpTimes(ev: HostEvidence, captureEndNs: bigint | undefined): void {
  if (ev.undated.length === 0) return;
  const pending = ev.undated.splice(0, ev.undated.length);
  for (const kind of ['json', 'stats'] as const) {
    const mine = pending.filter((u) => u.dump.format === kind).sort((a, b) => counterSum(a.dump) - counterSum(b.dump));
    if (mine.length === 0) continue;
    // Two signals within one second leave one file (the later dump): one line per second counts.
    const all = ev.log.filter((e) => e.time !== undefined && (kind === 'json' ? /^Printing VRRP as json for process/ : /^Printing VRRP stats for process/).test(e.text));
    const printed = all.filter((e, i) => all[i + 1]?.time !== e.time);
    if (printed.length >= mine.length) {
      const lines = printed.slice(-mine.length);
      const guess = printed.length > mine.length ? ` (${mine.length} dumps, ${printed.length} such lines: taken to be the last ${mine.length})` : '';
      mine.forEach((u, i) => {
        const t = lines[i]!.time!;
        addDump(ev, { ts: t, dump: u.dump, source: u.source, timeSource: 'log', timeHow: `${u.source} is dated ${iso(t)} by keepalived's log line "${lines[i]!.text}"${guess}` });
      });
      continue;
    }
    for (const u of mine) {
      const lastTransition = u.dump.instances.reduce<bigint | undefined>((m, i) => (i.lastTransitionNs !== undefined && (m === undefined || i.lastTransitionNs > m) ? i.lastTransitionNs : m), undefined);
      if (captureEndNs === undefined || (lastTransition !== undefined && lastTransition > captureEndNs)) {
        if (lastTransition === undefined) {
          ev.problems.push(`${u.source}: no time for this dump (give it as FILE@TIME); it is not used`);
          continue;
        }
        addDump(ev, { ts: lastTransition, dump: u.dump, source: u.source, timeSource: 'dump', timeHow: `${u.source} has no time: dated ${iso(lastTransition)}, its latest transition (it was taken no earlier); give FILE@TIME to be exact` });
      } else {
        addDump(ev, { ts: captureEndNs, dump: u.dump, source: u.source, timeSource: 'capture-end', timeHow: `${u.source} has no time: taken to be from the end of the capture (${iso(captureEndNs)}); give FILE@TIME to be exact` });
      }
    }
  }
}

function counterSum(d: KeepalivedDump): number {
  return d.instances.reduce((a, i) => a + (i.stats.advertRcvd ?? 0) + (i.stats.advertSent ?? 0), 0);
}

function iso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** A stats dump and a data dump this close together (the data one asked right after) describe one moment. */
export const DATA_BESIDE_STATS_NS = 3_000_000_000n;

/**
 * keepalived's data dump (keepalived.data): it has no counters, but names every interface with its
 * index (for `-i any` captures, when nothing else named them), the addresses this host's adverts
 * come from ("Using src_ip"), and each instance's state — which a stats dump taken just before it
 * (TS known, within DATA_BESIDE_STATS_NS) lacks: that one gets the states. Returns the problems.
 */
export function addDataDump(ev: HostEvidence, text: string, source: string, ts: bigint | undefined): string[] {
  const problems: string[] = [];
  const names = parseKeepalivedDataInterfaces(text, source);
  for (const e of names.errors) problems.push(`${e.line !== undefined ? `line ${e.line}: ` : ''}${e.message}`);
  if (ev.interfaceNames === undefined && names.byIndex.size > 0) ev.interfaceNames = names;
  const data = parseKeepalivedData(text);
  for (const a of data.sourceAddresses) ev.localAddresses.add(a);
  if (ts === undefined || data.dump.instances.length === 0) return problems;
  for (let i = ev.dumps.length - 1; i >= 0; i--) {
    const d = ev.dumps[i]!;
    if (d.ts > ts) continue;
    if (ts - d.ts > DATA_BESIDE_STATS_NS) break;
    if (d.dump.format === 'stats' && d.dump.instances.every((x) => x.stateName === undefined)) ev.dumps[i] = { ...d, dump: withStates(d.dump, data.dump), source: `${d.source} + ${source}` };
    break;
  }
  return problems;
}

export function addDump(ev: HostEvidence, d: TimedDump): void {
  ev.dumps.push(d);
  ev.dumps.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  if (ev.dumps.length > 720) ev.dumps.splice(0, ev.dumps.length - 720);
}

function readProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message.split('\n')[0] ?? 'unreadable';
}
