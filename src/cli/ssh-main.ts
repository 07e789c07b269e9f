// `--ssh` wiring: the nodes' streams as one live source, into the same model, findings and views as
// local live capture (live.ts has the same shape): --packets and --json stream, --report and the
// --json summary come at the end (--duration or Ctrl-C), the dashboard shows the nodes in its
// header. `--ssh-dry-run` prints every command that would run, and runs none.

import { readFileSync } from 'node:fs';
import { BundleWriter } from '../bundle/bundle-writer.js';
import { linkInstances } from '../host/correlate.js';
import { DEFAULT_CONF_PATH } from '../host/keepalived/config.js';
import { formatOffset } from '../ssh/clock-offset.js';
import {
  captureScript,
  checkArgs,
  hostLoopScript,
  logScript,
  masterArgs,
  PROBE_SCRIPT,
  remoteCommand,
  sessionArgs,
  shQuote,
  type SshOptions,
} from '../ssh/remote-commands.js';
import { parseSkew, SshRelay, startSsh, TICKS_PER_SECOND, type SshArgs, type SshSource } from '../ssh/ssh-source.js';
import { dataIntervalS, type SshNode } from '../ssh/ssh-node.js';
import type { SshTarget } from '../ssh/ssh-target.js';
import { jsonFinding, jsonLine, jsonSummary } from '../views/json-output.js';
import { writeReport } from '../views/report.js';
import { isoTime } from '../views/time-format.js';
import { withHost } from './host-analysis.js';
import { finalText, wantsIncident, writeIncident, type IncidentOutputs } from './incident-output.js';
import { PacketSample } from '../views/html/packet-sample.js';
import { textFeed, untilEnd } from './live-text.js';
import type { Mode, Options } from './args.js';
import type { Lines } from './live-main.js';
import { heapTrim } from './heap-trim.js';

export function sshOptions(opts: Options): SshOptions {
  return { configFile: opts.ssh.configFile, program: process.env['VRRPSCOPE_SSH'] || 'ssh' };
}

export function sshArgs(opts: Options, bundle: BundleWriter | undefined): SshArgs {
  return {
    targets: opts.ssh.targets,
    ssh: sshOptions(opts),
    confPath: opts.host.conf,
    logFile: opts.host.log,
    intervalS: opts.host.intervalS,
    write: opts.live.write,
    bundle,
    skew: parseSkew(process.env['VRRPSCOPE_TEST_CLOCK_SKEW']),
  };
}

/** Every command `--ssh` runs, for review: the ssh invocations as a shell would take them. */
export function dryRun(targets: readonly SshTarget[], o: SshOptions, confPath: string | undefined, logFile: string | undefined, intervalS: number): string {
  const q = (argv: readonly string[]): string => argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : shQuote(a))).join(' ');
  const asks =
    intervalS > 0
      ? `#    Asked: l a t k f at the start; D (keepalived's data dump) at the start and every ${dataIntervalS(intervalS)} s; d (its counters) at the start and every ${intervalS} s (--keepalived-interval); t every 10 s; l a every 60 s; f when a drop is suspected.`
      : '#    Asked: l a t k f at the start; t every 10 s; l a every 60 s; f when a drop is suspected. keepalived is never signalled (--keepalived-interval 0).';
  const out: string[] = [
    '# vrrpscope --ssh: what runs, per node. Nothing is written on a node except keepalived\'s own dump',
    '# files (keepalived writes them when signalled, as `keepalived --signum=JSON|STATS|DATA` names). Every remote',
    '# script stops its command when its ssh session ends. "sudo -n" is left out when the ssh user',
    "# is root; without root and without password-less sudo the node is not watched (one line says so).",
    '# SOCKET is a private directory of vrrpscope\'s; NONCE is random per connection.',
  ];
  for (const t of targets) {
    const sock = `SOCKET/${t.label}`;
    const sess = (script: string, sudo: boolean): string => q([o.program, ...sessionArgs(o, t.destination, sock, remoteCommand(script, sudo))]);
    out.push(
      '',
      `## ${t.label} (${t.destination})`,
      '# 1. the connection (prompts, if any, come now, before the dashboard; retries use BatchMode=yes)',
      q([o.program, ...masterArgs(o, t.destination, sock, false)]),
      q([o.program, ...checkArgs(o, t.destination, sock)]),
      '# 2. probe, as the ssh user: uid, sudo -n, tcpdump/libpcap versions, interfaces that are up',
      sess(PROBE_SCRIPT, false),
      '# 3. host evidence on request, one letter a line (clock, ip -j link/addr, firewall, keepalived config and dumps)',
      asks,
      sess(hostLoopScript({ nonce: 'NONCE', confPath: confPath ?? DEFAULT_CONF_PATH }), true),
      '# 4. the capture: every interface (libpcap >= 1.10, LINUX_SLL2 keeps the interface index) ...',
      sess(captureScript({ tcpdump: '4.99', libpcap: '1.10' }, undefined), true),
      '#    ... or, with an older tcpdump, one of these per interface that is up',
      sess(captureScript({ tcpdump: '4.9', libpcap: '1.8' }, 'IFACE'), true),
      "# 5. keepalived's log, followed",
      sess(logScript(logFile), true),
    );
  }
  return out.join('\n');
}

