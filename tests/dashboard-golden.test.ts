// Golden screens of the dashboard's views, drawn by the real widgets and blessed from FIXED
// view-models (tests/golden/dashboard/view-model.json, built by tests/helpers/dashboard-fixtures.ts)
// onto a fake terminal, read back through a headless xterm, at 80x24, 120x40 and 200x60.
// Regenerate the screens with UPDATE_GOLDEN=1 (and the view-models with UPDATE_GOLDEN_VM=1, after a
// change to the view-model), then read the diff — and look at them (docs/dashboard.md: ttyshot).

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { before, test } from 'node:test';
import blessed from 'blessed';
import { DashboardFrame, type FrameUi } from '../src/views/dashboard/frame.js';
import type { DashboardViewModel } from '../src/views/dashboard/view-model.js';
import { fixtureViewModels } from './helpers/dashboard-fixtures.js';
import { ROOT } from './helpers/dashboard-pty.js';
import { headlessScreen } from './helpers/headless-screen.js';

const DIR = new URL('../../tests/golden/dashboard/', import.meta.url);
const VMS = new URL('view-model.json', DIR);
type Fixed = Record<'main' | 'detail' | 'filtered' | 'many' | 'manyStable' | 'ipv6' | 'ipv6Detail', DashboardViewModel>;
let fixed: Fixed;

before(async () => {
  if (process.env['UPDATE_GOLDEN_VM']) writeFileSync(VMS, JSON.stringify(await fixtureViewModels(`${ROOT}samples/incident-firewall-eth0.pcapng`), null, 1) + '\n');
  fixed = JSON.parse(readFileSync(VMS, 'utf8')) as Fixed;
});

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

const cases: [string, (f: Fixed) => DashboardViewModel, FrameUi][] = [
  ['main', (f) => f.main, ui()],
  ['detail', (f) => f.detail, ui()],
  ['help', (f) => f.main, ui({ help: true })],
  ['events-focus', (f) => f.main, ui({ focus: 'events' })],
  ['findings-focus', (f) => f.main, ui({ focus: 'findings' })],
  ['filter-prompt', (f) => f.filtered, ui({ prompt: 'eth1' })],
  ['many', (f) => f.many, ui()],
  ['many-stable', (f) => f.manyStable, ui()],
  ['ipv6-stream', (f) => f.ipv6, ui({ focus: 'events' })],
  ['ipv6-detail', (f) => f.ipv6Detail, ui()],
];

for (const [cols, rows] of [
  [80, 24],
  [120, 40],
  [200, 60],
] as const) {
  for (const [name, vm, frameUi] of cases) {
    test(`golden ${name} at ${cols}x${rows}`, async () => {
      const got = await draw(vm(fixed), frameUi, cols, rows);
      assert.match(got, /vrrpscope|Keys/, 'a screen was drawn');
      const file = new URL(`${name}-${cols}x${rows}.txt`, DIR);
      if (process.env['UPDATE_GOLDEN']) writeFileSync(file, got);
      assert.equal(got, readFileSync(file, 'utf8'));
      for (const line of got.split('\n')) assert.ok(line.length <= cols);
    });
  }
}

test('golden too-small at 50x12', async () => {
  const got = await draw(fixed.main, ui(), 50, 12);
  const file = new URL('too-small-50x12.txt', DIR);
  if (process.env['UPDATE_GOLDEN']) writeFileSync(file, got);
  assert.equal(got, readFileSync(file, 'utf8'));
});
