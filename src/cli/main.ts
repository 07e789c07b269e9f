// The wiring: options → inputs → decode → (model → analysis) → a view. Only this layer knows
// about processes, exit codes and (later) cap and blessed.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputReport } from '../capture/read-inputs.js';
import { formatPacket } from '../views/packet-line.js';
import { analyzeCaptures } from './analyze-captures.js';
import { guardPipes, pipeBroken } from './broken-pipe.js';
import { heapTrim } from './heap-trim.js';
import { parseOptions, USAGE, UsageError, type HostArgs, type Options } from './args.js';
import type { HostEvidence } from '../host/host-evidence.js';
import { hostsOf, type HostSet } from '../host/host-set.js';
import type { BundleWriter } from '../bundle/bundle-writer.js';
import { mayBeBundle } from '../bundle/bundle-path.js';
import { inputLabel, readInputs } from '../capture/read-inputs.js';
import { captureEnd } from './analyze-captures.js';
import type { MetricsServer } from '../views/metrics/metrics-server.js';
import type { ModelRef } from './metrics-feed.js';
import { message } from './message.js';
import { inertText } from '../util/inert.js';
import { PacketSample } from '../views/html/packet-sample.js';
import { finalText, wantsIncident, writeIncident } from './incident-output.js';
import { terminalCaps } from './terminal-caps.js';

export const ExitCode = { ok: 0, findings: 1, error: 2 } as const;

/** The bundled sample: the firewall-on-eth0 incident, recorded from real keepalived (samples/README.md). */
export const DEMO_CAPTURE = fileURLToPath(new URL('../../../samples/incident-firewall-eth0.pcapng', import.meta.url));

