// What vrrpscope knows about the host beside the wire: keepalived's configuration, its counter
// dumps over time, its log, and the firewall ruleset. Collected offline from files (a bundle an
// engineer was sent) or live from the running host; the correlation reads it, never the files.

import { readFileSync, statSync } from 'node:fs';
import type { FirewallRulesets } from './firewall/index.js';
import { splitFirewallDump } from './firewall/index.js';
import { parseKeepalivedConf, type KeepalivedConfig } from './keepalived/config.js';
import { parseKeepalivedJson } from './keepalived/json-dump.js';
import type { KeepalivedDump } from './keepalived/dump-types.js';
import { parseKeepalivedLog, type KeepalivedLogEvent } from './keepalived/log.js';
import { parseKeepalivedStats } from './keepalived/stats-dump.js';

export type TimedDump = { readonly ts: bigint; readonly dump: KeepalivedDump; readonly source: string };

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

/** One host's evidence, or one per node (each with its `scope`). */
export type HostSet = HostEvidence | readonly HostEvidence[];

export function hostsOf(h: HostSet | undefined): readonly HostEvidence[] {
  return h === undefined ? [] : Array.isArray(h) ? (h as readonly HostEvidence[]) : [h as HostEvidence];
}

export function emptyEvidence(): HostEvidence {
  return { config: undefined, dumps: [], log: [], firewall: undefined, firewallSource: undefined, localAddresses: new Set(), problems: [] };
}

/** `FILE` or `FILE@TIME` (TIME: epoch seconds, or an ISO 8601 date-time): when the dump was taken. */
export function dumpTime(arg: string, exists: (p: string) => boolean = (p) => statOk(p)): { path: string; ts: bigint | undefined } {
  const at = arg.lastIndexOf('@');
  if (at > 0 && !exists(arg)) {
    const t = arg.slice(at + 1);
    const ns = /^\d+(\.\d+)?$/.test(t) ? BigInt(Math.round(Number(t) * 1e6)) * 1000n : Number.isNaN(Date.parse(t)) ? undefined : BigInt(Date.parse(t)) * 1_000_000n;
    if (ns !== undefined) return { path: arg.slice(0, at), ts: ns };
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
};

/** Reads an offline bundle; problems are collected, never thrown. */
export function loadBundle(b: OfflineBundle): HostEvidence {
  const ev = emptyEvidence();
  if (b.conf !== undefined) {
    try {
      ev.config = parseKeepalivedConf(b.conf);
      for (const e of ev.config.errors) ev.problems.push(`${e.file}:${e.line}: ${e.message}`);
    } catch (e) {
      ev.problems.push(`${b.conf}: ${(e as Error).message}`);
    }
  }
  for (const arg of b.json ?? []) {
    const { path, ts } = dumpTime(arg);
    try {
      const text = readFileSync(path, 'utf8');
      const dump = text.trimStart().startsWith('[') || text.trimStart().startsWith('{') ? parseKeepalivedJson(text) : parseKeepalivedStats(text);
      for (const e of dump.errors) ev.problems.push(`${path}: ${e.message}`);
      addDump(ev, { ts: ts ?? BigInt(Math.round(statSync(path).mtimeMs * 1e6)), dump, source: path });
    } catch (e) {
      ev.problems.push(`${path}: ${readProblem(e)}`);
    }
  }
  if (b.log !== undefined) {
    try {
      ev.log.push(...parseKeepalivedLog(readFileSync(b.log, 'utf8'), b.year !== undefined ? { referenceYear: b.year } : {}));
    } catch (e) {
      ev.problems.push(`${b.log}: ${readProblem(e)}`);
    }
  }
  for (const f of b.firewall ?? []) {
    try {
      const r = splitFirewallDump(readFileSync(f, 'utf8'));
      ev.firewall = { ...ev.firewall, ...Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) };
      ev.firewallSource = ev.firewallSource ? `${ev.firewallSource}, ${f}` : f;
    } catch (e) {
      ev.problems.push(`${f}: ${readProblem(e)}`);
    }
  }
  return ev;
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
