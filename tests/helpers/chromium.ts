// Drives the system's Debian `chromium` over the DevTools protocol on a pipe (--remote-debugging-pipe:
// JSON messages ending in NUL on fds 3 and 4), so browser tests need no npm dependency and open no
// port. Every request the page makes is recorded, and every proxyable request is sent to a closed
// loopback port, so nothing can leave the machine even if a page tried.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

const TIMEOUT_MS = 20_000;

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

export class Browser {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((m: Message) => void)[] = [];
  private buf = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    const out = child.stdio[4] as Readable;
    out.setEncoding('utf8');
    out.on('data', (s: string) => {
      this.buf += s;
      let i;
      while ((i = this.buf.indexOf('\0')) >= 0) {
        const m = JSON.parse(this.buf.slice(0, i)) as Message;
        this.buf = this.buf.slice(i + 1);
        if (m.id !== undefined) {
          const w = this.waiting.get(m.id);
          this.waiting.delete(m.id);
          if (m.error) w?.reject(new Error(m.error.message));
          else w?.resolve(m.result ?? {});
        } else for (const l of this.listeners) l(m);
      }
    });
  }

  static async launch(): Promise<Browser> {
    if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium)');
    const dir = mkdtempSync(join(tmpdir(), 'vrrpscope-chromium-'));
    const child = spawn(
      CHROMIUM,
      [
        '--headless=new',
        '--remote-debugging-pipe',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-default-apps',
        '--disable-extensions',
        '--disable-sync',
        '--disable-domain-reliability',
        '--disable-client-side-phishing-detection',
        '--no-pings',
        '--dns-prefetch-disable',
        '--safebrowsing-disable-auto-update',
        '--metrics-recording-only',
        '--allow-file-access-from-files',
        // Any network request the browser makes goes to a closed port on loopback and fails.
        '--proxy-server=http://127.0.0.1:9',
        '--proxy-bypass-list=<-loopback>',
        '--host-resolver-rules=MAP * ~NOTFOUND',
        '--font-render-hinting=none',
        `--user-data-dir=${dir}`,
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
    );
    child.stderr!.resume();
    child.on('error', () => undefined);
    const b = new Browser(child, dir);
    try {
      await b.send('Target.getTargets');
    } catch (e) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    return b;
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.next++;
    const msg = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      // A browser that stops answering fails the test instead of hanging the run.
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`chromium did not answer ${method} within ${TIMEOUT_MS / 1000} s`));
      }, TIMEOUT_MS);
      this.waiting.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      (this.child.stdio[3] as Writable).write(msg + '\0');
    });
  }

  on(l: (m: Message) => void): void {
    this.listeners.push(l);
  }

  /** Opens `url` in a fresh tab of the given size and waits for its load event. */
  async open(url: string, width = 1200, height = 900, opts: { noScript?: boolean } = {}): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, sessionId);
    this.on((m) => m.sessionId === sessionId && page.event(m));
    await page.send('Page.enable');
    await page.send('Network.enable');
    await page.send('Runtime.enable');
    await page.send('Log.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    if (opts.noScript) await page.send('Emulation.setScriptExecutionDisabled', { value: true });
    const loaded = page.waitFor('Page.loadEventFired');
    await page.send('Page.navigate', { url });
    await loaded;
    return page;
  }

  async close(): Promise<void> {
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      await Promise.race([this.send('Browser.close'), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      /* already closing */
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Page {
  /** Every URL the page asked for (the page itself included). */
  readonly requests: string[] = [];
  /** Console messages, exceptions and CSP reports. */
  readonly console: string[] = [];
  private readonly waiters: { method: string; resolve: () => void }[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly sessionId: string,
  ) {}

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  event(m: { method?: string; params?: Record<string, unknown> }): void {
    const p = m.params ?? {};
    if (m.method === 'Network.requestWillBeSent') this.requests.push(String((p['request'] as { url: string }).url));
    if (m.method === 'Log.entryAdded') this.console.push(String((p['entry'] as { text: string }).text));
    if (m.method === 'Runtime.exceptionThrown') this.console.push(JSON.stringify(p['exceptionDetails']));
    if (m.method === 'Runtime.consoleAPICalled') this.console.push(JSON.stringify(p['args']));
    for (const w of this.waiters.filter((x) => x.method === m.method)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  waitFor(method: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} from chromium within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
      this.waiters.push({
        method,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Runs `expression` in the page and returns its value (JSON-serialisable). */
  async eval<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as { result: { value: T }; exceptionDetails?: unknown };
    if (r.exceptionDetails) throw new Error(`page: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  async hover(x: number, y: number): Promise<void> {
    await this.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
  }

  /** A PNG of the whole page (optionally as printed, or in grey). */
  async screenshot(path: string, opts: { print?: boolean; grey?: boolean; width?: number; element?: string } = {}): Promise<void> {
    if (opts.print) await this.send('Emulation.setEmulatedMedia', { media: 'print' });
    if (opts.grey) await this.eval("document.documentElement.style.filter='grayscale(1)'");
    const height = await this.eval<number>('Math.ceil(document.documentElement.scrollHeight)');
    await this.send('Emulation.setDeviceMetricsOverride', { width: opts.width ?? 1200, height: Math.min(height, 16000), deviceScaleFactor: 1, mobile: false });
    // `element`: only that part of the page (its box in page coordinates).
    const clip = opts.element
      ? await this.eval<{ x: number; y: number; width: number; height: number }>(
          `(() => { const r = document.querySelector(${JSON.stringify(opts.element)}).getBoundingClientRect(); return { x: r.left + scrollX - 8, y: r.top + scrollY - 8, width: r.width + 16, height: r.height + 16, scale: 1 }; })()`,
        )
      : undefined;
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, ...(clip ? { clip: { ...clip, scale: 1 } } : {}) })) as { data: string };
    writeFileSync(path, Buffer.from(data, 'base64'));
    if (opts.grey) await this.eval("document.documentElement.style.filter=''");
    if (opts.print) await this.send('Emulation.setEmulatedMedia', { media: '' });
  }

  /** A PNG of what the viewport shows now (hover state and tooltips included). */
  async viewport(path: string): Promise<void> {
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
    writeFileSync(path, Buffer.from(data, 'base64'));
  }

  /** The page printed to PDF (proves the print stylesheet renders). */
  async pdf(): Promise<Buffer> {
    const { data } = (await this.send('Page.printToPDF', { printBackground: false })) as { data: string };
    return Buffer.from(data, 'base64');
  }
}
