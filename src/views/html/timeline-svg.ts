// The timeline of one virtual router as SVG, on an axis shared by every segment and node of the
// page: one lane per router with its master bands, silences and marks (takeovers with their reason,
// GARP/NA, priority changes), a row of split-brain / no-master spans, and the advert-gap chart
// against master-down below it. Patterns and labels carry the meaning, colour only helps.
//
// The drawing is bounded like the model: spans closer than a pixel merge, marks are kept one per
// MARK_PX column per lane, gaps one per pixel column, so a day-long capture draws as fast as a minute.

import { html } from './escape.js';
import type { GapPoint, Lane, Mark, Span, VridView } from './incident-view.js';

export const WIDTH = 1100;
const LABEL_W = 200;
const RIGHT = 16;
const AXIS_H = 24;
const STATE_H = 20;
const LANE_H = 34;
const GAP_H = 120;
/** Marks in one lane are at least this many pixels apart; the rest are counted in the survivor's title. */
const MARK_PX = 4;
/** Width of a label character (10.5 px sans): a label is drawn only where it fits before the next mark. */
const LABEL_CHAR = 5.9;

export type Axis = { readonly start: bigint; readonly end: bigint };

const x0 = LABEL_W;
const x1 = WIDTH - RIGHT;

function xOf(a: Axis, ts: bigint): number {
  const len = Number(a.end - a.start);
  if (len <= 0) return x0;
  const f = Number(ts - a.start) / len;
  return x0 + Math.min(1, Math.max(0, f)) * (x1 - x0);
}

const f1 = (n: number): string => (Math.round(n * 10) / 10).toString();

/** Spans as pixel ranges: merged when less than a pixel apart, at least a pixel wide. */
export function layoutSpans(a: Axis, spans: readonly Span[]): { x: number; w: number; spans: Span[] }[] {
  const sorted = [...spans].sort((p, q) => (p.start < q.start ? -1 : p.start > q.start ? 1 : 0));
  const out: { x: number; end: number; spans: Span[] }[] = [];
  for (const s of sorted) {
    const sx = xOf(a, s.start);
    const ex = Math.max(xOf(a, s.end), sx + 1);
    const last = out[out.length - 1];
    if (last && sx - last.end < 1) {
      last.end = Math.max(last.end, ex);
      last.spans.push(s);
    } else out.push({ x: sx, end: ex, spans: [s] });
  }
  return out.map((o) => ({ x: o.x, w: o.end - o.x, spans: o.spans }));
}

const MARK_RANK: Record<Mark['kind'], number> = { takeover: 0, release: 1, priority: 2, garp: 3, na: 3, log: 1 };

/** One mark per MARK_PX column, the most telling one; how many others it stands for. */
export type LaidMark = { x: number; mark: Mark; others: number; hiddenTakeovers: number; also: Mark[] };

/** Marks that share a column: the first few are named in the survivor's details. */
const ALSO = 3;

export function layoutMarks(a: Axis, marks: readonly Mark[]): LaidMark[] {
  const cols = new Map<number, LaidMark>();
  for (const m of marks) {
    const x = xOf(a, m.ts);
    const col = Math.floor((x - x0) / MARK_PX);
    const c = cols.get(col);
    if (!c) cols.set(col, { x, mark: m, others: 0, hiddenTakeovers: 0, also: [] });
    else {
      c.others++;
      const hidden = MARK_RANK[m.kind] < MARK_RANK[c.mark.kind] ? c.mark : m;
      if (hidden.kind === 'takeover') c.hiddenTakeovers++;
      if (c.also.length < ALSO) c.also.push(hidden);
      if (hidden !== m) {
        c.mark = m;
        c.x = x;
      }
    }
  }
  return [...cols.values()].sort((p, q) => p.x - q.x);
}

/** Axis ticks at a round step that gives about 8 labels. */
export function ticks(a: Axis): { ts: bigint; label: string }[] {
  const len = Number(a.end - a.start) / 1e9;
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  const step = steps.find((s) => len / s <= 9) ?? 86400;
  const stepNs = BigInt(Math.round(step * 1e9));
  const out: { ts: bigint; label: string }[] = [];
  let ts = ((a.start + stepNs - 1n) / stepNs) * stepNs;
  for (; ts <= a.end && out.length < 40; ts += stepNs) {
    const iso = new Date(Number(ts / 1_000_000n)).toISOString();
    out.push({ ts, label: step < 1 ? iso.slice(11, 21) : step < 60 ? iso.slice(11, 19) : iso.slice(11, 16) });
  }
  return out;
}

