// Runs bin/vrrpscope as a child process, the way a user does.

import { spawn, spawnSync } from 'node:child_process';
import { REPO_ROOT } from './corpus.js';

export const BIN = REPO_ROOT + 'bin/vrrpscope';

export type CliResult = { readonly status: number | null; readonly stdout: string; readonly stderr: string };

export function runCli(args: readonly string[], input?: Uint8Array): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', env: { ...process.env, TZ: 'UTC', VRRPSCOPE_DEBUG: '' }, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Async version for tests that feed standard input over time and watch stdout as it comes. */
export function startCli(args: readonly string[]): {
  write(b: Uint8Array): void;
  end(): void;
  /** Kills the child (for a failing test, so it does not hang the runner). */
  kill(): void;
  /** Resolves when stdout holds at least n lines (rejects after timeoutMs). */
  lines(n: number, timeoutMs: number): Promise<string[]>;
  done: Promise<CliResult>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TZ: 'UTC' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<CliResult>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  const complete = (): string[] => stdout.split('\n').filter((l, i, a) => i < a.length - 1 || l === '');
  return {
    write: (b) => void child.stdin.write(b),
    end: () => child.stdin.end(),
    kill: () => void child.kill('SIGKILL'),
    lines(n, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} output lines; have: ${JSON.stringify(stdout)} stderr: ${JSON.stringify(stderr)}`)), timeoutMs);
        const check = (): void => {
          const got = complete().filter((l) => l !== '');
          if (got.length >= n) {
            clearTimeout(timer);
            resolve(got);
          } else waiters.push(check);
        };
        check();
      });
    },
    done,
  };
}
