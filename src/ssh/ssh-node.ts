// One node watched over ssh: its connection (a control master the sessions multiplex on), the
// capture (tcpdump), the host-evidence session (records on request: clock, ip -j link/addr,
// firewall, keepalived's config and dumps) and keepalived's log. Everything the node says is put
// on our clock (the estimated offset is subtracted) before anyone sees it. A connection that drops
// is reported as lost and retried with back-off; the other nodes are not affected.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { readCapture } from '../capture/capture-source.js';
import type { Frame } from '../capture/frame.js';
import { addDataDump, addDump, emptyEvidence, type HostEvidence } from '../host/host-evidence.js';
import { isKeepalivedData } from '../host/keepalived/data-dump.js';
import { parseInterfaceNames, parseIpJson, parseKeepalivedDataInterfaces, type InterfaceNames } from '../host/interface-names.js';
import { parseKeepalivedConf } from '../host/keepalived/config.js';
import { parseKeepalivedJson } from '../host/keepalived/json-dump.js';
import { KeepalivedLogParser, type KeepalivedLogEvent } from '../host/keepalived/log.js';
import { parseKeepalivedStats } from '../host/keepalived/stats-dump.js';
import { ClockEstimator, parseRemoteClock, type ClockOffset } from './clock-offset.js';
import { HostRecordParser, type HostRecord } from './host-records.js';
import {
  captureScript,
  checkArgs,
  factsProblem,
  hasSll2,
  hostLoopScript,
  logScript,
  makeNonce,
  masterArgs,
  needsSudo,
  parseProbe,
  PROBE_SCRIPT,
  remoteCommand,
  sessionArgs,
  type NodeFacts,
  type SshOptions,
} from './remote-commands.js';
import type { SshTarget } from './ssh-target.js';

export type NodeState = 'connecting' | 'up' | 'lost';

/** What a node hands on (all times already on our clock). */
export type NodeSink = {
  /** A captured frame, its interface name on the node, and its corrected timestamp. */
  frame(node: SshNode, f: Frame, iface: string, ts: bigint): void;
  state(node: SshNode, state: NodeState, message: string | undefined): void;
  /** Raw evidence as read (for bundles): kind, the node's path or name, text, when (our clock). */
  evidence?(node: SshNode, kind: string, name: string, text: string, ts: bigint): void;
  warn(message: string): void;
};

export type NodeOptions = {
  readonly ssh: SshOptions;
  /** A private directory for the control sockets. */
  readonly socketDir: string;
  /** keepalived's configuration on the node. */
  readonly confPath: string;
  /** keepalived's log file on the node (default: journald). */
  readonly logFile: string | undefined;
  /** Seconds between keepalived dumps (0 = never). */
  readonly intervalS: number;
  /** Our clock (ns since the epoch). */
  readonly clock: () => bigint;
  /** Test hook: added to everything the node's clock says (simulates a node whose clock is off). */
  readonly skewNs: bigint;
};

const DAY = 86_400_000_000_000n;
const SLL2 = 276;
const RETRY_MS = [2000, 4000, 8000, 15000, 30000];

/**
 * Seconds between data dumps (keepalived.data): at the start, then every minute (or every counter
 * dump, if those are rarer). It describes the configuration and interfaces more than the moment,
 * and is several times the size of the JSON dump; a keepalived without JSON sends one with each
 * stats dump anyway (the `d` request), for the states.
 */
export function dataIntervalS(intervalS: number): number {
  return Math.max(60, intervalS);
}

export class SshNode {
  readonly label: string;
  readonly evidence: HostEvidence;
  state: NodeState = 'connecting';
  message: string | undefined;
  facts: NodeFacts | undefined;
  /** Frames received over every connection. */
  frames = 0;
  /** How many times the connection was lost. */
  losses = 0;
  private readonly clockEst = new ClockEstimator();
  private readonly socket: string;
  private master: ChildProcess | undefined;
  private sessions = new Set<ChildProcess>();
  private loop: ChildProcess | undefined;
  private nonce = makeNonce();
  private names = new Map<number, string>();
  private linkAsked = 0;
  private pingT0: bigint | undefined;
  private pings = 0;
  private timers: NodeJS.Timeout[] = [];
  private retry: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  /** Generation of the current connection: callbacks of an old one are ignored. */
  private gen = 0;
  private conf: { main: string | undefined; files: Map<string, string>; dirs: Map<string, string[]>; pending: number; rounds: number } = { main: undefined, files: new Map(), dirs: new Map(), pending: 0, rounds: 0 };
  private firewallParts: { v4?: string; v6?: string; nft?: string; at?: bigint } = {};
  private logParser = new KeepalivedLogParser({});
  private warned = new Set<string>();
  private lastFrameNs: bigint | undefined;
  /** `ip link` failed or named nothing: the data dump names the interfaces. */
  private linkFailed = false;
  /** The data dump answered (written or failed): the capture need not wait for its names. */
  private dataAnswered = false;

