// Command-line options. Bad usage is a one-line message and exit status 2.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseInputArg } from '../capture/read-inputs.js';
import type { CaptureInput } from '../capture/capture-source.js';
import { parseLiveArgs, type LiveArgs } from './live-args.js';

export type Mode = 'dashboard' | 'packets' | 'report' | 'json';

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
};

export class UsageError extends Error {}

export const USAGE = `usage: vrrpscope [FILE | -r [LABEL=]FILE]... [--packets | --report | --json]
                 [--speed N]
       vrrpscope [-i IFACE]... [-w FILE] [--duration T] [-Z USER] [-B KiB]
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
      --speed N            dashboard: replay at N x real time (0 = fastest)
      --demo               the dashboard on the bundled sample capture

Live capture (no FILE)
  -i, --interface IFACE    capture on IFACE (repeat for several); default:
                           every interface that is up but loopback ('-i any')
  -w, --write FILE         record what is captured to FILE (pcapng)
      --duration T         stop after T (60s, 90, 2m, 1h), print the result
  -Z, --user USER          drop root to USER once the capture is open
  -B, --buffer-size KiB    kernel capture buffer per interface (default 32768)

The host beside the wire
      --keepalived-conf PATH     keepalived's configuration
                                 (live default /etc/keepalived/keepalived.conf)
      --keepalived-json FILE[@TIME]
                                 keepalived JSON or stats dumps taken at TIME
                                 (epoch or ISO 8601; default the file's time);
                                 repeat for a series
      --keepalived-log FILE      keepalived's log (syslog, its -g log, or
                                 journalctl -o json)
      --firewall FILE            iptables-save / ip6tables-save /
                                 nft -j list ruleset output (repeatable)
      --keepalived-interval S    live: ask keepalived for its counters every
                                 S seconds (default 5, 0 = never)
      --log-year YEAR            the year of syslog lines (they have none)

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
        demo: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (e) {
    throw new UsageError(usageMessage((e as Error).message));
  }
  const v = parsed.values;
  const modes = (['packets', 'report', 'json'] as const).filter((m) => v[m]);
  if (modes.length > 1) throw new UsageError(`choose one of --${modes.join(', --')}`);
  let speed: number | undefined;
  if (v.speed !== undefined) {
    speed = Number(v.speed);
    if (!Number.isFinite(speed) || speed < 0) throw new UsageError(`--speed wants a number ≥ 0, not '${v.speed}'`);
  }
  const inputs = [...(v.read ?? []), ...parsed.positionals].map((a) => parseInputArg(a, existsSync));
  if (inputs.filter((i) => i.path === '-').length > 1) throw new UsageError('standard input can be read only once');
  const live = parseLiveArgs(v, (m) => {
    throw new UsageError(m);
  });
  if (inputs.length > 0 && (v.interface !== undefined || v.write !== undefined || v.user !== undefined || v['buffer-size'] !== undefined)) {
    throw new UsageError('-i, -w, -Z and -B are for live capture; they do not go with -r');
  }
  const intervalS = v['keepalived-interval'] === undefined ? 5 : Number(v['keepalived-interval']);
  if (!Number.isFinite(intervalS) || intervalS < 0) throw new UsageError(`--keepalived-interval wants seconds ≥ 0, not '${v['keepalived-interval']}'`);
  const year = v['log-year'] === undefined ? undefined : Number(v['log-year']);
  if (year !== undefined && !(Number.isInteger(year) && year > 1970 && year < 3000)) throw new UsageError(`--log-year wants a year, not '${v['log-year']}'`);
  const host: HostArgs = { conf: v['keepalived-conf'], json: v['keepalived-json'] ?? [], log: v['keepalived-log'], firewall: v.firewall ?? [], intervalS, year };
  return {
    host,
    inputs,
    interfaces: v.interface ?? [],
    mode: modes[0] ?? 'dashboard',
    demo: v.demo ?? false,
    help: v.help ?? false,
    version: v.version ?? false,
    speed,
    live,
  };
}
