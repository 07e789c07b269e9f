// Where each panel goes for a terminal size. Pure, so every size can be checked without a terminal.

export type Rect = { readonly top: number; readonly left: number; readonly width: number; readonly height: number };

export type Pane = 'table' | 'findings' | 'events';

export type Layout =
  | { readonly kind: 'too-small'; readonly cols: number; readonly rows: number }
  | {
      readonly kind: 'main';
      readonly header: Rect;
      readonly table: Rect;
      readonly history: Rect;
      readonly gaps: Rect;
      readonly flaps: Rect;
      /** Either may be missing on small screens: the focused one of the two is shown. */
      readonly findings: Rect | undefined;
      readonly events: Rect | undefined;
      readonly footer: Rect;
    }
  | { readonly kind: 'detail'; readonly header: Rect; readonly body: Rect; readonly footer: Rect };

export const MIN_COLS = 60;
export const MIN_ROWS = 18;

export function layout(cols: number, rows: number, vridRows: number, detail: boolean, focus: Pane): Layout {
  if (cols < MIN_COLS || rows < MIN_ROWS) return { kind: 'too-small', cols, rows };
  // Header: two lines and the problem banner.
  const header = { top: 0, left: 0, width: cols, height: 3 };
  const footer = { top: rows - 1, left: 0, width: cols, height: 1 };
  if (detail) return { kind: 'detail', header, body: { top: 3, left: 0, width: cols, height: rows - 4 }, footer };
  const big = rows >= 40;
  // Rows of the VRID table (and the bands): unhealthy VRIDs come first, so even 3 show the broken one.
  const cap = rows >= 56 ? 16 : big ? 10 : rows >= 30 ? 6 : 3;
  const n = Math.min(Math.max(1, vridRows), cap);
  const tableH = 2 + n;
  const historyH = 3 + n;
  const midH = rows >= 56 ? 10 : big ? 9 : rows >= 30 ? 6 : 4;
  let top = 3;
  const table = { top, left: 0, width: cols, height: tableH };
  top += tableH;
  const history = { top, left: 0, width: cols, height: historyH };
  top += historyH;
  const gapsW = Math.floor(cols * 0.6);
  const gaps = { top, left: 0, width: gapsW, height: midH };
  const flaps = { top, left: gapsW + 1, width: cols - gapsW - 1, height: midH };
  top += midH;
  const lowerH = rows - 1 - top;
  let findings: Rect | undefined;
  let events: Rect | undefined;
  if (cols >= 120) {
    // Wide: the events get more room beside the findings (half of a 180+ column screen).
    const fw = Math.floor(cols * (cols >= 180 ? 0.5 : 0.6));
    findings = { top, left: 0, width: fw, height: lowerH };
    events = { top, left: fw + 1, width: cols - fw - 1, height: lowerH };
  } else if (lowerH >= 14) {
    const fh = Math.ceil(lowerH * 0.6);
    findings = { top, left: 0, width: cols, height: fh };
    events = { top: top + fh, left: 0, width: cols, height: lowerH - fh };
  } else if (focus === 'events') events = { top, left: 0, width: cols, height: lowerH };
  else findings = { top, left: 0, width: cols, height: lowerH };
  return { kind: 'main', header, table, history, gaps, flaps, findings, events, footer };
}
