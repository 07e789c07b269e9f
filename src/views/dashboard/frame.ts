// Puts the widgets on a blessed screen: one box per panel, content from the widget functions,
// positions from layout(). Knows blessed widgets, not the screen's lifecycle, keys or timers
// (src/cli/dashboard-app.ts owns those), so tests can draw a fixed view-model on a fake terminal.

import type { Widgets } from 'blessed';
import { advertGaps } from './advert-gaps.js';
import { detailLines, detailPanel } from './detail.js';
import { eventLines, eventLog } from './event-log.js';
import { findingLines, findingsPanel } from './findings.js';
import { flapFrequency } from './flap-frequency.js';
import { footer } from './footer.js';
import { header } from './header.js';
import { helpLines, KEYS } from './help.js';
import { layout, MIN_COLS, MIN_ROWS, type Pane, type Rect } from './layout.js';
import { masterHistory } from './master-history.js';
import type { PanelCtx } from './panel.js';
import { renderLine, type Line, type Theme } from './text.js';
import type { DashboardViewModel } from './view-model.js';
import { vridTable } from './vrid-table.js';

export type FrameUi = {
  readonly focus: Pane;
  readonly help: boolean;
  /** The filter being typed, or undefined. */
  readonly prompt: string | undefined;
  readonly scroll: { readonly findings: number; readonly events: number; readonly detail: number };
};

type BoxFactory = (opts: Widgets.BoxOptions) => Widgets.BoxElement;

const PANELS = ['header', 'table', 'history', 'gaps', 'flaps', 'findings', 'events', 'detail', 'footer', 'small'] as const;
type PanelName = (typeof PANELS)[number];

export class DashboardFrame {
  private readonly boxes: Record<PanelName, Widgets.BoxElement>;
  private readonly helpBox: Widgets.BoxElement;
  /** Lines in the last drawn scrollable panes, for the app's scroll limits. */
  readonly lineCounts = { findings: 0, events: 0, detail: 0 };
  readonly pageRows = { findings: 1, events: 1, detail: 1 };

  constructor(
    private readonly screen: Widgets.Screen,
    box: BoxFactory,
    private readonly theme: Theme,
  ) {
    const make = (): Widgets.BoxElement => {
      const b = box({ top: 0, left: 0, width: 1, height: 1, tags: true, wrap: false, hidden: true });
      screen.append(b);
      return b;
    };
    this.boxes = Object.fromEntries(PANELS.map((p) => [p, make()])) as Record<PanelName, Widgets.BoxElement>;
    this.helpBox = box({ top: 'center', left: 'center', width: 64, height: KEYS.length + 8, tags: true, border: { type: 'line' }, hidden: true, padding: { left: 1, right: 1 } });
    screen.append(this.helpBox);
  }

  /** What each panel shows now (geometry and text), to skip unchanged ones. */
  private readonly drawn = new Map<PanelName, string>();
  /** The layout of the last full draw ('help' when the help was over it). */
  private lastKind: string | undefined;