function spanRects(a: Axis, spans: readonly Span[], y: number, h: number, cls: string, attrs: (s: Span) => string): string {
  return layoutSpans(a, spans)
    .map((r) => {
      const first = r.spans[0]!;
      const last = r.spans[r.spans.length - 1]!;
      const title = r.spans.length === 1 ? first.label : `${r.spans.length} spans: ${first.label} … ${last.label}`;
      return `<rect class="${cls}" x="${f1(r.x)}" y="${y}" width="${f1(Math.max(r.w, 1))}" height="${h}" data-start="${first.start}" data-end="${last.end}" data-count="${r.spans.length}"${attrs(first)}${last.open ? ' data-open="1"' : ''}><title>${html(title)}</title></rect>`;
    })
    .join('');
}

function markShape(kind: Mark['kind'], x: number, y: number): string {
  const X = f1(x);
  switch (kind) {
    case 'takeover':
      return `<path d="M${f1(x - 6)} ${y - 1}h12l-6 9z"/>`;
    case 'release':
      return `<path d="M${f1(x - 5)} ${y + 8}h10l-5 -9z"/>`;
    case 'garp':
      return `<path d="M${X} ${y}l4 4l-4 4l-4 -4z"/>`;
    case 'na':
      return `<circle cx="${X}" cy="${y + 4}" r="4"/>`;
    case 'priority':
      return `<rect x="${f1(x - 4)}" y="${y}" width="8" height="8"/>`;
    case 'log':
      return `<rect x="${f1(x - 1.5)}" y="${y - 1}" width="3" height="12"/>`;
  }
}

