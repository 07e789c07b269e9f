// The live pipeline: interfaces → (pcapng writer) → decode → model, with ticks several times a
// second so silence shows, and the same views as replay (analyze-captures.ts has the same shape):
// --packets and --json stream as things happen, --report and the --json summary come at the end
// (--duration or Ctrl-C). The dashboard takes a LiveSource (same feeding as a replay: packets with
// their segment, plus ticks).

import { createRequire } from 'node:module';
import { lstatSync, readFileSync } from 'node:fs';
import { inert } from '../util/inert.js';
import type { Finding } from '../analysis/finding.js';
import { hostInterfaces, interfaceExists, LiveCapture, type LiveInterface } from '../capture/live-capture.js';
import { clockNow, makeAnchor, type ClockAnchor } from '../capture/live-filter.js';
import { PcapngWriter, type InterfaceStats } from '../capture/pcapng-writer.js';
import { canCapture, dropPrivileges, NO_PRIVILEGE_MESSAGE, userExists } from '../capture/privileges.js';
import { decodeFrame, supportsLinkType } from '../decode/decode-frame.js';
import type { Packet } from '../decode/packet.js';
import type { Frame } from '../capture/frame.js';
import { linkTypeName } from '../capture/link-types.js';
import { segmentOf } from '../model/segment.js';
import { jsonFinding, jsonSummary, jsonLine, jsonTransition } from '../views/json-output.js';
import { formatPacket } from '../views/packet-line.js';
import { Timeline } from '../model/timeline.js';
import type { JsonCapture, JsonInterface } from '../views/json-types.js';
import { writeReport } from '../views/report.js';
import { isoTime } from '../views/time-format.js';
import type { LiveArgs } from './live-args.js';
import type { HostArgs } from './args.js';
import { withHost } from './host-analysis.js';
import { BROKEN_PIPE_STATUS, pipeBroken, whenPipeBreaks } from './broken-pipe.js';
import { AdvertLedger } from '../host/advert-ledger.js';
import { linkInstances } from '../host/correlate.js';
import { HostMonitor } from '../host/host-monitor.js';
import { PacketSample } from '../views/html/packet-sample.js';
import { finalText, wantsIncident, writeIncident, type IncidentOutputs } from './incident-output.js';
import type { MetricsArgs } from './metrics-args.js';
import { modelFeed, serveMetrics } from './metrics-feed.js';
import type { MetricsServer } from '../views/metrics/metrics-server.js';
import type { CaptureInputHealth } from '../views/metrics/vrrp-metrics.js';
import type { BundleWriter } from '../bundle/bundle-writer.js';
import { copyLiveEvidence } from '../bundle/bundle-sources.js';
import { DEFAULT_CONF_PATH } from '../host/keepalived/config.js';
import { hostname } from 'node:os';
import { heapTrim } from './heap-trim.js';

/** A local live run's node in a bundle: this host's name. */
export const BUNDLE_NODE = hostname().replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '').slice(0, 64) || 'local';

/** Ticks into the model per second. */
export const TICKS_PER_SECOND = 4;
/**
 * Ticks trail the clock by this much, so a frame stamped in a worker just before a tick and read a
 * moment after it still reaches the model in time order.
 */
const TICK_LAG_NS = 100_000_000n;
/** --json looks for new findings every this many ticks (once a second). */
const FINDINGS_EVERY = TICKS_PER_SECOND;

export type LiveSink = {
  /** A decoded packet with its segment (the interface name). */
  packet(p: Packet, segment: string): void;
  /** The clock moved on without a packet. */
  tick(ts: bigint): void;
  /** An interface changed state. */
  state?(i: LiveInterface, ts: bigint): void;
  /**
   * Called after every tick, on the same wake-up: the place for periodic work (drawing, streaming
   * findings) so an idle capture does not wake the process once per timer.
   */
  beat?(n: number): void;
};

/** A running live capture feeding a sink; what the dashboard and the text modes share. */
export type LiveSource = {
  readonly capture: LiveCapture;
  readonly anchor: ClockAnchor;
  /** Kernel drops so far over all interfaces (undefined when no interface can tell). */
  dropped(): number | undefined;
  /** Stops capturing, closes the -w file; resolves with the capture's end time. */
  stop(): Promise<bigint>;
};

export type LiveIo = { readonly out: (line: string) => void; readonly warn: (message: string) => void };