  constructor(
    readonly target: SshTarget,
    private readonly opts: NodeOptions,
    private readonly sink: NodeSink,
    index: number,
  ) {
    this.label = target.label;
    this.socket = join(opts.socketDir, `n${index}`);
    this.evidence = emptyEvidence();
    this.evidence.scope = target.label;
    this.evidence.windowNs = BigInt(Math.max(3 * opts.intervalS, 15)) * 1_000_000_000n;
    this.evidence.refreshFirewall = () => this.send('f');
  }

  /** The clock offset (node − ours) and its uncertainty, once measured. */
  get offset(): ClockOffset | undefined {
    return this.clockEst.current;
  }

  /** Connects (prompts, if any, on the terminal when interactive); resolves with a problem, or undefined when up. */
  async connect(interactive: boolean): Promise<string | undefined> {
    const gen = ++this.gen;
    this.setState('connecting', undefined);
    const problem = await this.open(gen, interactive);
    if (gen !== this.gen || this.stopped) return problem;
    if (problem !== undefined) {
      this.drop(gen, problem);
      return problem;
    }
    this.attempt = 0;
    this.setState('up', undefined);
    return undefined;
  }

  private async open(gen: number, interactive: boolean): Promise<string | undefined> {
    const o = this.opts.ssh;
    // Prompts (password, host key) go to the terminal itself; ssh's other words go to stderr, which is
    // passed on while connecting in the open and only kept (for the lost message) once watching.
    const m = spawn(o.program, masterArgs(o, this.target.destination, this.socket, !interactive), { stdio: ['pipe', 'ignore', 'pipe'] });
    this.master = m;
    if (this.stopped) m.stdin!.end();
    let masterErr = '';
    let relay = interactive;
    m.stderr!.setEncoding('utf8').on('data', (s: string) => {
      masterErr = (masterErr + s).slice(-2000);
      if (relay) process.stderr.write(s);
    });
    let exited = false;
    m.on('error', (e) => {
      exited = true;
      masterErr ||= e.message;
    });
    m.on('exit', () => {
      exited = true;
      if (gen === this.gen && this.state === 'up') this.drop(gen, `ssh connection ended${lastLine(masterErr)}`);
    });
    // Wait until the master answers `-O check` (a password prompt may take a while).
    const deadline = Date.now() + (interactive ? 180_000 : 20_000);
    for (;;) {
      if (exited) {
        relay = false;
        return `ssh to ${this.target.destination} failed${lastLine(masterErr)}`;
      }
      if (this.stopped || gen !== this.gen) return 'stopped';
      if (Date.now() > deadline) return `ssh to ${this.target.destination}: no connection after ${interactive ? 180 : 20} s`;
      if ((await run(o.program, checkArgs(o, this.target.destination, this.socket), 5000)).status === 0) break;
      await sleep(250);
    }
    relay = false;
    const probe = await run(o.program, sessionArgs(o, this.target.destination, this.socket, remoteCommand(PROBE_SCRIPT, false)), 20_000);
    if (gen !== this.gen || this.stopped) return 'stopped';
    const facts = parseProbe(probe.stdout);
    this.facts = facts;
    const bad = factsProblem(this.label, facts);
    if (bad !== undefined) return bad;
    const sudo = needsSudo(facts);
    this.startLoop(gen, sudo);
    // Interface names first (the capture's SLL2 indexes are mapped with them), at most 3 s; when
    // `ip -j link` failed, from the data dump (asked at once, it may take keepalived a few seconds).
    for (let i = 0; i < 80 && this.names.size === 0 && gen === this.gen && (i < 30 || (this.linkFailed && !this.dataAnswered)); i++) await sleep(100);
    // Stopped (q, Ctrl-C) or lost meanwhile: start nothing more.
    if (gen !== this.gen || this.stopped) return 'stopped';
    if (hasSll2(facts)) this.startCapture(gen, sudo, undefined);
    else for (const i of facts.interfaces) this.startCapture(gen, sudo, i);
    this.startLog(gen, sudo);
    return undefined;
  }

