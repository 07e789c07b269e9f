// Command-line options. Bad usage is a one-line message and exit status 2.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseInputArg } from '../capture/read-inputs.js';
import type { CaptureInput } from '../capture/capture-source.js';
import { parseLiveArgs, type LiveArgs } from './live-args.js';
import { parseSshTargets, type SshTarget } from '../ssh/ssh-target.js';
import { inert } from '../util/inert.js';
import { setLimit } from '../util/limits.js';
import { parseTimeArg } from '../views/time-format.js';

import { parseMetricsArgs, type MetricsArgs } from './metrics-args.js';

/** 'none': no view of its own (only the --html / --markdown files, or `--metrics` alone: the exporter is the view). */
export type Mode = 'dashboard' | 'packets' | 'report' | 'json' | 'none';

export type Options = {
  readonly inputs: readonly CaptureInput[];
  readonly interfaces: readonly string[];
  readonly mode: Mode;
  readonly demo: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly speed: number | undefined;
  /** Live capture (no -r): -i, -w, --duration, -Z, -B. */
  readonly live: LiveArgs;
  /** Host correlation: keepalived's config, dumps, log and the firewall (files, or live). */
  readonly host: HostArgs;
  /** --ssh nodes (empty: not over ssh), --ssh-dry-run, --ssh-config FILE. */
  readonly ssh: { readonly targets: readonly SshTarget[]; readonly dryRun: boolean; readonly configFile: string | undefined };
  /** --bundle DIR | DIR.tar.gz: write what was seen (captures per node, host evidence, manifest). */
  readonly bundle: string | undefined;
  /** --html FILE / --markdown FILE|-: the incident as one page and as a ticket, written at the end. */
  readonly html: string | undefined;
  readonly markdown: string | undefined;
  /** --metrics [ADDR:]PORT: serve /metrics beside the view. */
  readonly metrics: MetricsArgs | undefined;
};

export type HostArgs = {
  /** --keepalived-conf PATH (live default: /etc/keepalived/keepalived.conf when it exists). */
  readonly conf: string | undefined;
  /** --keepalived-json FILE[@TIME]… (JSON or stats dumps). */
  readonly json: readonly string[];
  readonly log: string | undefined;
  /** --firewall FILE…: iptables-save / ip6tables-save / nft -j list ruleset output. */
  readonly firewall: readonly string[];
  /** --keepalived-interval: seconds between live dumps (0 = never ask keepalived). */
  readonly intervalS: number;
  /** --log-year: the year of syslog lines (they carry none). */
  readonly year: number | undefined;
  /** --ip-link FILE: `ip -j link` / `ip -j addr` / `ip link` / `ip addr` output or keepalived.data, naming `-i any` interface indexes. */
  readonly ipLink: string | undefined;
  /** --allow-include-outside: a bundle's config may include files outside the bundle directory. */
  readonly allowIncludeOutside: boolean;
};

export class UsageError extends Error {}

/** --speed beyond this is "as fast as possible" anyway; larger numbers are refused, not overflowed. */
export const MAX_SPEED = 100_000;

/** A value the user typed, shortened for a one-line message. */
function clip(s: string): string {
  return s.length > 40 ? `${inert(s.slice(0, 40))}…` : inert(s);
}