  /**
   * Draws `vm`. scope 'clock' (the main view only; anything else draws all) redraws just the header
   * and the VRID table — clock, counts, ages — and leaves the time charts, findings and events as
   * they are: a live dashboard's once-a-second frame with nothing new on the wire.
   */
  draw(vm: DashboardViewModel, ui: FrameUi, scope: 'all' | 'clock' = 'all'): void {
    const cols = this.screen.width as number;
    const rows = this.screen.height as number;
    const l = layout(cols, rows, vm.rows.length, vm.detail !== undefined, ui.focus);
    if (scope === 'clock' && l.kind === 'main' && !ui.help && this.lastKind === 'main') {
      const ctx = (r: Rect, focused = false): PanelCtx => ({ width: r.width, height: r.height, theme: this.theme, focused, scroll: 0, screenWidth: cols });
      this.put('header', l.header, header(vm, ctx(l.header)));
      this.put('table', l.table, vridTable(vm, ctx(l.table, ui.focus === 'table')));
      return;
    }
    this.lastKind = ui.help ? 'help' : l.kind;
    for (const b of Object.values(this.boxes)) b.hide();
    this.helpBox.hide();
    if (l.kind === 'too-small') {
      const msg = [`terminal too small: ${cols}x${rows}`, `vrrpscope needs at least ${MIN_COLS}x${MIN_ROWS}`, 'enlarge the window, or use --report', 'q quits'];
      this.put('small', { top: 0, left: 0, width: cols, height: rows }, msg.map((m) => [{ text: m }]));
      return;
    }
    const ctx = (r: Rect, focused = false, scroll = 0): PanelCtx => ({ width: r.width, height: r.height, theme: this.theme, focused, scroll, screenWidth: cols });
    this.put('header', l.header, header(vm, ctx(l.header)));
    const hidden = l.kind === 'main' ? [...(l.findings ? [] : [{ pane: 'findings' as const, count: vm.findings.length }]), ...(l.events ? [] : [{ pane: 'events' as const, count: vm.events.length }])] : [];
    const replay = vm.replay.state !== 'live' && vm.replay.state !== 'stream';
    this.put('footer', l.footer, [footer(cols, { mode: ui.help ? 'help' : l.kind === 'detail' ? 'detail' : 'main', focus: ui.focus, hidden, replay }, ui.prompt, this.theme.unicode)]);
    if (l.kind === 'detail') {
      const c = ctx(l.body, true, ui.scroll.detail);
      this.lineCounts.detail = detailLines(vm, c).length;
      this.pageRows.detail = l.body.height;
      this.put('detail', l.body, detailPanel(vm, c));
    } else {
      this.put('table', l.table, vridTable(vm, ctx(l.table, ui.focus === 'table')));
      this.put('history', l.history, masterHistory(vm, ctx(l.history)));
      this.put('gaps', l.gaps, advertGaps(vm, ctx(l.gaps)));
      this.put('flaps', l.flaps, flapFrequency(vm, ctx(l.flaps)));
      if (l.findings) {
        this.pageRows.findings = l.findings.height - 1;
        this.lineCounts.findings = Math.min(findingLines(vm.findings, l.findings.width, true).length, findingLines(vm.findings, l.findings.width, false).length);
        this.put('findings', l.findings, findingsPanel(vm, ctx(l.findings, ui.focus === 'findings', ui.scroll.findings)));
      }
      if (l.events) {
        this.pageRows.events = l.events.height - 1;
        this.lineCounts.events = eventLines(vm.events, l.events.width).length;
        this.put('events', l.events, eventLog(vm, ctx(l.events, ui.focus === 'events', ui.scroll.events)));
      }
    }
    if (ui.help) {
      const h = helpLines(rows - 3);
      this.helpBox.width = Math.min(cols, 66);
      this.helpBox.height = Math.min(rows - 1, h.length + 2);
      this.helpBox.setContent(h.map((x) => renderLine(x, Math.min(cols, 66) - 4, this.theme)).join('\n'));
      this.helpBox.show();
      this.helpBox.setFront();
    }
  }

  /** After the terminal was cleared behind our back (Ctrl-L, resume): every panel is drawn again. */
  forget(): void {
    this.drawn.clear();
    this.lastKind = undefined;
  }

  private put(name: PanelName, r: Rect, lines: readonly Line[]): void {
    const b = this.boxes[name];
    const text = lines.slice(0, r.height).map((x) => renderLine(x, r.width, this.theme)).join('\n');
    // blessed re-parses a box's content on every setContent: skip panels that did not change (most
    // of them, most of the time), which keeps a live dashboard cheap.
    const key = `${r.top},${r.left},${r.width},${r.height}\n${text}`;
    if (this.drawn.get(name) !== key) {
      b.top = r.top;
      b.left = r.left;
      b.width = r.width;
      b.height = r.height;
      b.setContent(text);
      this.drawn.set(name, key);
    }
    b.show();
  }
}
