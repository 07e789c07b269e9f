// The dashboard's wiring: owns the blessed screen's lifecycle, the keys, the frame timer and the
// replay. Packets go into the Replay (model) as they are read; a timer snapshots the model into a
// view-model at most FPS times a second, whatever the packet rate, and the frame draws that.
//
// The terminal is always given back: on q, Ctrl-C, SIGTERM, SIGHUP, SIGQUIT and on an internal
// error (whose message is printed after the screen is restored). While the screen is up, anything
// written through console.* (blessed's terminfo compiler complains about screen-256color that way)
// is held back, so nothing stray lands on the user's terminal.

import { openSync, statSync } from 'node:fs';
import tty from 'node:tty';
import blessed from 'blessed';
import type { CaptureInput } from '../capture/capture-source.js';
import { inputLabel, readInputs } from '../capture/read-inputs.js';
import { captureEnd } from './analyze-captures.js';
import { learnIndexes, segmenter, settleHost } from './host-analysis.js';
import { DashboardFrame, type FrameUi } from '../views/dashboard/frame.js';
import type { Pane } from '../views/dashboard/layout.js';
import type { Theme } from '../views/dashboard/text.js';
import { buildViewModel, type DashboardViewModel, type ReplayInfo, type UiState } from '../views/dashboard/view-model.js';
import type { LiveArgs } from './live-args.js';
import { BUNDLE_NODE, finishLiveBundle, liveHealth, startHostMonitor, startLive, type LiveSource } from './live.js';
import type { MetricsArgs } from './metrics-args.js';
import { modelFeed, serveMetrics } from './metrics-feed.js';
import type { MetricsServer } from '../views/metrics/metrics-server.js';
import type { HostArgs } from './args.js';
import type { HostMonitor } from '../host/host-monitor.js';
import { hostsOf, type HostSet } from '../host/host-evidence.js';
import { linkInstances } from '../host/correlate.js';
import { Replay, SPEEDS } from './replay.js';
import { terminalCaps } from './terminal-caps.js';
import type { SshRelay, SshSource } from '../ssh/ssh-source.js';
import type { BundleWriter } from '../bundle/bundle-writer.js';
import { finishBundle } from './ssh-main.js';
import type { Finding } from '../analysis/finding.js';
import { message } from './message.js';
import type { Packet } from '../decode/packet.js';
import { heapTrim } from './heap-trim.js';

export const FPS = 5;
const FRAME_MS = Math.round(1000 / FPS);
/** Frames for routine adverts and ticks (see render); live, every LIVE_ROUTINE_FRAME_MS. */
const ROUTINE_FRAME_MS = 1000;
const LIVE_ROUTINE_FRAME_MS = 2000;
/** Live, routine frames redraw the time charts, findings and events this often (see render). */
const FULL_FRAME_MS = 6000;
/**
 * A stream whose packets are this close to the wall clock is a live capture (tcpdump -U -w - over
 * ssh): the model then ticks with the clock, so a master that goes silent shows it without packets.
 */
const STREAM_NEAR_NS = 120_000_000_000n;
/** Ticks trail the stream's clock by this much, for packets still in the pipe (ssh, tcpdump -U). */
const STREAM_LAG_NS = 1_000_000_000n;
const ZOOMS = [10, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600] as const;

export type DashboardOptions = {
  readonly inputs: readonly CaptureInput[];
  readonly sourceLabel: string;
  readonly speed: number | undefined;
  /** Capture live on interfaces instead of reading `inputs`. */
  readonly live?: LiveArgs;
  /** Offline host evidence (--keepalived-*, --firewall); live, a monitor gathers it. */
  readonly host?: HostSet;
  readonly hostArgs?: HostArgs;
  /** --metrics: serve the dashboard's model to Prometheus too. */
  readonly metrics?: MetricsArgs;
  /** Nodes over ssh, already connected (prompts came before the screen): their relay and status. */
  readonly ssh?: { readonly source: SshSource; readonly relay: SshRelay; readonly bundle: BundleWriter | undefined };
  /** Local live capture with --bundle. */
  readonly liveBundle?: BundleWriter;
};

type ConsoleFns = Pick<Console, 'error' | 'warn' | 'log' | 'info'>;

