// A real Prometheus (Debian's `prometheus`) for the exporter tests: loopback only, a free port, its
// own temporary storage, a 1 s scrape and rule-evaluation interval. Missing binaries are a failure
// with the install line, not a skip: .ci/run installs them.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function requireBinary(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is not installed (apt-get install --no-install-recommends prometheus; .ci/run does)`);
  return r.stdout.trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export type Target = { readonly address: string; readonly labels: Readonly<Record<string, string>> };

export type Sample = { readonly metric: Record<string, string>; readonly value: number };

export class Prometheus {
  /** `netns`: run (and query) it inside this network namespace, on that namespace's loopback. */
  constructor(private readonly netns?: string) {}

  private child: ChildProcess | undefined;
  private log = '';
  readonly dir = mkdtempSync(join(tmpdir(), 'vsm-prom-'));
  url = '';

  async start(targets: readonly Target[], ruleFiles: readonly string[] = []): Promise<void> {
    const bin = requireBinary('prometheus');
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const yml = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 900ms',
      '  evaluation_interval: 1s',
      ...(ruleFiles.length ? ['rule_files:', ...ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)] : []),
      'scrape_configs:',
      '  - job_name: vrrpscope',
      '    static_configs:',
      ...targets.flatMap((t) => [`      - targets: [${JSON.stringify(t.address)}]`, '        labels:', ...Object.entries(t.labels).map(([k, v]) => `          ${k}: ${JSON.stringify(v)}`)]),
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'prometheus.yml'), yml);
    const inNs = (cmd: string, args: string[]): [string, string[]] => (this.netns ? ['ip', ['netns', 'exec', this.netns, cmd, ...args]] : [cmd, args]);
    this.child = spawn(...inNs(bin, [`--config.file=${join(this.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(this.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn']), { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.log = (this.log + s).slice(-4000)));
    const end = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited: ${this.log}`);
      try {
        if ((await this.get(`${this.url}/-/ready`)).includes('Ready')) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > end) throw new Error(`prometheus did not become ready: ${this.log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** An instant PromQL query (now, or at `time` in Unix seconds). */
  async query(q: string, time?: number): Promise<Sample[]> {
    const u = new URL(`${this.url}/api/v1/query`);
    u.searchParams.set('query', q);
    if (time !== undefined) u.searchParams.set('time', String(time));
    const r = JSON.parse(await this.get(u.href)) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (r.status !== 'success') throw new Error(`query ${q}: ${r.error}`);
    if (r.data.resultType === 'scalar') return [{ metric: {}, value: Number((r.data.result as unknown as [number, string])[1]) }];
    return r.data.result.map((x) => ({ metric: x.metric, value: Number(x.value[1]) }));
  }

  /** Values of a series over [start, end] (Unix seconds), one per `step` seconds. */
  async range(q: string, start: number, end: number, step = 1): Promise<{ metric: Record<string, string>; values: number[] }[]> {
    const u = new URL(`${this.url}/api/v1/query_range`);
    for (const [k, v] of Object.entries({ query: q, start: String(start), end: String(end), step: String(step) })) u.searchParams.set(k, v);
    const r = JSON.parse(await this.get(u.href)) as { status: string; error?: string; data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    if (r.status !== 'success') throw new Error(`query_range ${q}: ${r.error}`);
    return r.data.result.map((x) => ({ metric: x.metric, values: x.values.map((v) => Number(v[1])) }));
  }

  /** GET, from inside the namespace when there is one (its loopback is not ours). */
  async get(url: string): Promise<string> {
    if (!this.netns) return (await fetch(url)).text();
    const script = 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t), (e) => { process.stderr.write(String(e)); process.exit(1); })';
    return new Promise((resolve, reject) => {
      const c = spawn('ip', ['netns', 'exec', this.netns!, process.execPath, '-e', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      c.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
      c.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
      c.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`GET ${url} in ${this.netns}: ${err}`))));
    });
  }

  /** Polls `q` until `ok` holds for its result; throws after timeoutMs. */
  async waitFor(q: string, ok: (s: Sample[]) => boolean, timeoutMs: number): Promise<Sample[]> {
    const end = Date.now() + timeoutMs;
    let last: Sample[] = [];
    while (Date.now() < end) {
      last = await this.query(q);
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out waiting on ${q}; last result ${JSON.stringify(last)}; prometheus log: ${this.log}`);
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (c && c.exitCode === null) {
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      if (c.exitCode === null) c.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The port a vrrpscope child listens on, from its `metrics on http://…:PORT/metrics` line on stderr. */
export function metricsPort(child: ChildProcess, timeoutMs = 15_000): { port: Promise<number>; stderr: () => string } {
  let err = '';
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'metrics on' line: ${err}`)), timeoutMs);
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      err += s;
      const m = /metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`vrrpscope exited (${c}) before listening: ${err}`));
    });
  });
  // Once resolved, a later exit must not count as an unhandled rejection.
  port.catch(() => {});
  return { port, stderr: () => err };
}