export const USAGE = `usage: vrrpscope [FILE | -r [LABEL=]FILE]... [--packets | --report | --json]
                 [--speed N]
       vrrpscope [-i IFACE]... [-w FILE] [--duration T] [-Z USER] [-B KiB]
                 [--packets | --report | --json]
       vrrpscope [-r FILE | -i IFACE]... --metrics [ADDR:]PORT
                 [--dashboard | --report | --json]
       vrrpscope --ssh [USER@]HOST[:LABEL]... [--ssh-dry-run]
                 [--packets | --report | --json]
       vrrpscope --demo

Watches VRRP advertisements, gratuitous ARP and IPv6 neighbour adverts and
tells you why virtual IPs flap or split.

Reading captures
  -r, --read [LABEL=]FILE  a pcap or pcapng capture ('-' = standard input; a
                           bare FILE is the same); repeat to merge several by
                           time. LABEL names the segment it was taken on.
      --packets            one line per VRRP/CARP/ARP/NA packet
      --report             a plain-text diagnosis
      --json               NDJSON (findings, transitions, summary)
      --html FILE          also write the incident as one self-contained page
      --markdown FILE      also write it as Markdown for a ticket ('-' = stdout)
      --speed N            dashboard: replay at N x real time (0 = fastest)
      --demo               the dashboard on the bundled sample capture
      --limit NAME=N       raise a limit on what one input may cost
                           (names and defaults: docs/user-guide.md, "Limits")

Live capture (no FILE)
  -i, --interface IFACE    capture on IFACE (repeat for several); default:
                           every interface that is up but loopback ('-i any')
  -w, --write FILE         record what is captured to FILE (pcapng; an
                           existing FILE is refused unless --overwrite)
      --overwrite          let -w replace an existing file (never a symlink)
      --duration T         stop after T (60s, 90, 2m, 1h), print the result
  -Z, --user USER          drop root to USER once the capture is open
  -B, --buffer-size KiB    kernel capture buffer per interface (default 32768)

Several nodes over ssh
      --ssh [USER@]HOST[:LABEL]  watch a node over your ssh (repeat for each
                           node): its capture, keepalived and firewall;
                           segments named LABEL/eth0 (docs/ssh.md)
      --ssh-dry-run        print every command --ssh would run, run nothing
      --ssh-config FILE    ssh's configuration file (ssh -F)
      --bundle DIR         also write what was seen to DIR (or DIR.tar.gz): a
                           pcapng and the host evidence per node, a manifest;
                           read it back with -r DIR

Fleet (Prometheus)
      --metrics [ADDR:]PORT  serve /metrics (OpenMetrics / Prometheus text) on
                           ADDR:PORT (default 127.0.0.1; 0.0.0.0 or [::] for
                           every address); alone it runs headless; after -r
                           input ends it keeps serving until stopped
      --metrics-expire T   drop series of VRIDs and routers silent for T (1h)
      --dashboard          the dashboard (the default view, but with --metrics)

The host beside the wire
      --keepalived-conf PATH     keepalived's configuration
                                 (live default /etc/keepalived/keepalived.conf)
      --keepalived-json FILE[@TIME]
                                 keepalived JSON or stats dumps taken at TIME
                                 (epoch or ISO 8601; without it: keepalived's
                                 log, else the capture's end); repeat for a
                                 series
      --keepalived-log FILE      keepalived's log (syslog, its -g log, or
                                 journalctl -o json)
      --firewall FILE            iptables-save / ip6tables-save /
                                 nft -j list ruleset output (repeatable)
      --keepalived-interval S    live: ask keepalived for its counters every
                                 S seconds (default 5, 0 = never)
      --log-year YEAR            the year of syslog lines (they have none)
      --ip-link FILE             names the interface indexes of a -i any
                                 capture: ip -j link / ip -j addr / ip link /
                                 ip addr output, or keepalived.data
      --allow-include-outside    a bundle's keepalived config may include
                                 files outside the bundle directory

  -h, --help               this help
  -V, --version            the version

Exit status: 0 no warning or critical finding, 1 some, 2 bad usage or
unreadable input.`;

/** node:util parseArgs' own messages, said in vrrpscope's voice (it names options its own way). */
export function usageMessage(raw: string): string {
  const opt = (s: string): string => s.replace(/^'?(-\w), (--[\w-]+)(?: <value>)?'?$/, '$2').replace(/^'|'$/g, '');
  let m: RegExpExecArray | null;
  if ((m = /^Option '([^']+)' argument missing/.exec(raw))) return `${opt(m[1]!)} needs a value`;
  if ((m = /^Option '([^']+)' argument is ambiguous/.exec(raw))) return `${opt(m[1]!)} needs a value, not another option`;
  if ((m = /^Option '([^']+)' does not take an argument/.exec(raw))) return `${opt(m[1]!)} takes no value`;
  if ((m = /^Unknown option '([^']+)'/.exec(raw))) return `unknown option '${m[1]}'`;
  if ((m = /^Unexpected argument '([^']+)'/.exec(raw))) return `unexpected argument '${m[1]}'`;
  return raw.replace(/\. To specify.*$/s, '').replace(/^[A-Z]/, (c) => c.toLowerCase());
}

