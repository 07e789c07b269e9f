// What a live dashboard redraws when: the frame's 'clock' scope (header and VRID table only, the
// once-every-2-s frame of a quiet wire) and the replay's "significant" counter, which makes the
// dashboard draw at the next tick instead of waiting for the routine frame.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import blessed from 'blessed';
import { Replay } from '../src/cli/replay.js';
import { masterDownNs } from '../src/model/vrrp-timing.js';
import { DashboardFrame, type FrameUi } from '../src/views/dashboard/frame.js';
import type { DashboardViewModel } from '../src/views/dashboard/view-model.js';
import { advert, at } from './helpers/synthetic-packets.js';
import { headlessScreen } from './helpers/headless-screen.js';

const fixed = JSON.parse(readFileSync(new URL('../../tests/golden/dashboard/view-model.json', import.meta.url), 'utf8')) as { main: DashboardViewModel; detail: DashboardViewModel };
const ui: FrameUi = { focus: 'table', help: false, prompt: undefined, scroll: { findings: 0, events: 0, detail: 0 } };

/** A frame on an 80×24 headless xterm. */
function frame80x24(): { frame: DashboardFrame; draw(vm: DashboardViewModel, scope?: 'all' | 'clock'): Promise<string>; close(): void } {
  const h = headlessScreen(80, 24);
  const frame = new DashboardFrame(h.screen, (o) => blessed.box(o), { color: true, unicode: true });
  return {
    frame,
    async draw(vm, scope = 'all') {
      frame.draw(vm, ui, scope);
      h.screen.render();
      return h.show();
    },
    close: () => h.close(),
  };
}

test("the 'clock' scope redraws the header and the VRID table and leaves charts and findings as they were", async () => {
  const s = frame80x24();
  try {
    const before = await s.draw(fixed.main);
    assert.match(before, /20:41:48\.538/);
    assert.match(before, /CRIT eth0\/51 adverts seen on eth1/);
    const later: DashboardViewModel = { ...fixed.main, clock: '2026-11-25 20:41:50.538', findings: [], rows: fixed.main.rows.map((r) => ({ ...r, status: 'OK' })), banner: { severity: 'ok', what: 'all 2 VRIDs healthy', message: '', fix: '', more: 0 } };
    const clock = await s.draw(later, 'clock');
    assert.match(clock, /20:41:50\.538/, 'the clock moved');
    assert.doesNotMatch(clock, /SPLIT-BRAIN/, 'the table was redrawn');
    assert.match(clock, /CRIT eth0\/51 adverts seen on eth1/, 'the findings panel was left alone');
    assert.match(clock, /── Master history/);
    const full = await s.draw(later, 'all');
    assert.doesNotMatch(full, /CRIT eth0\/51 adverts seen on eth1/, 'a full frame redraws the findings');
  } finally {
    s.close();
  }
});

test("the 'clock' scope draws everything when the layout is not the main view (detail)", async () => {
  const s = frame80x24();
  try {
    await s.draw(fixed.main);
    assert.match(await s.draw(fixed.detail, 'clock'), /── Routers/, 'the detail view is drawn in full');
  } finally {
    s.close();
  }
});

test('a master falling silent is significant at the first tick past its master-down interval', () => {
  const r = new Replay(undefined);
  for (let t = 0; t <= 5; t++) r.add(advert({ src: '10.0.0.1', prio: 100 }, t), 'eth0');
  const down = Number(masterDownNs(2, 100, 100)) / 1e9; // 3.61 s
  r.tick(at(5 + down - 0.2));
  const quiet = r.significant;
  r.tick(at(5 + down - 0.05));
  assert.equal(r.significant, quiet, 'still within master-down: nothing to draw at once');
  r.tick(at(5 + down + 0.2));
  assert.ok(r.significant > quiet, 'silent past master-down: drawn at the next tick');
  // The master coming back is significant; adverts on time after that are routine.
  const silent = r.significant;
  r.add(advert({ src: '10.0.0.1', prio: 100 }, 5 + down + 0.3), 'eth0');
  r.tick(at(5 + down + 0.5));
  assert.ok(r.significant > silent, 'back: drawn at once');
  const back = r.significant;
  for (let i = 1; i <= 5; i++) {
    r.add(advert({ src: '10.0.0.1', prio: 100 }, 5 + down + 0.3 + i), 'eth0');
    r.tick(at(5 + down + 0.5 + i));
  }
  assert.equal(r.significant, back, 'routine adverts and ticks are not');
});