function lane(a: Axis, l: Lane, y: number, index: number): string {
  const out: string[] = [];
  out.push(`<g class="lane" data-router="${html(l.id)}">`);
  out.push(`<rect class="lane-bg${index % 2 ? ' odd' : ''}" x="0" y="${y}" width="${WIDTH}" height="${LANE_H}"/>`);
  out.push(`<text class="lane-title" x="8" y="${y + 15}">${html(clip(l.title, 30))}</text>`);
  const sub = [l.priority !== undefined ? `prio ${l.priority}` : '', l.role ?? ''].filter(Boolean).join(' · ');
  if (sub) out.push(`<text class="lane-sub" x="8" y="${y + 28}">${html(sub)}</text>`);
  const bandY = y + 11;
  // Master bands, with the router's name written in when there is room.
  for (const r of layoutSpans(a, l.master)) {
    const first = r.spans[0]!;
    const last = r.spans[r.spans.length - 1]!;
    const title = r.spans.length === 1 ? `${first.label}` : `${first.label} (${r.spans.length} spells)`;
    out.push(
      `<rect class="band master" x="${f1(r.x)}" y="${bandY}" width="${f1(Math.max(r.w, 1))}" height="12" data-router="${html(l.id)}" data-start="${first.start}" data-end="${last.end}" data-count="${r.spans.length}"${last.open ? ' data-open="1"' : ''}><title>${html(title)}</title></rect>`,
    );
    if (r.w > 64) out.push(`<text class="band-label" x="${f1(r.x + 4)}" y="${bandY + 10}">MASTER</text>`);
  }
  out.push(spanRects(a, l.silences, bandY - 3, 18, 'silence', () => ` data-router="${html(l.id)}"`));
  for (const r of layoutSpans(a, l.silences)) {
    const text = r.spans.length === 1 ? r.spans[0]!.label.replace(/^\S+ /, '').replace(/ \(.*$/, '') : `${r.spans.length} silences`;
    if (r.w > text.length * LABEL_CHAR + 16) out.push(`<text class="silence-label" x="${f1(r.x + r.w / 2)}" y="${bandY + 10}" text-anchor="middle">${html(text)}</text>`);
  }
  // Marks above the band, their labels to the right of the shape when the lane has room.
  let room = -Infinity;
  const laid = layoutMarks(a, l.marks);
  laid.forEach(({ x, mark, others, hiddenTakeovers, also }, i) => {
    const next = laid[i + 1]?.x ?? WIDTH;
    const labelEnd = x + 8 + mark.label.length * LABEL_CHAR;
    const more = others > also.length ? `\n… and ${others - also.length} more here` : '';
    const detail = `${mark.text}${mark.packet ? `\n${mark.packet}` : ''}${also.map((m) => `\nalso here: ${m.text}`).join('')}${more}`;
    out.push(
      `<g class="mark ${mark.kind}" tabindex="0" data-kind="${mark.kind}" data-ts="${mark.ts}" data-others="${others}" data-hidden-takeovers="${hiddenTakeovers}" data-router="${html(l.id)}" data-detail="${lines(detail)}"><title>${lines(detail)}</title>${markShape(mark.kind, x, y + 1)}`,
    );
    if (x >= room && labelEnd < next - 4 && labelEnd < WIDTH) {
      out.push(`<text class="mark-label" x="${f1(x + 8)}" y="${y + 9}">${html(mark.label)}</text>`);
      room = labelEnd + 6;
    }
    out.push('</g>');
  });
  out.push('</g>');
  return out.join('');
}

/** Our own line breaks kept (as character references), everything else escaped. */
function lines(s: string): string {
  return s.split('\n').map(html).join('&#10;');
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** The timeline SVG of one virtual router. */
export function timelineSvg(a: Axis, v: VridView): string {
  const lanes = v.lanes;
  const h = AXIS_H + STATE_H + lanes.length * LANE_H + 6;
  const out: string[] = [];
  out.push(`<svg class="timeline" viewBox="0 0 ${WIDTH} ${h}" width="100%" role="img" aria-label="${html(`timeline of ${v.label}`)}" data-vrid="${html(v.label)}">`);
  out.push(axisSvg(a, AXIS_H, h));
  const sy = AXIS_H;
  out.push(`<text class="lane-sub" x="8" y="${sy + 14}">split brain / no master</text>`);
  out.push(spanRects(a, v.overlaps, sy + 7, STATE_H - 14, 'overlap', () => ''));
  out.push(spanRects(a, v.splits, sy + 3, STATE_H - 6, 'split', () => ''));
  for (const r of layoutSpans(a, v.splits)) if (r.w > 80) out.push(`<text class="split-label" x="${f1(r.x + r.w / 2)}" y="${sy + 14}" text-anchor="middle">SPLIT BRAIN</text>`);
  out.push(spanRects(a, v.noMaster, sy + 3, STATE_H - 6, 'nomaster', () => ''));
  lanes.forEach((l, i) => out.push(lane(a, l, AXIS_H + STATE_H + i * LANE_H, i)));
  // A takeover is a moment for the whole virtual router: a faint line through every lane.
  if (v.takeovers.length <= 80) for (const t of v.takeovers) out.push(`<line class="takeover-line" x1="${f1(xOf(a, t.ts))}" x2="${f1(xOf(a, t.ts))}" y1="${AXIS_H}" y2="${h - 6}"/>`);
  out.push('</svg>');
  return out.join('');
}

function axisSvg(a: Axis, axisH: number, h: number): string {
  const out: string[] = [`<line class="axis" x1="${x0}" x2="${x1}" y1="${axisH - 2}" y2="${axisH - 2}"/>`];
  for (const t of ticks(a)) {
    const x = f1(xOf(a, t.ts));
    out.push(`<line class="grid" x1="${x}" x2="${x}" y1="${axisH - 6}" y2="${h}"/><text class="tick" x="${x}" y="${axisH - 9}" text-anchor="middle">${t.label}</text>`);
  }
  out.push(`<text class="tick" x="8" y="${axisH - 9}">UTC</text>`);
  return out.join('');
}

/** Advert gaps of the master over time against master-down: each gap a stem, one per pixel column (the longest). */
export function gapSvg(a: Axis, v: VridView): string {
  const down = v.downNs ?? 0n;
  const cols = new Map<number, GapPoint>();
  let longest = 0;
  for (const g of v.gaps) {
    const col = Math.round(xOf(a, g.ts));
    const c = cols.get(col);
    if (!c || g.gapNs > c.gapNs) cols.set(col, g);
    if (Number(g.gapNs) > longest) longest = Number(g.gapNs);
  }
  // The scale shows master-down and the usual gaps; a far longer gap is cut at the top (its length is written).
  let max = Math.max(Number(down) * 1.5, Math.min(longest, Number(down) * 2.2));
  if (max <= 0) max = Math.max(longest, 1e9);
  const top = 14;
  const base = GAP_H - 18;
  const yOf = (ns: bigint | number): number => base - (Math.min(Number(ns), max) / max) * (base - top);
  const out: string[] = [`<svg class="gaps" viewBox="0 0 ${WIDTH} ${GAP_H}" width="100%" role="img" aria-label="${html(`advert gaps of ${v.label}`)}" data-vrid="${html(v.label)}">`];
  out.push(`<text class="lane-title" x="8" y="${top + 4}">advert gaps</text><text class="lane-sub" x="8" y="${top + 17}">of the master</text>`);
  out.push(`<line class="axis" x1="${x0}" x2="${x1}" y1="${base}" y2="${base}"/>`);
  for (const t of ticks(a)) out.push(`<line class="grid" x1="${f1(xOf(a, t.ts))}" x2="${f1(xOf(a, t.ts))}" y1="${top}" y2="${base}"/>`);
  if (v.intervalNs !== undefined) {
    const y = f1(yOf(v.intervalNs));
    out.push(`<line class="interval-line" x1="${x0}" x2="${x1}" y1="${y}" y2="${y}"/><text class="lane-sub" x="${x0 - 6}" y="${f1(yOf(v.intervalNs) + 4)}" text-anchor="end">interval ${secs(v.intervalNs)}</text>`);
  }
  if (down > 0n) {
    const y = f1(yOf(down));
    out.push(`<line class="down-line" x1="${x0}" x2="${x1}" y1="${y}" y2="${y}"/><text class="lane-sub" x="${x0 - 6}" y="${f1(yOf(down) + 4)}" text-anchor="end">master-down ${secs(down)}</text>`);
  }
  let room = -Infinity;
  for (const [col, g] of [...cols.entries()].sort((p, q) => p[0] - q[0])) {
    const over = g.gapNs > g.downNs;
    const y = yOf(g.gapNs);
    out.push(`<g class="gap${over ? ' over' : ''}" data-ts="${g.ts}" data-gap="${g.gapNs}"><title>${html(`${g.router}: ${secs(g.gapNs)} between adverts${over ? ` — past master-down (${secs(g.downNs)})` : ''}`)}</title><line x1="${col}" x2="${col}" y1="${base}" y2="${f1(y)}"/>`);
    if (over) {
      out.push(`<path d="M${col - 5} ${f1(y - 1)}l5 -8l5 8z"/>`);
      const label = `${secs(g.gapNs)}${Number(g.gapNs) > max ? ' ↑' : ''}`;
      if (col >= room && col + 7 + label.length * LABEL_CHAR < WIDTH) {
        out.push(`<text class="mark-label" x="${col + 7}" y="${f1(y + 1)}">${label}</text>`);
        room = col + 7 + label.length * LABEL_CHAR + 4;
      }
    }
    out.push('</g>');
  }
  if (v.gaps.length === 0) out.push(`<text class="lane-sub" x="${x0 + 8}" y="${base - 8}">no gaps measured (the master sent fewer than two adverts)</text>`);
  if (v.intervalNs === undefined || yOf(v.intervalNs) < base - 12) out.push(`<text class="lane-sub" x="${x0 - 6}" y="${base + 4}" text-anchor="end">0 s</text>`);
  out.push('</svg>');
  return out.join('');
}

function secs(ns: bigint): string {
  return `${(Number(ns) / 1e9).toFixed(1)} s`;
}

/** The legend: each shape and pattern with its meaning, so nothing relies on colour. */
export function legendSvg(): string {
  const items: [string, string][] = [
    ['<rect class="band master" x="0" y="4" width="28" height="12"/>', 'master'],
    ['<rect class="split" x="0" y="3" width="28" height="14"/>', 'split brain'],
    ['<rect class="nomaster" x="0" y="3" width="28" height="14"/>', 'no master'],
    ['<rect class="overlap" x="0" y="7" width="28" height="6"/>', 'hand-over overlap'],
    ['<rect class="silence" x="0" y="1" width="28" height="18"/>', 'silent past master-down'],
    [`<g class="mark takeover">${markShape('takeover', 14, 5)}</g>`, 'takeover, its reason'],
    [`<g class="mark release">${markShape('release', 14, 5)}</g>`, 'priority 0 release'],
    [`<g class="mark garp">${markShape('garp', 14, 5)}</g>`, 'gratuitous ARP'],
    [`<g class="mark na">${markShape('na', 14, 5)}</g>`, 'neighbour advert'],
    [`<g class="mark priority">${markShape('priority', 14, 5)}</g>`, 'priority change'],
    [`<g class="mark log">${markShape('log', 14, 5)}</g>`, 'keepalived log line'],
  ];
  const w = 178;
  const cols = 6;
  const rows = Math.ceil(items.length / cols);
  const cells = items.map(([shape, text], i) => `<g transform="translate(${(i % cols) * w + 8},${Math.floor(i / cols) * 26 + 4})">${shape}<text class="lane-sub" x="36" y="15">${text}</text></g>`);
  return `<svg class="legend" viewBox="0 0 ${cols * w + 16} ${rows * 26 + 8}" width="${cols * w + 16}" role="img" aria-label="legend">${cells.join('')}</svg>`;
}

/** Patterns shared by every SVG of the page (hatching for split brain, dots for silence …). */
export function patternDefs(): string {
  return (
    '<svg class="defs" width="0" height="0" aria-hidden="true"><defs>' +
    '<pattern id="p-split" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="p-split-bg"/><line x1="0" y1="0" x2="0" y2="6" class="p-split-fg"/></pattern>' +
    '<pattern id="p-nomaster" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" class="p-nomaster-bg"/><path d="M0 0L6 6M6 0L0 6" class="p-nomaster-fg"/></pattern>' +
    '<pattern id="p-silence" width="5" height="5" patternUnits="userSpaceOnUse"><circle cx="2.5" cy="2.5" r="1" class="p-silence-fg"/></pattern>' +
    '</defs></svg>'
  );
}