export function parseOptions(argv: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      // A bare argument is a capture to read, as with tcpdump -r / wireshark FILE.
      allowPositionals: true,
      options: {
        read: { type: 'string', short: 'r', multiple: true },
        interface: { type: 'string', short: 'i', multiple: true },
        packets: { type: 'boolean' },
        report: { type: 'boolean' },
        json: { type: 'boolean' },
        html: { type: 'string' },
        markdown: { type: 'string' },
        speed: { type: 'string' },
        write: { type: 'string', short: 'w' },
        duration: { type: 'string' },
        user: { type: 'string', short: 'Z' },
        'buffer-size': { type: 'string', short: 'B' },
        'keepalived-conf': { type: 'string' },
        'keepalived-json': { type: 'string', multiple: true },
        'keepalived-log': { type: 'string' },
        firewall: { type: 'string', multiple: true },
        'keepalived-interval': { type: 'string' },
        'log-year': { type: 'string' },
        metrics: { type: 'string' },
        'metrics-expire': { type: 'string' },
        dashboard: { type: 'boolean' },
        ssh: { type: 'string', multiple: true },
        'ssh-dry-run': { type: 'boolean' },
        'ssh-config': { type: 'string' },
        bundle: { type: 'string' },
        'ip-link': { type: 'string' },
        'allow-include-outside': { type: 'boolean' },
        limit: { type: 'string', multiple: true },
        overwrite: { type: 'boolean' },
        demo: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    throw new UsageError(usageMessage((e as Error).message));
  }
  const v = parsed.values;
  const modes = (['dashboard', 'packets', 'report', 'json'] as const).filter((m) => v[m]);
  if (modes.length > 1) throw new UsageError(`choose one of --${modes.join(', --')}`);
  if (v.html !== undefined || v.markdown !== undefined) {
    if (v.html === '') throw new UsageError('--html wants a file name');
    if (v.markdown === '') throw new UsageError("--markdown wants a file name (or '-')");
    if (v.html === '-') throw new UsageError('--html wants a file name (the page is meant to be opened or attached)');
    if (modes[0] === 'packets') throw new UsageError('--html and --markdown need the analysis; they do not go with --packets');
    if (v.markdown === '-' && modes[0] !== undefined) throw new UsageError(`--markdown - and --${modes[0]} would both write to standard output`);
  }
  let speed: number | undefined;
  if (v.speed !== undefined) {
    speed = /^\s*\d{1,12}(\.\d{0,12})?\s*$/.test(v.speed) ? Number(v.speed) : NaN;
    if (!(speed >= 0 && speed <= MAX_SPEED)) throw new UsageError(`--speed wants a number from 0 to ${MAX_SPEED} (0 = as fast as possible), not '${clip(v.speed)}'`);
  }
  for (const arg of v['keepalived-json'] ?? []) {
    const at = arg.lastIndexOf('@');
    if (at > 0 && !existsSync(arg) && parseTimeArg(arg.slice(at + 1)) === 'range') {
      throw new UsageError(`--keepalived-json ${clip(arg.slice(0, at))}@TIME: the time '${clip(arg.slice(at + 1))}' is not between 1970 and 9999`);
    }
  }
  for (const l of v.limit ?? []) {
    const problem = setLimit(l);
    if (problem !== undefined) throw new UsageError(problem);
  }
  const inputs = [...(v.read ?? []), ...parsed.positionals].map((a) => parseInputArg(a, existsSync));
  if (inputs.filter((i) => i.path === '-').length > 1) throw new UsageError('standard input can be read only once');
  const live = parseLiveArgs(v, (m) => {
    throw new UsageError(m);
  });
  if (inputs.length > 0 && (v.interface !== undefined || v.write !== undefined || v.user !== undefined || v['buffer-size'] !== undefined || v.overwrite)) {
    throw new UsageError('-i, -w, --overwrite, -Z and -B are for live capture; they do not go with -r');
  }
  let targets: SshTarget[] = [];
  try {
    targets = parseSshTargets(v.ssh ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (targets.length > 0 && inputs.length > 0) throw new UsageError('--ssh watches nodes live; it does not go with -r');
  if (targets.length > 0 && (v.interface !== undefined || v.user !== undefined || v['buffer-size'] !== undefined)) throw new UsageError('-i, -Z and -B are for local live capture; with --ssh every interface of each node is captured');
  if (targets.length === 0 && (v['ssh-dry-run'] || v['ssh-config'] !== undefined)) throw new UsageError('--ssh-dry-run and --ssh-config go with --ssh');
  if (v.bundle !== undefined && v.bundle === '') throw new UsageError('--bundle wants a directory (or DIR.tar.gz)');
  const intervalS = v['keepalived-interval'] === undefined ? 5 : Number(v['keepalived-interval']);
  if (!Number.isFinite(intervalS) || intervalS < 0) throw new UsageError(`--keepalived-interval wants seconds ≥ 0, not '${v['keepalived-interval']}'`);
  const year = v['log-year'] === undefined ? undefined : Number(v['log-year']);
  if (year !== undefined && !(Number.isInteger(year) && year > 1970 && year < 3000)) throw new UsageError(`--log-year wants a year, not '${v['log-year']}'`);
  const metrics = parseMetricsArgs(v.metrics, v['metrics-expire'], (m) => {
    throw new UsageError(m);
  });
  if (metrics && v.packets) throw new UsageError('--metrics goes with the dashboard, --report, --json or no view; not with --packets');
  const host: HostArgs = { conf: v['keepalived-conf'], json: v['keepalived-json'] ?? [], log: v['keepalived-log'], firewall: v.firewall ?? [], intervalS, year, ipLink: v['ip-link'], allowIncludeOutside: v['allow-include-outside'] ?? false };
  return {
    host,
    inputs,
    interfaces: v.interface ?? [],
    mode: modes[0] ?? (metrics || v.html !== undefined || v.markdown !== undefined ? 'none' : 'dashboard'),
    html: v.html,
    markdown: v.markdown,
    metrics,
    demo: v.demo ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
    speed,
    live,
    ssh: { targets, dryRun: v['ssh-dry-run'] ?? false, configFile: v['ssh-config'] },
    bundle: v.bundle,
  };
}
