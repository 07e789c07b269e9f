// Golden screens of the dashboard's main views, drawn by the real widgets and blessed from a FIXED
// view-model (tests/golden/dashboard/view-model.json) onto a fake terminal, read back through a
// headless xterm. Regenerate with UPDATE_GOLDEN=1 and review the text files by eye.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import blessed from 'blessed';
import { DashboardFrame, type FrameUi } from '../src/views/dashboard/frame.js';
import type { DashboardViewModel } from '../src/views/dashboard/view-model.js';
import { headlessScreen } from './helpers/headless-screen.js';

const DIR = new URL('../../tests/golden/dashboard/', import.meta.url);
const fixed = JSON.parse(readFileSync(new URL('view-model.json', DIR), 'utf8')) as { main: DashboardViewModel; detail: DashboardViewModel };

const ui = (over: Partial<FrameUi> = {}): FrameUi => ({ focus: 'table', help: false, prompt: undefined, scroll: { findings: 0, events: 0, detail: 0 }, ...over });

async function draw(vm: DashboardViewModel, frameUi: FrameUi, cols: number, rows: number): Promise<string> {
  const h = headlessScreen(cols, rows);
  try {
    const frame = new DashboardFrame(h.screen, (o) => blessed.box(o), { color: true, unicode: true });
    frame.draw(vm, frameUi);
    h.screen.render();
    return await h.show();
  } finally {
    h.close();
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
