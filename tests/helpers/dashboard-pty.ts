// Runs the real bin/vrrpscope under a pseudo-terminal (node-pty) and renders what it draws in a
// headless xterm, so dashboard tests assert on the reconstructed screen, not on raw bytes.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { IPty } from 'node-pty';

const require = createRequire(import.meta.url);
const pty = require('node-pty') as typeof import('node-pty');
const { Terminal } = require('@xterm/headless') as typeof import('@xterm/headless');

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = `${ROOT}bin/vrrpscope`;

export type Session = {
  readonly term: InstanceType<typeof Terminal>;
  readonly proc: IPty;
  /** Everything the program wrote, raw. */
  raw(): string;
  /** The screen as text, one line per row (trailing blanks trimmed). */
  screen(): Promise<string>;
  waitFor(what: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<string>;
  type(keys: string): void;
  resize(cols: number, rows: number): void;
  readonly exited: Promise<{ exitCode: number; signal: number | undefined }>;
};

const live = new Set<IPty>();

/** Kills every session still running (call from after()): a failed test must not leave a child that keeps the runner alive. */
export function killAll(): void {
  for (const p of live) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

export function start(args: readonly string[], opts: { cols: number; rows: number; env?: Record<string, string>; shell?: string }): Session {
  const term = new Terminal({ cols: opts.cols, rows: opts.rows, allowProposedApi: true, scrollback: 0 });
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', LANG: 'C.UTF-8', TERM: 'xterm-256color', ...opts.env };
  const [file, argv] = opts.shell !== undefined ? ['/bin/sh', ['-c', opts.shell]] : [process.execPath, [BIN, ...args]];
  const proc = pty.spawn(file, argv, { name: env['TERM']!, cols: opts.cols, rows: opts.rows, cwd: ROOT, env });
  live.add(proc);
  proc.onExit(() => live.delete(proc));
  let raw = '';
  let lastData = Date.now();
  let pending = Promise.resolve();
  // blessed wraps every frame in save-cursor … restore-cursor (ESC 7 … ESC 8). On a loaded machine a
  // frame can arrive in pieces far enough apart to look finished; one still open is not a screen.
  let inFrame = false;
  proc.onData((d) => {
    raw += d;
    lastData = Date.now();
    const sc = d.lastIndexOf('\x1b7');
    const rc = d.lastIndexOf('\x1b8');
    if (sc >= 0 || rc >= 0) inFrame = sc > rc;
    pending = pending.then(() => new Promise<void>((r) => term.write(d, r)));
  });
  const exited = new Promise<{ exitCode: number; signal: number | undefined }>((r) => proc.onExit((e) => r({ exitCode: e.exitCode, signal: e.signal })));
  const screen = async (): Promise<string> => {
    await pending;
    const b = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < term.rows; y++) lines.push(b.getLine(y)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  return {
    term,
    proc,
    raw: () => raw,
    screen,
    async waitFor(what, timeoutMs = 8000) {
      const test = typeof what === 'function' ? what : typeof what === 'string' ? (s: string) => s.includes(what) : (s: string) => what.test(s);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Only a quiet screen counts: a frame may arrive in several pieces.
        const s = await screen();
        if (!inFrame && Date.now() - lastData >= 80 && test(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    type: (keys) => proc.write(keys),
    resize(cols, rows) {
      proc.resize(cols, rows);
      term.resize(cols, rows);
    },
    exited,
  };
}

/** The terminal was given back: alternate screen left, cursor shown again, after the last time it was hidden. */
export async function restored(s: Session): Promise<{ altLeft: boolean; cursorShown: boolean; normalBuffer: boolean }> {
  // xterm parses writes asynchronously: let it finish what the program wrote before its exit.
  await new Promise<void>((resolve) => s.term.write('', resolve));
  const raw = s.raw();
  return {
    altLeft: raw.lastIndexOf('\x1b[?1049l') > raw.lastIndexOf('\x1b[?1049h'),
    cursorShown: raw.lastIndexOf('\x1b[?25h') > raw.lastIndexOf('\x1b[?25l'),
    normalBuffer: s.term.buffer.active.type === 'normal',
  };
}