/** Why live capture cannot start, as the one line to print; undefined when it can. */
export function liveProblem(args: LiveArgs): string | undefined {
  const capError = loadCapError();
  if (capError !== undefined) {
    return (
      `live capture needs the 'cap' binding to libpcap, which did not load (${capError}); install libpcap's headers ` +
      `(Debian/Ubuntu: sudo apt-get install libpcap-dev; RHEL/Fedora: sudo dnf install libpcap-devel) and run 'npm rebuild cap' ` +
      `where vrrpscope is installed; reading captures (-r FILE) works without it`
    );
  }
  const host = hostInterfaces();
  for (const n of args.interfaces) {
    if (!interfaceExists(n)) return `no interface '${n}' on this host; there are: ${host.map((i) => i.name).join(', ') || '(none)'}`;
  }
  if (args.user !== undefined && !userExists(args.user)) return `-Z: no user '${args.user}' on this host`;
  if (!canCapture()) return NO_PRIVILEGE_MESSAGE;
  return undefined;
}

function loadCapError(): string | undefined {
  if (process.env['VRRPSCOPE_NO_CAP']) return 'VRRPSCOPE_NO_CAP is set';
  try {
    createRequire(import.meta.url)('cap');
    return undefined;
  } catch (e) {
    return ((e as Error).message.split('\n')[0] ?? 'unknown error').slice(0, 200);
  }
}

/** Starts capturing into `sink`. Throws (one line) when no interface could be opened. */
/** `tee` sees every frame as captured (for --bundle). */
export async function startLive(args: LiveArgs, sink: LiveSink, warn: (m: string) => void, tee?: (f: Frame, ifName: string, ts: bigint) => void): Promise<LiveSource> {
  const anchor = makeAnchor();
  const unsupported = new Set<number>();
  let started = false;
  // As tcpdump: with -Z the file is created by the user root changed to, after the drop.
  const open = (): PcapngWriter | undefined => {
    if (args.write === undefined) return undefined;
    try {
      const w = new PcapngWriter(args.write, `vrrpscope ${version()} (live capture)`, args.overwrite);
      w.onError = (m) => warn(`-w ${inert(args.write!)}: ${m}`);
      return w;
    } catch (e) {
      throw new Error(`-w ${inert(args.write)}: ${(e as Error).message}`);
    }
  };
  // Fail before opening anything when the file is there and may not be replaced (with -Z the file
  // is only created after the drop, so the check is made here first).
  if (args.write !== undefined && !args.overwrite && lexists(args.write)) {
    throw new Error(`-w ${inert(args.write)}: already exists; vrrpscope does not overwrite a file unless --overwrite is given`);
  }
  let writer = args.user === undefined ? open() : undefined;
  const capture = new LiveCapture({
    interfaces: args.interfaces.length > 0 ? args.interfaces : 'all',
    anchor,
    bufferBytes: args.bufferBytes,
    user: args.user,
    onFrame(f, ifName) {
      writer?.write(f, ifName, f.timestampNs());
      tee?.(f, ifName, f.timestampNs());
      if (!supportsLinkType(f.linktype)) {
        if (!unsupported.has(f.linktype)) warn(`${ifName}: link type ${linkTypeName(f.linktype)} is not supported; its frames are counted and skipped`);
        unsupported.add(f.linktype);
        return;
      }
      const p = decodeFrame(f, ifName);
      // The segment is the interface, plus the VLAN tags libpcap hands back (eth0.100).
      if (p) sink.packet(p, p.l2 === undefined || p.l2.vlans.length === 0 ? ifName : segmentOf(p, false));
    },
    onState(i) {
      if (i.state === 'up' && i.linktype !== undefined) writer?.describe(i.name, i.linktype);
      if (started || i.state === 'down' || i.state === 'gone') sink.state?.(i, clockNow(anchor));
    },
  });
  await capture.start();
  const opened = capture.interfaces.filter((i) => i.state === 'up');
  const waiting = capture.interfaces.filter((i) => i.state === 'down' || i.state === 'gone');
  if (opened.length === 0 && waiting.length === 0) {
    await capture.stop();
    writer?.close(clockNow(anchor), new Map());
    const why = capture.interfaces.map((i) => `${i.name}: ${i.message ?? i.state}`).join('; ');
    throw new Error(capture.interfaces.length === 0 ? 'no interface is up to capture on (see ip link; name one with -i)' : `could not open any interface (${why})`);
  }
  for (const i of capture.interfaces) if (i.state === 'failed') warn(`${i.name}: ${i.message ?? 'could not be opened'}; retrying`);
  for (const i of waiting) warn(`${i.name}: ${i.message ?? i.state}; capturing as soon as it is up`);
  started = true;
  if (args.user !== undefined) {
    try {
      dropPrivileges(args.user);
      writer = open();
      for (const i of capture.interfaces) if (i.state === 'up' && i.linktype !== undefined) writer?.describe(i.name, i.linktype);
    } catch (e) {
      // Fail fast: stop the workers that are already capturing, or the process would hang on them.
      await capture.stop();
      throw e;
    }
  }
  // One heartbeat for everything periodic: on a VM each wake-up of an idle process costs more than
  // the work it does, so the ticks, the interface poll and the sink's own chores share it.
  let beats = 0;
  const tick = setInterval(() => {
    const n = beats++;
    // Frames first (on a quiet wire they wait in the workers' channels for this), then the clock.
    capture.drain();
    sink.tick(clockNow(anchor) - TICK_LAG_NS);
    if (n % TICKS_PER_SECOND === 0) capture.poll();
    sink.beat?.(n);
  }, Math.round(1000 / TICKS_PER_SECOND));
  let stopping: Promise<bigint> | undefined;
  return {
    capture,
    anchor,
    dropped: () => capture.dropped,
    stop() {
      stopping ??= (async () => {
        clearInterval(tick);
        await capture.stop();
        const end = clockNow(anchor);
        sink.tick(end);
        const stats = new Map<string, InterfaceStats>(capture.interfaces.map((i) => [i.name, { received: i.received, dropped: i.dropped, shed: i.shed, linktype: i.linktype }]));
        writer?.close(end, stats);
        return end;
      })();
      return stopping;
    },
  };
}

