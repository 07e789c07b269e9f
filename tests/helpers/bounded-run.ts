// Runs the CLI on one hostile input with a time limit and a memory measurement: what the hardening
// tests (issue 16) assert per case — an end within the time, a peak RSS under the bound, and never
// a stack trace or "internal error".

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from './run-cli.js';

const PRELOAD = fileURLToPath(new URL('./peak-rss.js', import.meta.url));

export type BoundedResult = { status: number | null; signal: string | null; stdout: string; stderr: string; ms: number; peakKb: number; timedOut: boolean };

/**
 * Spawns `vrrpscope args`; `input` (bytes, or a generator of chunks written with backpressure) goes
 * to standard input. Killed after `timeoutMs`.
 */
export async function boundedRun(args: readonly string[], opts: { input?: Uint8Array | Iterable<Uint8Array>; timeoutMs?: number; keepStdout?: boolean } = {}): Promise<BoundedResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpscope-rss-'));
  const rssFile = join(dir, 'peak');
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args], {
    env: { ...process.env, TZ: 'UTC', VRRPSCOPE_DEBUG: '', VRRPSCOPE_PEAK_RSS_FILE: rssFile },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    if (opts.keepStdout !== false || stdout.length < 100_000) stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.on('error', () => undefined); // the CLI may stop reading early: that is the point
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? 10_000);
  const closed = new Promise<{ status: number | null; signal: string | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal })));
  void (async () => {
    const input = opts.input;
    if (input === undefined) return child.stdin.end();
    const chunks = input instanceof Uint8Array ? [input] : input;
    for (const c of chunks) {
      if (child.stdin.destroyed || timedOut) return;
      if (!child.stdin.write(c)) await new Promise<void>((r) => (child.stdin.once('drain', r), child.stdin.once('close', r)));
    }
    child.stdin.end();
  })();
  const { status, signal } = await closed;
  clearTimeout(timer);
  let peakKb = 0;
  try {
    peakKb = Number(readFileSync(rssFile, 'utf8'));
  } catch {
    // killed before it could say
  }
  rmSync(dir, { recursive: true, force: true });
  return { status, signal, stdout, stderr, ms: Date.now() - t0, peakKb, timedOut };
}