export async function main(argv: readonly string[]): Promise<number> {
  guardPipes();
  let opts: Options;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${message(e.message)}(see vrrpscope --help)\n`);
      return ExitCode.error;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return ExitCode.ok;
  }
  if (opts.version) {
    process.stdout.write(`vrrpscope ${version()}\n`);
    return ExitCode.ok;
  }
  if (opts.demo) opts = { ...opts, inputs: [{ label: undefined, path: DEMO_CAPTURE }] };
  const warn = (m: string): void => void process.stderr.write(message(m));
  const out = new LineWriter();
  let mode = opts.mode === 'dashboard' && !process.stdout.isTTY ? 'report' : opts.mode;
  if (mode === 'dashboard' && terminalCaps(process.env, undefined).dumb) {
    // No cursor addressing (TERM=dumb, an editor's shell, a serial console): the report reads well there.
    warn(`TERM=${process.env['TERM'] || '(unset)'} cannot draw the dashboard; printing the --report instead`);
    mode = 'report';
  }
  if (opts.ssh.targets.length > 0) return (await import('./ssh-main.js')).sshMain(opts, mode, out, warn);
  if (opts.inputs.length === 0) return (await import('./live-main.js')).liveMain(opts, mode, out, warn);
  // Bundles given with -r become their nodes' captures and evidence; --bundle copies files into one.
  // (The bundle reader and the host parsers are loaded only for a bundle or host files: start-up.)
  let expanded = { inputs: opts.inputs, hosts: [] as HostEvidence[], cleanup: (): void => undefined };
  if (opts.inputs.some(mayBeBundle)) {
    try {
      expanded = await (await import('../bundle/bundle-sources.js')).expandBundles(opts.inputs, warn);
    } catch (e) {
      warn((e as Error).message);
      return ExitCode.error;
    }
  }
  process.once('exit', () => expanded.cleanup());
  opts = { ...opts, inputs: expanded.inputs };
  const flagsHost = await hostBundle(opts.host, warn);
  const host: HostSet | undefined = expanded.hosts.length > 0 ? [...expanded.hosts, ...hostsOf(flagsHost)] : flagsHost;
  if (opts.bundle !== undefined) {
    if (opts.inputs.some((i) => i.path === '-')) {
      warn('--bundle reads the -r inputs twice, which standard input cannot be: save it to a file first');
      return ExitCode.error;
    }
    const written = await bundleFiles(opts, flagsHost, warn);
    if (written !== ExitCode.ok) return written;
  }
  if (mode === 'dashboard') {
    const { runDashboard } = await import('./dashboard-app.js');
    const label = inertText(opts.demo ? `demo: ${basename(DEMO_CAPTURE)}` : opts.inputs.map((i) => i.label ?? (i.path === '-' ? 'stdin' : basename(i.path))).join(', '));
    const code = await runDashboard({ inputs: opts.inputs, sourceLabel: label, speed: opts.speed, host, metrics: opts.metrics });
    // Quitting ends the program even while standard input is still open.
    setTimeout(() => process.exit(code), 100).unref();
    return code;
  }
  // Ctrl-C (`tcpdump -U -w - | vrrpscope -r - --report`): stop reading and print the result so far,
  // as live mode does; a second Ctrl-C ends at once.
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  // The page shows the packet behind each mark: keep a bounded sample of them.
  const sample = wantsIncident(opts) ? new PacketSample() : undefined;
  // --metrics: serving starts before reading (a stream is scraped as it arrives) and goes on after.
  let model: ModelRef | undefined;
  let reading = true;
  const frames = new Map<string, number>(opts.inputs.map((i) => [inputLabel(i), 0]));
  let server: MetricsServer | undefined;
  if (opts.metrics) {
    // The exporter's code (prom-client and the snapshot) is loaded only for --metrics (start-up).
    const { modelFeed, serveMetrics } = await import('./metrics-feed.js');
    const feed = modelFeed(() => model, () => [...frames].map(([name, n]) => ({ name, up: reading, frames: n, dropped: undefined })));
    try {
      server = await serveMetrics(opts.metrics, feed, warn);
    } catch (e) {
      warn((e as Error).message);
      process.removeListener('SIGINT', onSigint);
      return ExitCode.error;
    }
  }
  // Each view's code is loaded when it is the one asked for (start-up: --packets needs none of them).
  const json = mode === 'json' ? await import('../views/json-output.js') : undefined;
  const trim = heapTrim();
  const { timeline, findings, reports, instances } = await analyzeCaptures(opts.inputs, {
    warn,
    host,
    signal: interrupt.signal,
    onModel: server ? (t, ledger) => void (model = { timeline: t, ledger, host }) : undefined,
    decodeOnly: mode === 'packets',
    onPacket:
      mode === 'packets'
        ? (p, segment) => out.write(formatPacket(p, segment))
        : sample || server
          ? (p, segment) => {
              sample?.add(p, segment);
              if (server) frames.set(p.input, (frames.get(p.input) ?? 0) + 1);
            }
          : undefined,
    onTransition: mode === 'json' ? (v, t) => out.write(json!.jsonLine(json!.jsonTransition(v, t))) : undefined,
    beforeAnalysis: trim.beforeAnalysis,
  }).finally(trim.stop);
  reading = false;
  const readable = finishInputs(reports, warn);
  const cut = reports.filter((r) => r.interrupted);
  if (cut.length > 0) warn(`interrupted: stopped reading ${cut.map((r) => `${r.name} after ${r.frames} frames`).join(', ')}; ${mode === 'packets' ? 'the packets so far were printed' : 'the result so far follows'}`);
  if (mode === 'packets' || (readable === ExitCode.error && !server)) {
    out.flush();
    return readable;
  }
  const status = findings.some((f) => f.severity !== 'info') ? ExitCode.findings : ExitCode.ok;
  // An input cut short says so in the output too, not only on stderr.
  const inputs = reports.map((r) => ({ name: r.name, frames: r.frames, error: r.error?.message ?? (r.interrupted ? 'interrupted (Ctrl-C) before its end' : undefined), format: r.format }));
  const text = finalText(mode);
  if (text === 'json') {
    const { jsonFinding, jsonLine, jsonSummary } = json!;
    for (const f of findings) out.write(jsonLine(jsonFinding(f)));
    out.write(jsonLine(jsonSummary(timeline, findings, inputs, status, instances)));
  } else if (text === 'report') {
    (await import('../views/report.js')).writeReport(timeline, findings, inputs, instances, (l) => out.write(l));
  }
  // Each node's evidence (a bundle) goes with its own segments on the page.
  const written = await writeIncident(opts, { timeline, findings, inputs, instances, host, packets: sample }, { stdout: (s) => out.write(s), warn });
  out.flush();
  process.removeListener('SIGINT', onSigint);
  if (server) {
    // The last state stays scrapeable (capture_up 0 says the input ended) until stopped.
    await (await import('./metrics-feed.js')).untilStopped();
    await server.close();
  }
  if (!written || readable === ExitCode.error) return ExitCode.error;
  // Headless (the exporter is the view): stopping it is the normal end, not a verdict.
  return mode === 'none' && server ? ExitCode.ok : status;
}

/** The offline host bundle (--keepalived-*, --firewall), when any part of it was given. */
async function hostBundle(h: HostArgs, warn: (m: string) => void): Promise<HostEvidence | undefined> {
  if (h.conf === undefined && h.json.length === 0 && h.log === undefined && h.firewall.length === 0 && h.ipLink === undefined) return undefined;
  const [{ loadBundle }, { summarizeProblems }] = await Promise.all([import('../host/host-evidence.js'), import('../host/problem-summary.js')]);
  // (a bundle directory, once given, becomes `root`: its config's includes then stay inside it)
  const ev = loadBundle({ conf: h.conf, json: h.json, log: h.log, firewall: h.firewall, year: h.year, interfaces: h.ipLink, allowIncludeOutside: h.allowIncludeOutside });
  for (const p of summarizeProblems(ev.problems)) warn(p);
  return ev;
}

/** `-r … --bundle DIR`: each input becomes a node (its label or file name) with its frames; the host files go with the first. */
async function bundleFiles(opts: Options, ev: HostEvidence | undefined, warn: (m: string) => void): Promise<number> {
  const [{ BundleWriter }, { copyOfflineEvidence, nodeName }] = await Promise.all([import('../bundle/bundle-writer.js'), import('../bundle/bundle-sources.js')]);
  let bundle: BundleWriter;
  try {
    bundle = new BundleWriter(opts.bundle!, `vrrpscope ${version()}`);
  } catch (e) {
    warn((e as Error).message);
    return ExitCode.error;
  }
  const nodes = new Map<string, string>();
  for (const i of opts.inputs) {
    const name = inputLabel(i);
    let node = nodeName(i.label ?? name.replace(/\.(pcapng|pcap|cap)(\.gz)?$/, ''));
    while ([...nodes.values()].includes(node)) node = `${node}_`;
    nodes.set(name, node);
    // One unlabelled file keeps its segment names; several become nodes (their names as labels).
    bundle.node(node, i.path === '-' ? 'standard input' : `file ${basename(i.path)}`, i.label !== undefined || opts.inputs.length > 1);
  }
  let last = 0n;
  const reports = await readInputs(opts.inputs, () => undefined, () => undefined, undefined, (f, name) => {
    const ts = f.timestampNs();
    if (ts > last) last = ts;
    bundle.frame(nodes.get(name)!, f, f.ifName ?? (f.linktype === 276 && f.caplen >= 8 ? `if${new DataView(f.buf.buffer, f.buf.byteOffset + f.offset + 4, 4).getUint32(0)}` : name), ts);
  });
  const first = nodes.values().next().value;
  if (ev && first !== undefined) copyOfflineEvidence(bundle, first, { conf: opts.host.conf, json: opts.host.json, log: opts.host.log, firewall: opts.host.firewall }, ev, warn);
  try {
    warn(`bundle written: ${await bundle.finish(captureEnd(reports, last) || last)}`);
  } catch (e) {
    warn(`--bundle: ${(e as Error).message}`);
    return ExitCode.error;
  }
  return ExitCode.ok;
}

/** Reports damage (one line each) and says whether anything at all could be read. */
function finishInputs(reports: readonly InputReport[], warn: (m: string) => void): number {
  let readable = 0;
  for (const r of reports) {
    if (r.error) warn(r.frames > 0 ? `${r.error.message}; the ${r.frames} frames before it were analysed` : r.error.message);
    if (r.badTimes > 1) warn(`${r.name}: ${r.badTimes} packets skipped for a time outside 1970 … 9999`);
    if (r.format !== undefined && (r.frames > 0 || !r.error)) readable++;
  }
  return readable === 0 ? ExitCode.error : ExitCode.ok;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Batches output lines: one write per few hundred lines instead of one per packet. Whatever is
 * batched is also written once the current burst of input has been handled (setImmediate), so a
 * live pipe (`tcpdump -U -w - | vrrpscope -r - --packets`) shows each packet as it arrives.
 */
class LineWriter {
  private buf: string[] = [];
  private chars = 0;
  private scheduled = false;
  write(line: string): void {
    this.buf.push(line);
    this.chars += line.length;
    // or 64 K characters: findings and the summary are long lines, and one write of 512 of them would
    // be the biggest string of a run
    if (this.buf.length >= 512 || this.chars >= 65536) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }
  flush(): void {
    if (this.buf.length === 0) return;
    if (!pipeBroken()) process.stdout.write(this.buf.join('\n') + '\n');
    this.buf = [];
    this.chars = 0;
  }
}
