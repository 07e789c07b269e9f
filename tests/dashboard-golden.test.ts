// Golden screens of the dashboard's main views, drawn by the real widgets and blessed from a FIXED
// view-model (tests/golden/dashboard/view-model.json) onto a fake terminal, read back through a
// headless xterm. Regenerate with UPDATE_GOLDEN=1 and review the text files by eye.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import blessed from 'blessed';
import { DashboardFrame, type FrameUi } from '../src/views/dashboard/frame.js';
import type { DashboardViewModel } from '../src/views/dashboard/view-model.js';

const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as typeof import('@xterm/headless');
const DIR = new URL('../../tests/golden/dashboard/', import.meta.url);
const fixed = JSON.parse(readFileSync(new URL('view-model.json', DIR), 'utf8')) as { main: DashboardViewModel; detail: DashboardViewModel };

const ui = (over: Partial<FrameUi> = {}): FrameUi => ({ focus: 'table', help: false, prompt: undefined, scroll: { findings: 0, events: 0, detail: 0 }, ...over });

async function draw(vm: DashboardViewModel, frameUi: FrameUi, cols: number, rows: number): Promise<string> {
  const term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  let written = Promise.resolve();
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        const s = chunk.toString('utf8');
        written = written.then(() => new Promise<void>((r) => term.write(s, r)));
        cb();
      },
    }),
    { columns: cols, rows, isTTY: true },
  );
  const input = new PassThrough();
  const screen = blessed.screen({ input: input as never, output: output as never, terminal: 'xterm-256color', forceUnicode: true, smartCSR: true, warnings: false });
  try {
    const frame = new DashboardFrame(screen, (o) => blessed.box(o), { color: true, unicode: true });
    frame.draw(vm, frameUi);
    screen.render();
    await new Promise((r) => setTimeout(r, 20));
    await written;
    const b = term.buffer.active;
    const lines: string[] = [];
    for (let y = 0; y < rows; y++) lines.push(b.getLine(y)?.translateToString(true) ?? '');
    return lines.join('\n') + '\n';
  } finally {
    screen.destroy();
    input.destroy();
  }
}

const cases: [string, DashboardViewModel, FrameUi][] = [
  ['main', fixed.main, ui()],
  ['detail', fixed.detail, ui()],
  ['help', fixed.main, ui({ help: true })],
  ['events-focus', fixed.main, ui({ focus: 'events' })],
  ['filter-prompt', { ...fixed.main, filter: 'eth1', rows: fixed.main.rows.filter((r) => r.segment === 'eth1'), selected: 0 }, ui({ prompt: 'eth1' })],
];

for (const [cols, rows] of [
  [80, 24],
  [160, 48],
] as const) {
  for (const [name, vm, frameUi] of cases) {
    test(`golden ${name} at ${cols}x${rows}`, async () => {
      const got = await draw(vm, frameUi, cols, rows);
      const file = new URL(`${name}-${cols}x${rows}.txt`, DIR);
      if (process.env['UPDATE_GOLDEN']) writeFileSync(file, got);
      assert.equal(got, readFileSync(file, 'utf8'));
    });
  }
}

test('golden too-small at 50x12', async () => {
  const got = await draw(fixed.main, ui(), 50, 12);
  const file = new URL('too-small-50x12.txt', DIR);
  if (process.env['UPDATE_GOLDEN']) writeFileSync(file, got);
  assert.equal(got, readFileSync(file, 'utf8'));
});
