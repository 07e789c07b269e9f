// Live host evidence: every few seconds keepalived's counters (its JSON dump, or the stats dump),
// the firewall ruleset (iptables-save, ip6tables-save, nft -j list ruleset), and keepalived's log as
// it is written (journalctl -f, or a log file followed). All of it lands in a HostEvidence that the
// correlation reads; times are taken from the same clock as the captured packets.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { hostTextOf, inertHostText } from './read-host-file.js';
import { summarizeProblems } from './problem-summary.js';
import { networkInterfaces } from 'node:os';
import { addDump, emptyEvidence, type HostEvidence } from './host-evidence.js';
import { parseKeepalivedConf, DEFAULT_CONF_PATH } from './keepalived/config.js';
import { KeepalivedLogParser } from './keepalived/log.js';
import { findKeepalived, keepalivedSignalNumbers, requestKeepalivedDump, scanProcForKeepalived, type SignalNumbers } from './keepalived/process.js';

export type HostMonitorOptions = {
  readonly confPath: string | undefined;
  readonly logFile: string | undefined;
  /** Seconds between counter dumps; 0 = never signal keepalived. */
  readonly intervalS: number;
  /** The capture clock (ns since the epoch). */
  readonly clock: () => bigint;
  readonly warn: (message: string) => void;
  /** Each dump's text as keepalived wrote it, with its time (for --bundle). */
  readonly onDump?: (kind: 'json' | 'stats', text: string, ts: bigint) => void;
};

export class HostMonitor {
  readonly evidence: HostEvidence = emptyEvidence();
  private readonly timers: NodeJS.Timeout[] = [];
  private journal: ChildProcess | undefined;
  private readonly logParser = new KeepalivedLogParser({});
  private busy = false;
  private logPos = 0;
  private warnedNoDaemon = false;
  /** Signal numbers asked once per keepalived process (asking runs its binary). */
  private signals: { pid: number; numbers: SignalNumbers } | undefined;
  private daemonSeen = false;

  constructor(private readonly opts: HostMonitorOptions) {}

