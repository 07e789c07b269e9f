// The wiring: options → inputs → decode → (model → analysis) → a view. Only this layer knows
// about processes, exit codes and (later) cap and blessed.

import { readFileSync } from 'node:fs';
import { readInputs, type InputReport } from '../capture/read-inputs.js';
import type { Packet } from '../decode/packet.js';
import { segmentOf } from '../model/segment.js';
import { formatPacket } from '../views/packet-line.js';
import { parseOptions, USAGE, UsageError, type Options } from './args.js';

export const ExitCode = { ok: 0, findings: 1, error: 2 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`vrrpscope: ${e.message}\n(see vrrpscope --help)\n`);
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
  if (opts.inputs.length === 0) {
    process.stderr.write('vrrpscope: live capture is not available yet; read a capture with -r FILE (see --help)\n');
    return ExitCode.error;
  }
  const warn = (m: string): void => void process.stderr.write(`vrrpscope: ${m}\n`);
  const labelled = new Set(opts.inputs.filter((i) => i.label !== undefined).map((i) => i.label!));
  const out = new LineWriter();
  const onPacket = (p: Packet): void => out.write(formatPacket(p, segmentOf(p, labelled.has(p.input))));
  const reports = await readInputs(opts.inputs, onPacket, warn);
  out.flush();
  return finishInputs(reports, warn);
}

/** Reports damage (one line each) and says whether anything at all could be read. */
function finishInputs(reports: readonly InputReport[], warn: (m: string) => void): number {
  let readable = 0;
  for (const r of reports) {
    if (r.error) warn(r.frames > 0 ? `${r.error.message}; the ${r.frames} frames before it were analysed` : r.error.message);
    if (r.format !== undefined && (r.frames > 0 || !r.error)) readable++;
  }
  return readable === 0 ? ExitCode.error : ExitCode.ok;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Batches output lines: one write per few hundred lines instead of one per packet. */
class LineWriter {
  private buf: string[] = [];
  write(line: string): void {
    this.buf.push(line);
    if (this.buf.length >= 512) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    process.stdout.write(this.buf.join('\n') + '\n');
    this.buf = [];
  }
}