/** The dashboard's and report's one-line description of a node. */
export function nodeLine(n: SshNode): string {
  const clock = n.offset ? `, clock ${formatOffset(n.offset)}` : '';
  const lost = n.losses > 0 ? `, lost ${n.losses}×` : '';
  return `${n.label} (ssh ${n.target.destination}, ${n.state}${n.message && n.state !== 'up' ? `: ${n.message}` : ''}${clock}${lost})`;
}

export async function sshMain(opts: Options, mode: Mode, out: Lines, warn: (m: string) => void): Promise<number> {
  const o = sshOptions(opts);
  if (opts.ssh.dryRun) {
    out.write(dryRun(opts.ssh.targets, o, opts.host.conf, opts.host.log, opts.host.intervalS));
    out.flush();
    return 0;
  }
  let bundle: BundleWriter | undefined;
  try {
    bundle = opts.bundle !== undefined ? new BundleWriter(opts.bundle, `vrrpscope ${version()}`) : undefined;
  } catch (e) {
    warn((e as Error).message);
    return 2;
  }
  for (const t of opts.ssh.targets) bundle?.node(t.label, `ssh ${t.destination}`);
  const args = sshArgs(opts, bundle);
  if (mode === 'dashboard') {
    out.flush();
    const relay = new SshRelay();
    let source: SshSource;
    try {
      source = await startSsh(args, relay, (m) => relay.warnLine(m));
    } catch (e) {
      warn((e as Error).message);
      if (bundle) await bundle.finish(0n).catch(() => undefined);
      return 2;
    }
    const { runDashboard } = await import('./dashboard-app.js');
    const code = await runDashboard({ inputs: [], sourceLabel: 'ssh', speed: undefined, ssh: { source, relay, bundle } });
    setTimeout(() => process.exit(code), 100).unref();
    return code;
  }
  // Mode 'none' (only --html / --markdown): nothing on standard output, as for -r FILE.
  const code = await runSsh(args, mode, { out: (l) => out.write(l), warn }, opts.live.durationMs, bundle, opts);
  out.flush();
  return code;
}

/** What a finished run leaves in the bundle: clocks, addresses, then the manifest (and the archive). */
export async function finishBundle(bundle: BundleWriter, source: SshSource, end: bigint, warn: (m: string) => void): Promise<void> {
  for (const n of source.nodes) {
    bundle.setClock(n.label, n.offset);
    bundle.setHost(n.label, { lost: n.evidence.blind, localAddresses: n.evidence.localAddresses, windowS: n.evidence.windowNs !== undefined ? Number(n.evidence.windowNs / 1_000_000_000n) : null });
  }
  try {
    warn(`bundle written: ${await bundle.finish(end)}`);
  } catch (e) {
    warn(`--bundle: ${(e as Error).message}`);
  }
}