/** Runs until the user quits; resolves with the exit status. With --metrics, the exporter reads the dashboard's model. */
export async function runDashboard(opts: DashboardOptions): Promise<number> {
  if (!opts.metrics) return openDashboard(opts, {});
  const seen: Hooks = {};
  const frames = new Map<string, number>(opts.inputs.map((i) => [inputLabel(i), 0]));
  const feed = modelFeed(
    () => (seen.app ? { timeline: seen.app.replay.timeline, ledger: seen.app.replay.ledger, host: seen.app.replay.host } : undefined),
    () => (opts.live ? liveHealth(seen.live) : [...frames].map(([name, n]) => ({ name, up: seen.app?.replay.loading ?? true, frames: n, dropped: undefined }))),
  );
  let server: MetricsServer;
  try {
    server = await serveMetrics(opts.metrics, feed, (m) => void process.stderr.write(`vrrpscope: ${m}\n`));
  } catch (e) {
    process.stderr.write(`vrrpscope: ${(e as Error).message}\n`);
    return 2;
  }
  seen.frame = (input) => void frames.set(input, (frames.get(input) ?? 0) + 1);
  const code = await openDashboard(opts, seen);
  await server.close();
  return code;
}

/** What --metrics needs to see of a running dashboard. */
type Hooks = { app?: DashboardController; live?: LiveSource; frame?: (input: string) => void };