/** The live interfaces as the exporter's capture health. */
export function liveHealth(source: LiveSource | undefined): readonly CaptureInputHealth[] {
  return (source?.capture.interfaces ?? []).map((i) => ({ name: i.name, up: i.state === 'up', frames: i.frames, dropped: i.dropped }));
}

/** --report / --json / --packets (or, with --metrics, no view: 'none') on live interfaces; resolves with the exit status. */
export async function runLive(args: LiveArgs, mode: 'report' | 'json' | 'packets' | 'none', io: LiveIo, hostArgs?: HostArgs, outputs: IncidentOutputs = { html: undefined, markdown: undefined }, metrics?: MetricsArgs, bundle?: BundleWriter): Promise<number> {
  const problem = liveProblem(args);
  if (problem !== undefined) {
    io.warn(problem);
    return 2;
  }
  bundle?.node(BUNDLE_NODE, `live on ${hostname()}`, false);
  const timeline = new Timeline();
  const ledger = new AdvertLedger();
  // Set once the capture runs; packets may arrive before that.
  let monitor: HostMonitor | undefined;
  let source: LiveSource | undefined;
  let server: MetricsServer | undefined;
  if (metrics) {
    try {
      server = await serveMetrics(metrics, modelFeed(() => ({ timeline, ledger, host: monitor?.evidence }), () => liveHealth(source)), io.warn);
    } catch (e) {
      io.warn((e as Error).message);
      return 2;
    }
  }
  const streamed = new Set<string>();
  const sample = wantsIncident(outputs) ? new PacketSample() : undefined;
  const drain = (): void => {
    if (mode === 'json') for (const { vrid, t } of timeline.newTransitions) io.out(jsonLine(jsonTransition(vrid, t)));
    if (timeline.newTransitions.length > 0) timeline.newTransitions.length = 0;
  };
  const sink: LiveSink = {
    packet(p, segment) {
      if (mode === 'packets') return io.out(formatPacket(p, segment));
      if (monitor?.wantsLedger()) ledger.add(p, segment);
      sample?.add(p, segment);
      timeline.apply({ kind: 'packet', segment, packet: p });
      drain();
    },
    tick(ts) {
      // A lagged tick may be older than the newest packet; the clock never goes back.
      if (mode === 'packets' || timeline.first === undefined || ts <= timeline.now) return;
      timeline.apply({ kind: 'tick', ts });
      drain();
    },
    beat(n) {
      // --json: findings as they first appear, looked for once a second.
      if (mode !== 'json' || n % FINDINGS_EVERY !== 0 || timeline.first === undefined) return;
      for (const f of withHost(timeline, ledger, monitor?.evidence)) {
        const key = findingKey(f);
        if (streamed.has(key)) continue;
        streamed.add(key);
        io.out(jsonLine(jsonFinding(f)));
      }
    },
    state(i, ts) {
      if (mode === 'json') {
        const line: JsonInterface = { type: 'interface', time: isoTime(ts), name: i.name, state: i.state, message: i.message ?? null };
        io.out(jsonLine(line));
      }
      if (i.state === 'down' || i.state === 'gone') io.warn(`${i.name}: ${i.message ?? i.state}; capturing again when it is back`);
      else if (i.state === 'up' && i.opens > 1) io.warn(`${i.name}: capturing again`);
      else if (i.state === 'failed') io.warn(`${i.name}: ${i.message ?? 'capture failed'}`);
    },
  };
  try {
    source = await startLive(args, sink, io.warn, bundle ? (f, ifName, ts) => bundle.frame(BUNDLE_NODE, f, ifName, ts) : undefined);
  } catch (e) {
    io.warn((e as Error).message);
    await server?.close();
    return 2;
  }
  const src = source;
  monitor = mode === 'packets' ? undefined : startHostMonitor(hostArgs, src, io.warn, bundle ? (kind, text, ts) => bundle.evidence(BUNDLE_NODE, kind, `keepalived.${kind}`, text, ts) : undefined);
  const names = src.capture.interfaces.map((i) => i.name).join(', ');
  io.warn(`capturing on ${names}${args.durationMs !== undefined ? ` for ${args.durationMs / 1000} s` : ''} (Ctrl-C to stop${mode === 'packets' || mode === 'none' ? '' : ' and print the result'})`);
  // A day of live traffic: its garbage is collected on a schedule, as a long read's (heap-trim.ts).
  const trim = heapTrim();
  await new Promise<void>((resolve) => {
    const done = (): void => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(s, onSignal);
      if (timer) clearTimeout(timer);
      resolve();
    };
    const onSignal = (): void => done();
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
    // `--packets | head -1`: the reader is gone; stop as on Ctrl-C (the -w file is completed).
    whenPipeBreaks(done);
    const timer = args.durationMs !== undefined ? setTimeout(done, args.durationMs) : undefined;
  });
  // A second Ctrl-C while finishing ends at once.
  const hard = (): never => process.exit(130);
  process.once('SIGINT', hard);
  const end = await src.stop();
  trim.beforeAnalysis();
  trim.stop();
  monitor?.stop();
  await server?.close();
  process.removeListener('SIGINT', hard);
  if (bundle) await finishLiveBundle(bundle, monitor, hostArgs, end, io.warn);
  whenPipeBreaks(undefined);
  if (pipeBroken()) return BROKEN_PIPE_STATUS;
  if (mode === 'packets') return 0;

  const findings = withHost(timeline, ledger, monitor?.evidence);
  const instances = monitor ? linkInstances(timeline, monitor.evidence) : [];
  const status = findings.some((f) => f.severity !== 'info') ? 1 : 0;
  const capture = captureSummary(src.capture.interfaces, src.dropped());
  const text = finalText(mode);
  if (text === 'json') {
    for (const f of findings) io.out(jsonLine(jsonFinding(f)));
    const inputs = capture.interfaces.map((i) => ({ name: i.name, format: 'live', frames: i.frames, error: i.state === 'up' ? undefined : `${i.state}` }));
    io.out(jsonLine({ ...jsonSummary(timeline, findings, inputs, status, instances), capture }));
  }
  const inputs = capture.interfaces.map((i) => ({
    name: `${i.name} (live, ${i.state}${i.dropped !== null ? `, ${i.dropped} dropped by the kernel` : ', kernel drops unknown'}${i.shed > 0 ? `, ${i.shed} shed by vrrpscope (overload)` : ''}${i.opens > 1 ? `, re-opened ${i.opens - 1}×` : ''})`,
    frames: i.frames,
    error: undefined,
  }));
  if (text === 'report') writeReport(timeline, findings, inputs, instances, io.out);
  const written = await writeIncident(outputs, { timeline, findings, inputs, instances, host: monitor?.evidence, packets: sample }, { stdout: io.out, warn: io.warn });
  if (!written) return 2;
  // Headless (the exporter is the view): stopping it is the normal end, not a verdict.
  return mode === 'none' && metrics ? 0 : status;
}

