// A blessed screen writing into a headless xterm (@xterm/headless), for tests that draw the
// dashboard's widgets without a pty and read the screen back as text.

import { createRequire } from 'node:module';
import { PassThrough, Writable } from 'node:stream';
import blessed from 'blessed';

const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as typeof import('@xterm/headless');

export type HeadlessScreen = {
  readonly screen: blessed.Widgets.Screen;
  /** The terminal's rows as text, once everything written so far was parsed. */
  show(): Promise<string>;
  close(): void;
};

export function headlessScreen(cols: number, rows: number): HeadlessScreen {
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  let written = Promise.resolve();
  let writes = 0;
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        writes++;
        const s = chunk.toString('utf8');
        written = written.then(() => new Promise<void>((r) => term.write(s, r)));
        cb();
      },
    }),
    { columns: cols, rows, isTTY: true },
  );
  const input = new PassThrough();
  const screen = blessed.screen({ input: input as never, output: output as never, terminal: 'xterm-256color', forceUnicode: true, smartCSR: true, warnings: false });
  return {
    screen,
    async show() {
      // Wait until blessed has stopped writing (on a loaded machine its frame can come late).
      let seen = -1;
      for (let i = 0; i < 100 && (seen !== writes || writes === 0); i++) {
        seen = writes;
        await new Promise((r) => setTimeout(r, 20));
        await written;
      }
      const b = term.buffer.active;
      const lines: string[] = [];
      for (let y = 0; y < rows; y++) lines.push(b.getLine(y)?.translateToString(true) ?? '');
      return lines.join('\n') + '\n';
    },
    close() {
      screen.destroy();
      input.destroy();
    },
  };
}