  start(): void {
    const ev = this.evidence;
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) ev.localAddresses.add(a.address.replace(/%.*$/, ''));
    const conf = this.opts.confPath ?? (existsSync(DEFAULT_CONF_PATH) ? DEFAULT_CONF_PATH : undefined);
    if (conf !== undefined) {
      try {
        ev.config = parseKeepalivedConf(conf);
        for (const m of summarizeProblems(ev.config.errors.map((e) => `${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`))) this.opts.warn(m);
      } catch (e) {
        this.opts.warn(`${conf}: ${(e as Error).message}`);
      }
    }
    // The dumps compare growth over recent windows only, so a fix shows within a few dumps.
    ev.windowNs = BigInt(Math.max(3 * this.opts.intervalS, 15)) * 1_000_000_000n;
    ev.refreshFirewall = () => void this.firewall();
    if (this.opts.intervalS > 0) this.every(this.opts.intervalS, () => this.dump());
    // The ruleset is read once now and then only when correlation asks (a drop is suspected and the
    // last read is older than the counter window): starting three processes from a large process is
    // the costliest thing an idle monitor would do, and a verdict is only wanted next to a finding.
    void this.firewall();
    this.followLog();
  }

  /** Whether the wire must be remembered for correlation: a keepalived runs here, or its config is known. */
  wantsLedger(): boolean {
    return this.daemonSeen || this.evidence.config !== undefined;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.journal?.kill();
  }

  private every(seconds: number, fn: () => Promise<void> | void): void {
    void fn();
    const t = setInterval(() => void fn(), seconds * 1000);
    t.unref();
    this.timers.push(t);
  }

  /** The keepalived of this network namespace (a lab or container host runs several). */
  private ownKeepalived(): number | undefined {
    // Scanning /proc costs more than everything else the monitor does: keep the pid while it lives.
    const known = this.signals?.pid;
    if (known !== undefined && existsSync(`/proc/${known}`)) return known;
    let mine: string | undefined;
    try {
      mine = readlinkSync('/proc/self/ns/net');
    } catch {
      return findKeepalived()?.pid;
    }
    const same = scanProcForKeepalived().filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`) === mine;
      } catch {
        return false;
      }
    });
    return same[0];
  }

  private async dump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const pid = this.ownKeepalived();
      if (pid === undefined) {
        if (!this.warnedNoDaemon) this.opts.warn('no keepalived runs in this network namespace: its counters are not compared with the wire');
        this.warnedNoDaemon = true;
        return;
      }
      this.daemonSeen = true;
      if (this.signals?.pid !== pid) this.signals = { pid, numbers: await keepalivedSignalNumbers(pid) };
      const n = this.signals.numbers;
      let r = n.json !== undefined ? await requestKeepalivedDump('json', { pid, signal: n.json, timeoutMs: 2000 }) : undefined;
      if (!r?.dump && n.stats !== undefined) r = await requestKeepalivedDump('stats', { pid, signal: n.stats, timeoutMs: 2000 });
      if (r?.dump) {
        const ts = this.opts.clock();
        addDump(this.evidence, { ts, dump: r.dump, source: r.path ?? 'keepalived', timeSource: 'live' });
        if (this.opts.onDump && r.path !== undefined) {
          try {
            // As keepalived wrote it, for a bundle (the parsed dump above is what is compared).
            this.opts.onDump(r.kind, readFileSync(r.path, 'utf8'), ts);
          } catch {
            // rewritten or gone meanwhile: the bundle misses this one dump
          }
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private firewallBusy = false;

  private async firewall(): Promise<void> {
    if (this.firewallBusy) return;
    this.firewallBusy = true;
    try {
      await this.readFirewall();
    } finally {
      this.firewallBusy = false;
    }
  }

  private async readFirewall(): Promise<void> {
    const started = this.opts.clock();
    const run = (cmd: string, args: string[]): Promise<string | undefined> =>
      new Promise((resolve) => execFile(cmd, args, { timeout: 5000, maxBuffer: 16 * 1024 * 1024 }, (err, out) => resolve(err ? undefined : out)));
    const [v4, v6, nft] = await Promise.all([run('iptables-save', []), run('ip6tables-save', []), run('nft', ['-j', 'list', 'ruleset'])]);
    this.evidence.firewallReadNs = started;
    if (v4 === undefined && v6 === undefined && nft === undefined) {
      // No tool to read it with: correlate without a verdict rather than wait for one.
      this.evidence.refreshFirewall = undefined;
      return;
    }
    // command output is host text like any file: made inert before it is parsed
    this.evidence.firewall = {
      iptablesSave: v4 === undefined ? undefined : inertHostText(v4, 'text'),
      ip6tablesSave: v6 === undefined ? undefined : inertHostText(v6, 'text'),
      nftJson: nft === undefined ? undefined : inertHostText(nft, 'json'),
    };
    this.evidence.firewallSource = 'this host, read live';
  }

  private followLog(): void {
    const file = this.opts.logFile;
    if (file !== undefined) {
      try {
        this.logPos = statSync(file).size;
      } catch {
        this.logPos = 0;
      }
      this.every(1, () => this.readLogFile(file));
      return;
    }
    // journalctl may be missing (containers, this lab): then there is simply no log evidence.
    const j = spawn('journalctl', ['-u', 'keepalived', '-o', 'json', '-f', '-n', '20'], { stdio: ['ignore', 'pipe', 'ignore'] });
    j.on('error', () => undefined);
    let buf = '';
    j.stdout?.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) this.logLine(inertHostText(l, 'json'));
    });
    this.journal = j;
  }

  private readLogFile(file: string): void {
    let fd: number | undefined;
    try {
      const size = statSync(file).size;
      if (size < this.logPos) this.logPos = 0; // rotated
      if (size === this.logPos) return;
      // O_NONBLOCK and a regular-file check: a FIFO or device named as the log must not hang or flood us
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
      if (!fstatSync(fd).isFile()) return;
      const b = Buffer.alloc(Math.min(size - this.logPos, 4 * 1024 * 1024));
      const n = readSync(fd, b, 0, b.length, this.logPos);
      // positions in bytes (the text is decoded and made inert only after)
      const end = b.subarray(0, n).lastIndexOf(10);
      if (end < 0) {
        if (n === 4 * 1024 * 1024) this.logPos += n; // one line over 4 MiB: skipped, not waited on for ever
        return;
      }
      this.logPos += end + 1;
      const text = inertHostText(hostTextOf(b.subarray(0, end)), 'lines'); // binary: thrown, skipped
      for (const l of text.split('\n')) this.logLine(l);
    } catch {
      // unreadable for now; try again next second
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  private logLine(line: string): void {
    const e = this.logParser.parseLine(line);
    if (!e) return;
    this.evidence.log.push(e);
    if (this.evidence.log.length > 4000) this.evidence.log.splice(0, 2000);
  }
}