  private session(gen: number, script: string, sudo: boolean, what: string, onExit: (code: number | null, stderr: string) => void): ChildProcess {
    const o = this.opts.ssh;
    // Nothing new once stopped or for an old connection: a session with its stdin closed at once ends
    // its remote command as soon as it starts.
    const dead = this.stopped || gen !== this.gen;
    const c = spawn(o.program, sessionArgs(o, this.target.destination, this.socket, remoteCommand(script, sudo)), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.sessions.add(c);
    let err = '';
    c.stderr!.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-4000)));
    c.on('error', () => undefined);
    c.stdin!.on('error', () => undefined);
    if (dead) c.stdin!.end();
    c.on('close', (code) => {
      this.sessions.delete(c);
      // A lost connection ends every session at once: let the master's exit speak for them.
      setTimeout(() => {
        if (gen === this.gen && !this.stopped) onExit(code, err);
      }, 500).unref();
    });
    void what;
    return c;
  }

  private startCapture(gen: number, sudo: boolean, iface: string | undefined): void {
    const c = this.session(gen, captureScript(this.facts!, iface), sudo, 'capture', (code, err) => {
      if (this.state !== 'up' && this.state !== 'connecting') return;
      const why = captureProblem(err, code);
      this.once(`capture:${why}`, `${this.label}: tcpdump${iface ? ` on ${iface}` : ''} ended (${why}); starting it again`);
      this.later(gen, 3000, () => this.startCapture(gen, sudo, iface));
    });
    const input = { label: this.label, path: '-', stream: c.stdout as Readable };
    void readCapture(input, (f) => this.onFrame(f, iface), (m) => this.once(m, `${this.label}: ${m}`)).catch(() => undefined);
  }

  private onFrame(f: Frame, iface: string | undefined): void {
    this.frames++;
    const ts = this.toLocal(f.timestampNs());
    this.lastFrameNs = ts;
    let name = iface;
    if (name === undefined && f.linktype === SLL2 && f.caplen >= 8) {
      const b = f.buf;
      const o = f.offset;
      const index = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
      name = this.names.get(index);
      if (name === undefined) {
        // An interface that appeared after the last `ip -j link`: ask again (at most every 5 s).
        if (Date.now() - this.linkAsked > 5000) {
          this.linkAsked = Date.now();
          this.send('l');
        }
        name = `if${index}`;
      }
    }
    this.sink.frame(this, f, name ?? 'any', ts);
  }

  private startLoop(gen: number, sudo: boolean): void {
    this.nonce = makeNonce();
    const parser = new HostRecordParser(this.nonce, (r) => this.onRecord(r));
    const c = this.session(gen, hostLoopScript({ nonce: this.nonce, confPath: this.opts.confPath }), sudo, 'host', (code, err) => {
      this.once(`loop:${code}`, `${this.label}: the host-evidence session ended (${lastLine(err).slice(2) || `status ${code}`}); starting it again`);
      this.later(gen, 5000, () => this.startLoop(gen, sudo));
    });
    this.loop = c;
    c.stdout!.setEncoding('utf8').on('data', (s: string) => parser.push(s));
    this.conf = { main: undefined, files: new Map(), dirs: new Map(), pending: 0, rounds: 0 };
    this.pings = 0;
    this.pingT0 = undefined;
    this.send('l');
    this.send('a');
    this.ping();
    this.send('k');
    this.send('f');
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.every(10_000, () => this.ping());
    this.every(60_000, () => (this.send('l'), this.send('a')));
    if (this.opts.intervalS > 0) {
      // The data dump first (it may be what names the interfaces), then the counters.
      this.send('D');
      this.send('d');
      this.every(this.opts.intervalS * 1000, () => this.send('d'));
      this.every(dataIntervalS(this.opts.intervalS) * 1000, () => this.send('D'));
    }
  }

  private startLog(gen: number, sudo: boolean): void {
    const c = this.session(gen, logScript(this.opts.logFile), sudo, 'log', () => {
      // No journal, no keepalived unit, no file: there is simply no log evidence; try again later.
      this.later(gen, 30_000, () => this.startLog(gen, sudo));
    });
    let buf = '';
    c.stdout!.setEncoding('utf8').on('data', (s: string) => {
      buf += s;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        this.sink.evidence?.(this, 'log', 'keepalived.log', l, this.opts.clock());
        const e = this.logParser.parseLine(l);
        if (!e) continue;
        this.evidence.log.push(this.shiftLog(e));
        if (this.evidence.log.length > 4000) this.evidence.log.splice(0, 2000);
      }
    });
  }

  private shiftLog(e: KeepalivedLogEvent): KeepalivedLogEvent {
    return e.time === undefined ? e : { ...e, time: this.toLocal(e.time) };
  }

  private ping(): void {
    if (this.pingT0 !== undefined && this.opts.clock() - this.pingT0 < 5_000_000_000n) return;
    this.pingT0 = this.opts.clock();
    this.send('t');
  }

  private send(line: string): void {
    const l = this.loop;
    if (l && l.stdin && !l.stdin.destroyed) l.stdin.write(`${line}\n`);
  }

  private onRecord(r: HostRecord): void {
    const now = this.opts.clock();
    if (r.type === 'clock') {
      const t0 = this.pingT0;
      this.pingT0 = undefined;
      const c = parseRemoteClock(r.text);
      if (t0 === undefined || !c) return;
      this.clockEst.add({ t0, t1: now, remote: c.ns + this.opts.skewNs, resolutionNs: c.resolutionNs });
      const est = this.clockEst.current;
      if (est) this.evidence.clock = { offsetNs: est.offsetNs, uncertaintyNs: est.uncertaintyNs };
      // A few quick samples first: the shortest round trip among them is the estimate.
      if (++this.pings < 5) this.ping();
      return;
    }
    const ts = r.remoteNs !== undefined ? this.toLocal(r.remoteNs) : now;
    const ok = r.status === 0;
    switch (r.kind) {
      case 'link': {
        // `ip -j link`, or `ip -o link` text from an iproute2 without -j.
        const json = r.text.trimStart().startsWith('[');
        let ifs: InterfaceNames | undefined;
        try {
          ifs = ok ? (json ? parseIpJson(r.text, `${this.label}: ip -j link`) : parseInterfaceNames(r.text, `${this.label}: ip -o link`)) : undefined;
        } catch {
          ifs = undefined;
        }
        this.linkFailed = ifs === undefined || ifs.byIndex.size === 0;
        if (ifs !== undefined && !this.linkFailed) this.names = new Map([...ifs.byIndex].map(([i, e]) => [i, e.name]));
        if (ok && json) this.sink.evidence?.(this, 'ip-link', 'ip-link.json', r.text, ts);
        return;
      }
      case 'addr':
        if (ok) {
          for (const i of parseIpJson(r.text).byIndex.values()) for (const a of i.addresses) this.evidence.localAddresses.add(a);
          this.sink.evidence?.(this, 'ip-addr', 'ip-addr.json', r.text, ts);
        }
        return;
      case 'iptables':
        this.firewallParts = { at: ts, v4: ok ? r.text : undefined };
        return;
      case 'ip6tables':
        this.firewallParts.v6 = ok ? r.text : undefined;
        return;
      case 'nft': {
        const p = this.firewallParts;
        p.nft = ok && r.text.trimStart().startsWith('{') ? r.text : undefined;
        this.evidence.firewallReadNs = p.at ?? ts;
        if (p.v4 === undefined && p.v6 === undefined && p.nft === undefined) {
          this.once('nofw', `${this.label}: the firewall could not be read (iptables-save, ip6tables-save, nft): no verdict on drops`);
          this.evidence.refreshFirewall = undefined;
          return;
        }
        this.evidence.firewall = { iptablesSave: p.v4, ip6tablesSave: p.v6, nftJson: p.nft };
        this.evidence.firewallSource = `${this.label}, read over ssh`;
        if (p.v4 !== undefined) this.sink.evidence?.(this, 'firewall', 'iptables-save.txt', p.v4, p.at ?? ts);
        if (p.v6 !== undefined) this.sink.evidence?.(this, 'firewall', 'ip6tables-save.txt', p.v6, p.at ?? ts);
        if (p.nft !== undefined) this.sink.evidence?.(this, 'firewall', 'nft.json', p.nft, p.at ?? ts);
        return;
      }
      case 'conf-main':
        this.conf.main = r.text.trim();
        this.sink.evidence?.(this, 'conf-main', this.conf.main, '', ts);
        return;
      case 'file':
        if (ok && r.arg.startsWith('/')) {
          this.conf.files.set(r.arg, r.text);
          this.sink.evidence?.(this, 'conf', r.arg, r.text, ts);
        }
        if (this.conf.pending > 0 && --this.conf.pending === 0) this.parseConf();
        return;
      case 'dir':
        this.conf.dirs.set(r.arg, ok ? r.text.split('\n').filter(Boolean) : []);
        if (this.conf.pending > 0 && --this.conf.pending === 0) this.parseConf();
        return;
      case 'conf-done':
        this.parseConf();
        return;
      case 'dump': {
        if (!ok) return;
        if (r.arg === 'DATA') return this.onData(r.text, ts);
        const dump = r.arg === 'STATS' ? parseKeepalivedStats(r.text) : parseKeepalivedJson(r.text);
        if (dump.errors.length > 0 && dump.instances.length === 0) return; // caught half-written
        addDump(this.evidence, { ts, dump, source: `${this.label}:keepalived.${r.arg === 'STATS' ? 'stats' : 'json'}` });
        this.sink.evidence?.(this, r.arg === 'STATS' ? 'stats' : 'json', r.arg === 'STATS' ? 'keepalived.stats' : 'keepalived.json', r.text, ts);
        return;
      }
      case 'dump-failed':
        if (r.arg === 'D') this.dataAnswered = true;
        if (r.arg === 'D') this.once(`data:${r.text}`, `${this.label}: ${r.text.trim() || 'keepalived gave no data dump'} (SIGUSR1, keepalived.data): interfaces and this node's addresses come from ip -j only`);
        else this.once(`dump:${r.text}`, `${this.label}: ${r.text.trim() || 'keepalived gave no dump'}: its counters are not compared with the wire`);
        return;
      default:
        return;
    }
  }

  /**
   * keepalived's data dump: this node's advert sources and, for a keepalived without JSON, the
   * states beside the stats dump just taken (addDataDump); and the interfaces by index, which name
   * the capture's `-i any` indexes when `ip link` gave nothing.
   */
  private onData(text: string, ts: bigint): void {
    if (!isKeepalivedData(text)) return;
    const problems = addDataDump(this.evidence, text, `${this.label}:keepalived.data`, ts);
    this.dataAnswered = true;
    // This dump's own list (interfaces come and go; the evidence keeps the first one it saw).
    const names = parseKeepalivedDataInterfaces(text);
    if (this.linkFailed && names.byIndex.size > 0) {
      if (this.names.size === 0) this.once('names-data', `${this.label}: \`ip link\` gave nothing; interfaces are named from keepalived's data dump`);
      this.names = new Map([...names.byIndex].map(([i, e]) => [i, e.name]));
    }
    // A few lines at most (a hostile or odd dump could have thousands of bad entries).
    if (problems.length > 0) this.once(`data:${problems[0]}`, `${this.label}: keepalived.data: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
    this.sink.evidence?.(this, 'data', 'keepalived.data', text, ts);
  }

  /** Parses the configuration from the files fetched; asks for includes outside its directory (3 rounds at most). */
  private parseConf(): void {
    const c = this.conf;
    if (c.main === undefined || !c.files.has(c.main)) {
      if (c.main !== undefined) this.once('noconf', `${this.label}: no keepalived configuration at ${c.main} (--keepalived-conf names it)`);
      return;
    }
    const missing = new Set<string>();
    const missingDirs = new Set<string>();
    const readFile = (p: string): string => {
      const t = c.files.get(p);
      if (t === undefined) {
        missing.add(p);
        throw Object.assign(new Error(`${p}: not fetched`), { code: 'ENOENT' });
      }
      return t;
    };
    const readDir = (d: string): string[] => {
      const known = c.dirs.get(d);
      if (known) return known;
      const prefix = d.endsWith('/') ? d : `${d}/`;
      const names = [...c.files.keys()].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/')).map((f) => f.slice(prefix.length));
      if (names.length === 0) missingDirs.add(d);
      return names;
    };
    try {
      const conf = parseKeepalivedConf(c.main, readFile, readDir);
      if ((missing.size > 0 || missingDirs.size > 0) && c.rounds < 3) {
        c.rounds++;
        c.pending = 0;
        for (const p of missing) if (fetchable(p)) (c.pending++, this.send(`c ${p}`));
        for (const d of missingDirs) if (fetchable(d) && !c.dirs.has(d)) (c.pending++, this.send(`g ${d}`));
        if (c.pending > 0) return;
      }
      this.evidence.config = conf;
      for (const e of conf.errors) this.once(`conf:${e.file}:${e.line}`, `${this.label}: ${e.file}:${e.line}: ${e.message}`);
    } catch (e) {
      this.once('conferr', `${this.label}: ${c.main}: ${(e as Error).message}`);
    }
  }

  /** The node's clock → ours. Before the first estimate: as it is (a day's error is refused). */
  toLocal(remote: bigint): bigint {
    const o = this.clockEst.current;
    const t = remote + this.opts.skewNs;
    if (!o) return t;
    const off = o.offsetNs > DAY || o.offsetNs < -DAY ? 0n : o.offsetNs;
    return t - off;
  }

  private setState(s: NodeState, message: string | undefined): void {
    if (this.state === s && this.message === message) return;
    const blind = (this.evidence.blind ??= []);
    const open = blind[blind.length - 1];
    // Blind since the last frame that came (a dead network is noticed only after ssh's keep-alives).
    if (s === 'lost' && (open === undefined || open.to !== undefined)) blind.push({ from: this.lastFrameNs ?? this.opts.clock(), to: undefined });
    else if (s === 'up' && open !== undefined && open.to === undefined) open.to = this.opts.clock();
    this.state = s;
    this.message = message;
    this.sink.state(this, s, message);
  }

  /** The connection is gone: stop what is left of it and try again later. */
  private drop(gen: number, why: string): void {
    if (gen !== this.gen || this.stopped) return;
    this.gen++;
    this.losses++;
    this.kill();
    this.setState('lost', why);
    const wait = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)]!;
    this.retry = setTimeout(() => void this.connect(false), wait);
  }

  private kill(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const s of this.sessions) {
      s.stdin?.end();
      s.kill('SIGTERM');
    }
    this.sessions.clear();
    this.loop = undefined;
    this.master?.stdin?.end();
    this.master?.kill('SIGTERM');
    this.master = undefined;
  }

  /** Test hook and `q`: ends every session (the remote side stops its commands as stdin closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.gen++;
    if (this.retry) clearTimeout(this.retry);
    for (const t of this.timers) clearInterval(t);
    const all = [...this.sessions, ...(this.master ? [this.master] : [])];
    const exited = all.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => c.once('exit', () => r()))));
    // Closing stdin is the clean way: each remote script stops its command and exits, then ssh.
    for (const c of all) c.stdin?.end();
    await Promise.race([Promise.all(exited), sleep(3000)]);
    for (const c of all) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.race([Promise.all(exited), sleep(1000)]);
    // Anything a connection attempt under way spawned meanwhile goes the same way.
    for (const c of [...this.sessions, ...(this.master && !all.includes(this.master) ? [this.master] : [])]) {
      c.stdin?.end();
      if (!all.includes(c)) setTimeout(() => c.kill('SIGTERM'), 1000).unref();
    }
    this.sessions.clear();
    this.master = undefined;
  }

  /** The pid of the control master (tests kill it to simulate a dropped connection). */
  get masterPid(): number | undefined {
    return this.master?.pid;
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private later(gen: number, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      if (gen === this.gen && !this.stopped) fn();
    }, ms);
    t.unref();
  }

  private once(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.sink.warn(message);
  }
}

/**
 * Whether an include outside keepalived's directory is fetched: absolute, one line, and looking like
 * keepalived's (a *.conf file, or a path through a directory named keepalived) — an include of
 * /etc/shadow is not copied into memory or a bundle.
 */
export function fetchable(p: string): boolean {
  if (!p.startsWith('/') || p.includes('\n') || p.includes('/../') || p.length > 1024) return false;
  return /\.conf$/.test(p) || /\/[^/]*keepalived[^/]*\//.test(`${p}/`);
}

function captureProblem(stderr: string, code: number | null): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(listening on|tcpdump: listening|\d+ packets)/.test(l));
  if (lines.some((l) => /sudo:.*password/i.test(l))) return "'sudo -n' asks for a password";
  return lines[lines.length - 1]?.slice(0, 200) ?? `status ${code}`;
}

function lastLine(s: string): string {
  const l = s.split('\n').map((x) => x.trim()).filter(Boolean).pop();
  return l ? `: ${l.slice(0, 200)}` : '';
}

function run(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    c.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('error', () => undefined);
    c.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