/** The end of a local live run's bundle: what the host monitor read, then the manifest. */
export async function finishLiveBundle(bundle: BundleWriter, monitor: HostMonitor | undefined, hostArgs: HostArgs | undefined, end: bigint, warn: (m: string) => void): Promise<void> {
  if (monitor) copyLiveEvidence(bundle, BUNDLE_NODE, monitor.evidence, hostArgs?.conf ?? (monitor.evidence.config ? DEFAULT_CONF_PATH : undefined));
  try {
    warn(`bundle written: ${await bundle.finish(end)}`);
  } catch (e) {
    warn(`--bundle: ${(e as Error).message}`);
  }
}

/** keepalived's counters, config and log plus the firewall, next to the live wire (--keepalived-interval 0: no dumps). */
export function startHostMonitor(h: HostArgs | undefined, source: LiveSource, warn: (m: string) => void, onDump?: (kind: 'json' | 'stats', text: string, ts: bigint) => void): HostMonitor {
  const m = new HostMonitor({ confPath: h?.conf, logFile: h?.log, intervalS: h?.intervalS ?? 5, clock: () => clockNow(source.anchor), warn, onDump });
  m.start();
  return m;
}

export function captureSummary(ifs: readonly LiveInterface[], dropped: number | undefined): JsonCapture {
  return {
    dropped: dropped ?? null,
    interfaces: ifs.map((i) => ({ name: i.name, state: i.state, frames: i.frames, received: i.received ?? null, dropped: i.dropped ?? null, shed: i.shed, opens: i.opens })),
  };
}

function findingKey(f: Finding): string {
  return `${f.code}|${f.segment ?? ''}|${f.vrid ?? ''}|${f.family ?? ''}`;
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