function openDashboard(opts: DashboardOptions, hooks: Hooks): Promise<number> {
  return new Promise<number>((resolve) => {
    const held: string[] = [];
    const warnings: string[] = [];
    const saved: ConsoleFns = { error: console.error, warn: console.warn, log: console.log, info: console.info };
    const hold = (...a: unknown[]): void => void held.push(a.map(String).join(' '));
    console.error = console.warn = console.log = console.info = hold;

    let screen: blessed.Widgets.Screen | undefined;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    // A dashboard left open for a day: its garbage is collected on a schedule (heap-trim.ts).
    const trim = heapTrim();
    const signals = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'] as const;
    const codes: Record<(typeof signals)[number], number> = { SIGTERM: 143, SIGHUP: 129, SIGINT: 130, SIGQUIT: 131 };
    const onSignal = (s: (typeof signals)[number]): void => finish(codes[s]);
    const onError = (e: unknown): void => finish(2, e);
    const handlers = signals.map((s) => [s, () => onSignal(s)] as const);

    let live: LiveSource | undefined;
    let monitor: HostMonitor | undefined;
    function finish(code: number, error?: unknown): void {
      if (done) return;
      done = true;
      if (timer) clearInterval(timer);
      trim.stop();
      // Stop the capture workers first (bounded: the terminal must come back promptly).
      monitor?.stop();
      const ssh = opts.ssh;
      const lb = opts.liveBundle;
      const stopped = live
        ? Promise.race([live.stop().catch(() => 0n), new Promise<bigint>((r) => setTimeout(() => r(0n), 2000))]).then((end) => (lb ? finishLiveBundle(lb, monitor, opts.hostArgs, end, (m) => void warnings.push(m)) : undefined))
        : ssh
          ? ssh.source.stop().then((end) => (ssh.bundle ? finishBundle(ssh.bundle, ssh.source, end, (m) => void warnings.push(m)) : undefined)).catch(() => undefined)
          : Promise.resolve();
      try {
        screen?.destroy();
      } catch {
        // Restoring is best effort; the lines below still run.
      }
      if (process.stdin.isTTY) {
        try {
          process.stdin.setRawMode(false);
        } catch {
          // not a TTY any more (hang-up)
        }
      }
      process.stdin.pause();
      Object.assign(console, saved);
      // Later, not now: blessed's own signal handler runs after ours for this very signal and
      // exits with status 0 unless another listener is still there.
      setImmediate(() => {
        for (const [s, h] of handlers) process.removeListener(s, h);
        process.removeListener('uncaughtException', onError);
        process.removeListener('unhandledRejection', onError);
      });
      if (process.env['VRRPSCOPE_DEBUG']) for (const h of held) process.stderr.write(h + '\n');
      for (const w of warnings) process.stderr.write(message(w));
      if (error !== undefined) {
        const msg = error instanceof Error ? error.message : String(error);
        process.stderr.write(message(`internal error: ${msg}`));
        if (process.env['VRRPSCOPE_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      }
      void stopped.then(() => resolve(code));
    }

    for (const [s, h] of handlers) process.on(s, h);
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);

    try {
      screen = blessed.screen({ ...keyboard(opts), smartCSR: true, fullUnicode: false, warnings: false, autoPadding: false, title: 'vrrpscope', dockBorders: false, ignoreLocked: ['C-c'] });
      // blessed exits with status 0 on SIGTERM/SIGINT/SIGQUIT and prints stacks on uncaught errors;
      // the handlers above do both jobs properly, so blessed's go.
      const S = (blessed as unknown as { Screen: Record<string, ((...a: unknown[]) => void) | undefined> }).Screen;
      for (const [ev, name] of [['SIGTERM', '_sigtermHandler'], ['SIGINT', '_sigintHandler'], ['SIGQUIT', '_sigquitHandler'], ['uncaughtException', '_exceptionHandler']] as const) {
        const h = S[name];
        if (h) process.removeListener(ev, h);
      }
      const tput = (screen.program as unknown as { tput: { unicode: boolean; colors: number; numbers: Record<string, number> } }).tput;
      const caps = terminalCaps(process.env, tput.colors);
      // blessed reduces colours to what its terminfo says: tell it what the terminal really has.
      if (caps.colors === 256) tput.colors = 256;
      const theme: Theme = { color: caps.colors > 0, colors: caps.colors, unicode: tput.unicode || tput.numbers['U8'] === 1 };
      const app = new DashboardController(screen, theme, opts, finish);
      hooks.app = app;
      const frameTick = (): void => {
        try {
          app.tick();
        } catch (e) {
          onError(e);
        }
      };
      if (opts.ssh) {
        const s = opts.ssh.source;
        app.replay.host = s.hosts;
        opts.ssh.relay.attach({ packet: (p, segment) => app.replay.add(p, segment), tick: (ts) => app.replay.tick(ts), beat: frameTick, node: () => app.changedNodes(), warn: (m) => void warnings.push(m) });
        app.loaded();
      } else if (opts.live) {
        // Live, the capture's heartbeat (4 a second) also draws: one wake-up instead of two timers.
        const lb = opts.liveBundle;
        lb?.node(BUNDLE_NODE, 'live (dashboard)', false);
        startLive(opts.live, { packet: (p, segment) => app.replay.add(p, segment), tick: (ts) => app.replay.tick(ts), beat: frameTick }, (m) => void warnings.push(m), lb ? (f, ifName, ts) => lb.frame(BUNDLE_NODE, f, ifName, ts) : undefined).then((source) => {
          live = source;
          hooks.live = source;
          monitor = startHostMonitor(opts.hostArgs, source, (m) => void warnings.push(m), lb ? (kind, text, ts) => lb.evidence(BUNDLE_NODE, kind, `keepalived.${kind}`, text, ts) : undefined);
          app.replay.host = monitor.evidence;
          const m = monitor;
          app.replay.ledgerWanted = () => m.wantsLedger();
          app.dropped = () => source.dropped() ?? 0;
          if (done) void source.stop();
          app.loaded();
        }, onError);
      } else {
        // One host's evidence names `-i any` indexes; a bundle's nodes come with named captures.
        const hosts = hostsOf(opts.host);
        const single = hosts.length === 1 && hosts[0]!.scope === undefined ? hosts[0] : undefined;
        const segmentFor = segmenter(opts.inputs, single);
        learnIndexes(opts.inputs, single).then(() => readInputs(opts.inputs, (p) => {
          hooks.frame?.(p.input);
          app.packet(p, segmentFor(p));
        }, (m) => void warnings.push(m))).then(
        (reports) => {
          for (const r of reports) if (r.error) warnings.push(r.frames > 0 ? `${r.error.message}; the ${r.frames} frames before it were analysed` : r.error.message);
          const last = app.replay.lastPacket;
          if (last !== undefined) {
            const end = captureEnd(reports, last);
            if (end > last) app.replay.captureEnd = end;
            for (const h of hosts) settleHost(h, end > last ? end : last);
          }
          app.loaded();
        },
        onError,
        );
      }
      if (!opts.live && !opts.ssh) timer = setInterval(frameTick, FRAME_MS);
      app.render(true);
    } catch (e) {
      onError(e);
    }
  });
}

/** When the capture comes on standard input, keys come from the controlling terminal. */
function keyboard(opts: DashboardOptions): { input?: tty.ReadStream } {
  if (!opts.inputs.some((i) => i.path === '-') || process.stdin.isTTY) return {};
  try {
    return { input: new tty.ReadStream(openSync('/dev/tty', 'r')) };
  } catch {
    return {};
  }
}

/** Keys and UI state; turns the replay into view-models and hands them to the frame. */
class DashboardController {
  readonly replay: Replay;
  private readonly frame: DashboardFrame;
  private ui: { selectedKey: string | undefined; filter: string; windowS: number | undefined; detail: boolean; order: 'problems' | 'stable' };
  /** Standard input or a FIFO: packets arrive as they are captured, the writer may go away. */
  private readonly streaming: boolean;
  /** Smallest (wall clock − packet time) seen: the stream's clock against ours, with the least delay. */
  private streamOffset: bigint | undefined;
  private lastArrival: number | undefined;
  private streamClosed = false;
  private focus: Pane = 'table';
  private help = false;
  private prompt: string | undefined;
  private scroll = { findings: 0, events: 0, detail: 0 };
  private last: DashboardViewModel | undefined;
  private drawnVersion = -1;
  private drawnSignificant = -1;
  private dirty = true;
  private lastFrame = 0;
  private lastFull = 0;
  /** The findings of the last full frame (partial frames show their counts). */
  private fullFindings: Finding[] | undefined;
  private lastTick = Date.now();

  constructor(
    private readonly screen: blessed.Widgets.Screen,
    theme: Theme,
    private readonly opts: DashboardOptions,
    private readonly quit: (code: number) => void,
  ) {
    this.replay = new Replay(opts.speed);
    this.replay.host = opts.host;
    this.ui = { selectedKey: undefined, filter: '', windowS: undefined, detail: false, order: 'problems' };
    this.streaming = opts.live === undefined && opts.inputs.some((i) => i.path === '-' || isFifo(i.path));
    this.frame = new DashboardFrame(screen, (o) => blessed.box(o), theme);
    screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined) => {
      this.key(ch, key);
    });
    screen.on('resize', () => this.render(true));
  }

  /** keepalived's log lines worth showing, up to the replay position. */
  private hostEvents(): { ts: bigint; where: string; text: string }[] {
    const pos = this.replay.position;
    return hostsOf(this.replay.host).flatMap((h) =>
      h.log
        .filter((e) => e.time !== undefined && e.kind !== 'other' && (pos === undefined || e.time <= pos))
        .map((e) => ({ ts: e.time!, where: `${h.scope !== undefined ? `${h.scope}/` : ''}${e.instance ?? 'keepalived'}`, text: e.text.replace(/^\([^)]*\) */, '') })),
    );
  }

  /** keepalived instance names per VRID key, when host evidence is known. */
  private instances(): Map<string, string> | undefined {
    const host = this.replay.host;
    if (!host) return undefined;
    return new Map(
      linkInstances(this.replay.timeline, host).map((l) => [l.vrid.key, `${l.name}${l.syncGroup ? ` (${l.syncGroup})` : ''}${l.state ? ` ${l.state}${l.wantState && l.wantState !== l.state ? `→${l.wantState}` : ''}` : ''}`]),
    );
  }

  /** Frames the capture dropped (live: the kernel's count over all interfaces). */
  dropped: () => number = () => 0;

  /** A node came, went or came back: redraw the header now. */
  changedNodes(): void {
    this.dirty = true;
  }

  loaded(): void {
    this.replay.loading = false;
    this.streamClosed = this.streaming;
    if (this.streaming) {
      // The writer shared our terminal; a program that exits (node does) resets the terminal's mode
      // on its way out, which would turn our raw keyboard back into an echoing line editor.
      // Its reset can land a moment after its end of the pipe closed: say raw again, now and shortly.
      const input = this.screen.program.input as unknown as { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
      const raw = (): void => {
        if (!input.isTTY || (this.screen as unknown as { destroyed?: boolean }).destroyed) return;
        // libuv skips a switch to the mode it believes the terminal is in: off first, then on.
        input.setRawMode?.(false);
        input.setRawMode?.(true);
      };
      raw();
      for (const ms of [300, 1500]) setTimeout(raw, ms).unref();
    }
    this.dirty = true;
  }

  /** A packet read from the inputs. */
  packet(p: Packet, segment: string): void {
    if (this.streaming) {
      const now = Date.now();
      const offset = BigInt(now) * 1_000_000n - p.ts;
      if (this.streamOffset === undefined || offset < this.streamOffset) this.streamOffset = offset;
      this.lastArrival = now;
    }
    this.replay.add(p, segment);
  }

  /** The stream keeps the wall clock: its packets are near it and the writer is still there. */
  private streamLive(): boolean {
    const o = this.streamOffset;
    return this.streaming && !this.streamClosed && o !== undefined && o < STREAM_NEAR_NS && o > -STREAM_NEAR_NS;
  }

  tick(): void {
    const now = Date.now();
    // A stream near the wall clock ticks the model as live capture does (the model stays pure:
    // the tick is an event with a time, like a packet).
    if (this.streamLive() && this.replay.lastPacket !== undefined) {
      const ts = BigInt(now) * 1_000_000n - this.streamOffset! - STREAM_LAG_NS;
      if (ts > this.replay.timeline.now) this.replay.tick(ts);
    }
    this.replay.advance(now - this.lastTick);
    this.lastTick = now;
    this.render(false);
  }

  /** Draws if something changed and the last frame is old enough (force: now). */
  render(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastFrame < FRAME_MS - 20) return;
    if (!force && !this.dirty && this.drawnVersion === this.replay.changes) return;
    // Routine adverts and clock ticks (nothing significant: see Replay.significant) are redrawn at
    // most once a second in a replay, every LIVE_ROUTINE_FRAME_MS live; a significant change at once.
    const routine = !force && !this.dirty && this.drawnSignificant === this.replay.significant;
    const live = this.opts.live !== undefined || this.opts.ssh !== undefined;
    if (routine && now - this.lastFrame < (live ? LIVE_ROUTINE_FRAME_MS : ROUTINE_FRAME_MS)) return;
    // Live, a routine frame brings the clock, counts and ages, and the rest (time charts, findings,
    // events) every FULL_FRAME_MS. On a VM each frame costs an idle dashboard ~0.3 % of a core a
    // second by itself (the target for all of it is 1 %), and a quiet cluster's panels only creep.
    const partial = routine && live && this.fullFindings !== undefined && now - this.lastFull < FULL_FRAME_MS;
    this.drawnVersion = this.replay.changes;
    this.drawnSignificant = this.replay.significant;
    this.dirty = false;
    this.lastFrame = now;
    const r = this.replay;
    const stream = this.streaming ? { lastPacketAgoS: this.lastArrival === undefined ? undefined : (now - this.lastArrival) / 1000, closed: this.streamClosed, wallClock: this.streamLive() || this.streamOffset === undefined } : undefined;
    const info: ReplayInfo = { mode: live ? 'live' : this.streaming ? 'stream' : 'replay', paused: r.paused, speed: r.speed, loading: r.loading, position: r.position, end: r.end, stream };
    const ui: UiState = this.ui;
    const findings = partial ? this.fullFindings! : r.findings();
    // Over ssh the label carries each node's clock offset, and LOST for a node that dropped off.
    const label = this.opts.ssh ? `ssh: ${this.opts.ssh.source.status()}` : this.opts.sourceLabel;
    this.last = buildViewModel(r.timeline, findings, { label, dropped: this.dropped(), instances: this.instances(), hostEvents: this.hostEvents() }, info, ui);
    if (this.ui.selectedKey === undefined && this.last.rows[0]) this.ui.selectedKey = this.last.rows[0].key;
    const frameUi: FrameUi = { focus: this.focus, help: this.help, prompt: this.prompt, scroll: this.scroll };
    this.frame.draw(this.last, frameUi, partial ? 'clock' : 'all');
    if (!partial) {
      this.lastFull = now;
      this.fullFindings = findings;
    }
    this.screen.render();
  }

  private changed(): void {
    this.dirty = true;
    this.render(true);
  }

  private key(ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg | undefined): void {
    const name = key?.name;
    const full = key?.full;
    if (full === 'C-c') return this.quit(130);
    if (full === 'C-l') return this.redraw();
    if (full === 'C-z') return this.suspend();
    if (this.prompt !== undefined) return this.promptKey(ch, name);
    if (this.help) {
      this.help = false;
      if (ch === 'q') return this.quit(0);
      return this.changed();
    }
    const vm = this.last;
    switch (true) {
      case ch === 'q':
        return this.quit(0);
      case ch === '?':
        this.help = true;
        return this.changed();
      case name === 'escape':
        if (this.ui.detail) this.ui.detail = false;
        else if (this.ui.filter) this.ui.filter = '';
        else this.focus = 'table';
        return this.changed();
      case ch === 'o':
        this.ui.order = this.ui.order === 'problems' ? 'stable' : 'problems';
        return this.changed();
      case ch === 'g' || name === 'home':
        return this.jump('start');
      case ch === 'G' || name === 'end':
        return this.jump('end');
      // blessed reports one Enter (\r) as both 'return' and 'enter': act on one of them only.
      case name === 'return' || (name === 'enter' && ch === '\n'):
        if (vm && vm.rows.length > 0) {
          this.ui.detail = true;
          this.scroll.detail = 0;
        }
        return this.changed();
      case name === 'tab':
        if (!this.ui.detail) this.focus = this.focus === 'table' ? 'findings' : this.focus === 'findings' ? 'events' : 'table';
        return this.changed();
      case name === 'up' || ch === 'k':
        return this.move(-1);
      case name === 'down' || ch === 'j':
        return this.move(1);
      case name === 'pageup':
        return this.move(-this.page());
      case name === 'pagedown':
        return this.move(this.page());
      case ch === '/':
        this.prompt = this.ui.filter;
        return this.changed();
      case ch === ' ' || name === 'space':
        return this.togglePause();
      case ch === '+' || ch === '=':
        return this.zoom(-1);
      case ch === '-' || ch === '_':
        return this.zoom(1);
      case name === 'left':
        return this.scrub(-1);
      case name === 'right':
        return this.scrub(1);
      case ch === '<' || ch === ',':
        return this.speed(-1);
      case ch === '>' || ch === '.':
        return this.speed(1);
      default:
        return;
    }
  }

  private promptKey(ch: string | undefined, name: string | undefined): void {
    if (name === 'escape') {
      this.prompt = undefined;
      this.ui.filter = '';
    } else if (name === 'return' || (name === 'enter' && ch === '\n')) {
      this.prompt = undefined;
    } else if (name === 'backspace') {
      this.prompt = (this.prompt ?? '').slice(0, -1);
      this.ui.filter = this.prompt;
    } else if (ch !== undefined && ch.length === 1 && ch >= ' ' && ch <= '~' && (this.prompt ?? '').length < 40) {
      this.prompt = (this.prompt ?? '') + ch;
      this.ui.filter = this.prompt;
    } else return;
    this.changed();
  }

  private page(): number {
    const p = this.ui.detail ? this.frame.pageRows.detail : this.focus === 'table' ? 5 : this.frame.pageRows[this.focus];
    return Math.max(1, p - 1);
  }

  private move(d: number): void {
    const vm = this.last;
    if (this.ui.detail) {
      this.scroll.detail = clamp(this.scroll.detail + d, 0, Math.max(0, this.frame.lineCounts.detail - this.frame.pageRows.detail));
    } else if (this.focus === 'table') {
      if (!vm || vm.rows.length === 0) return;
      const i = clamp((vm.selected < 0 ? 0 : vm.selected) + d, 0, vm.rows.length - 1);
      this.ui.selectedKey = vm.rows[i]!.key;
    } else {
      const pane = this.focus;
      this.scroll[pane] = clamp(this.scroll[pane] + d, 0, Math.max(0, this.frame.lineCounts[pane] - this.frame.pageRows[pane]));
    }
    this.changed();
  }

  /** Ctrl-L: forget what the terminal shows and draw everything again. */
  private redraw(): void {
    this.screen.realloc();
    this.frame.forget();
    this.changed();
  }

  /** Ctrl-Z: give the terminal back and stop; on SIGCONT (fg) take it again and redraw. */
  private suspend(): void {
    const program = this.screen.program as unknown as { isAlt: boolean; pause(): () => void; normalBuffer(): void; alternateBuffer(): void; showCursor(): void; hideCursor(): void; flush(): void };
    // Leave the alternate screen and show the cursor ourselves, and flush: blessed buffers its
    // writes, and its pause() silences the output before that buffer would go out.
    const wasAlt = program.isAlt;
    if (wasAlt) program.normalBuffer();
    program.showCursor();
    program.flush();
    // blessed's pause: raw mode off, input paused, output held.
    const resume = program.pause();
    let back = false;
    const wake = (): void => {
      if (back) return;
      back = true;
      process.removeListener('SIGCONT', wake);
      resume();
      if (wasAlt) program.alternateBuffer();
      program.hideCursor();
      this.redraw();
    };
    process.on('SIGCONT', wake);
    process.kill(process.pid, 'SIGTSTP');
    // Here once resumed — or at once when the kernel discarded SIGTSTP because no job-control shell
    // could ever resume us (an orphaned process group): then carry on rather than sit paused.
    setTimeout(wake, 200);
  }

  private atEnd(): boolean {
    const r = this.replay;
    return !r.loading && r.end !== undefined && r.position !== undefined && r.position >= r.end;
  }

  /** g/Home: the start of the capture; G/End: its end (following it, as when opened). */
  private jump(to: 'start' | 'end'): void {
    const r = this.replay;
    if (r.first === undefined || r.end === undefined || this.streaming) return;
    if (to === 'start') {
      if (r.speed === undefined) r.setSpeed(1);
      r.follow = false;
      r.seek(r.first);
    } else {
      r.seek(r.end);
      // Live: back to following the wire, as it opened.
      if (this.opts.live) {
        r.setSpeed(undefined);
        r.paused = false;
      }
      r.follow = r.speed === undefined;
    }
    this.changed();
  }

  private togglePause(): void {
    const r = this.replay;
    if (this.streaming || this.opts.live) {
      // Live or a stream has nothing to replay: pausing freezes the view while packets keep arriving.
      r.paused = !r.paused;
    } else if (this.atEnd()) {
      // At the end: play again from the start (at the speed shown, 1x when there was none).
      if (r.speed === undefined) r.setSpeed(1);
      if (r.first !== undefined) r.seek(r.first);
      r.follow = false;
      r.paused = false;
    } else {
      if (r.paused && r.speed === undefined) r.setSpeed(1);
      r.paused = !r.paused;
    }
    this.changed();
  }

  private zoom(d: number): void {
    const r = this.replay;
    const full = r.first !== undefined && r.position !== undefined ? Number(r.position - r.first) / 1e9 : 0;
    const cur = this.ui.windowS;
    let i: number;
    if (cur === undefined) i = d < 0 ? ZOOMS.filter((z) => z < full).length - 1 : ZOOMS.length;
    else i = ZOOMS.indexOf(cur as (typeof ZOOMS)[number]) + d;
    this.ui.windowS = i >= 0 && i < ZOOMS.length && (d < 0 || ZOOMS[i]! < full) ? ZOOMS[i] : i < 0 ? ZOOMS[0] : undefined;
    this.changed();
  }

  private scrub(d: number): void {
    const r = this.replay;
    if (r.position === undefined || r.first === undefined || r.end === undefined) return;
    const span = this.ui.windowS ?? Math.max(1, Number(r.end - r.first) / 1e9);
    const step = BigInt(Math.max(1_000_000_000, Math.round((span / 10) * 1e9)));
    r.paused = true;
    r.follow = false;
    r.seek(r.position + (d < 0 ? -step : step));
    if (r.speed === undefined && r.position >= r.end) r.follow = true;
    this.changed();
  }

  private speed(d: number): void {
    const r = this.replay;
    const i = r.speed === undefined ? SPEEDS.indexOf(1) : SPEEDS.indexOf(r.speed as (typeof SPEEDS)[number]);
    const next = SPEEDS[clamp((i < 0 ? SPEEDS.indexOf(1) : i) + (r.speed === undefined ? 0 : d), 0, SPEEDS.length - 1)]!;
    if (this.streaming || this.opts.live) return;
    r.setSpeed(next);
    // A new speed plays (unless at the end, where space starts the replay at it).
    if (!this.atEnd()) r.paused = false;
    this.changed();
  }
}

function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO();
  } catch {
    return false;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