async function runSsh(args: SshArgs, mode: 'report' | 'json' | 'packets' | 'none', io: { out: (l: string) => void; warn: (m: string) => void }, durationMs: number | undefined, bundle: BundleWriter | undefined, outputs: IncidentOutputs): Promise<number> {
  let source: SshSource | undefined;
  const said = new Map<string, string>();
  const text = finalText(mode);
  // The page shows the packet behind each mark: a bounded sample of them.
  const sample = wantsIncident(outputs) ? new PacketSample() : undefined;
  const feed = textFeed(mode === 'none' ? 'report' : mode, io.out, () => source?.hosts, () => true, TICKS_PER_SECOND);
  const { timeline, ledger } = feed;
  try {
    source = await startSsh(
      args,
      {
        packet: (p, segment) => {
          sample?.add(p, segment);
          feed.packet(p, segment);
        },
        tick: (ts) => feed.tick(ts),
        beat: (n) => feed.beat(n),
        node(n, state, message, ts) {
          if (mode === 'json') io.out(jsonLine(nodeJson(n, ts, state, message)));
          // A node that keeps failing the same way (sudo refused, no tcpdump) says so once.
          const line = state === 'lost' ? `${n.label}: lost (${message ?? 'connection ended'}); trying again` : state === 'up' && n.losses > 0 ? `${n.label}: back` : undefined;
          if (line !== undefined && said.get(n.label) !== line) io.warn(line);
          if (line !== undefined) said.set(n.label, line);
        },
      },
      io.warn,
    );
  } catch (e) {
    io.warn((e as Error).message);
    if (bundle) await bundle.finish(0n).catch(() => undefined);
    return 2;
  }
  const src = source;
  io.warn(`watching ${src.nodes.map((n) => nodeLine(n)).join('; ')}${durationMs !== undefined ? ` for ${durationMs / 1000} s` : ''} (Ctrl-C to stop${mode === 'packets' ? '' : text === 'nothing' ? ' and write the result' : ' and print the result'})`);
  // Watching for a day: its garbage is collected on a schedule, as a long read's (heap-trim.ts).
  const trim = heapTrim();
  await untilEnd(durationMs);
  const hard = (): never => process.exit(130);
  process.once('SIGINT', hard);
  const end = await src.stop();
  trim.beforeAnalysis();
  trim.stop();
  process.removeListener('SIGINT', hard);
  if (bundle) await finishBundle(bundle, src, end, io.warn);
  if (mode === 'packets') return 0;
  const findings = withHost(timeline, ledger, src.hosts);
  const instances = linkInstances(timeline, src.hosts);
  const status = findings.some((f) => f.severity !== 'info') ? 1 : 0;
  const inputs = src.nodes.map((n) => ({ name: nodeLine(n), frames: n.frames, error: undefined }));
  if (text === 'json') {
    for (const f of findings) io.out(jsonLine(jsonFinding(f)));
    const nodes = src.nodes.map((n) => ({ name: n.label, format: 'ssh', frames: n.frames, error: n.state === 'up' ? undefined : n.state }));
    io.out(jsonLine({ ...jsonSummary(timeline, findings, nodes, status, instances), nodes: src.nodes.map((n) => nodeJson(n, end, n.state, n.message)) }));
  } else if (text === 'report') {
    writeReport(timeline, findings, inputs, instances, io.out);
  }
  // Each node's evidence goes with its own segments on the page and in the ticket.
  const written = await writeIncident(outputs, { timeline, findings, inputs, instances, host: src.hosts, packets: sample }, { stdout: io.out, warn: io.warn });
  return written ? status : 2;
}

/** `{"type":"node",…}`: a node's state, frames and clock (docs/json.md). */
export function nodeJson(n: SshNode, ts: bigint, state: string, message: string | undefined): Record<string, unknown> {
  const o = n.offset;
  return {
    type: 'node',
    time: isoTime(ts),
    node: n.label,
    destination: n.target.destination,
    state,
    message: message ?? null,
    frames: n.frames,
    losses: n.losses,
    clock: o ? { offsetMs: Number(o.offsetNs) / 1e6, uncertaintyMs: Number(o.uncertaintyNs) / 1e6, samples: o.samples } : null,
  };
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
