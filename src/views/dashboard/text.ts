// Styled text for the dashboard widgets: a line is a list of segments, each plain text with an
// optional style. Serialising a line escapes blessed tag syntax and control characters in the text
// (so nothing from the wire becomes markup or an escape sequence), cuts it to the panel's width by
// its visible length, and adds colour tags only when colour is on (NO_COLOR turns it off; bold and
// inverse stay, and every colour has a text twin: badges, letters, marks).
//
// No foreground may equal the background: black is drawn only on a coloured background, and grey
// (de-emphasis: rules, axes, evidence) is a fixed grey of the 256-colour cube (245) where the
// terminal has 256 colours, else the default foreground — an 8-colour terminal would be sent
// black (ESC[30m), which vanishes on a dark background, and "bright black" is the background
// itself in some palettes (Solarized).

import { inertText } from '../../util/inert.js';
import { ageText, durationText } from '../time-format.js';

/** colors: 256, 8, or 0 (no colour: NO_COLOR, a terminal without colour). Defaults to 256 when color is on. */
export type Theme = { readonly color: boolean; readonly unicode: boolean; readonly colors?: 0 | 8 | 256 };

export type Style = { readonly fg?: Color; readonly bg?: Color; readonly bold?: boolean; readonly inverse?: boolean; readonly underline?: boolean };
export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'white' | 'black' | 'gray';

export type Seg = { readonly text: string; readonly style?: Style };
export type Line = readonly Seg[];

export const seg = (text: string, style?: Style): Seg => (style ? { text, style } : { text });

/** The one escaping step (controls → \xNN, bidi → \uNNNN), then braces become blessed's {open}/{close}. */
export function escapeTags(s: string): string {
  return inertText(s).replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

export function plainLength(line: Line): number {
  return line.reduce((n, s) => n + s.text.length, 0);
}

/** The line as blessed-tagged content, at most `width` visible columns. */
export function renderLine(line: Line, width: number, theme: Theme): string {
  let left = width;
  let out = '';
  for (const s of line) {
    if (left <= 0) break;
    const text = s.text.length > left ? s.text.slice(0, left) : s.text;
    left -= text.length;
    out += styled(escapeTags(text), s.style, theme);
  }
  return out;
}

export function plainLine(line: Line, width: number): string {
  return line.map((s) => s.text).join('').slice(0, width);
}

function styled(text: string, style: Style | undefined, theme: Theme): string {
  if (!style || text === '') return text;
  const tags: string[] = [];
  if (style.bold) tags.push('bold');
  if (style.underline) tags.push('underline');
  if (style.inverse) tags.push('inverse');
  const colors = theme.color ? (theme.colors ?? 256) : 0;
  if (colors > 0 && style.fg && !(style.fg === 'black' && !style.bg)) {
    if (style.fg !== 'gray') tags.push(`${style.fg}-fg`);
    else if (colors >= 256) tags.push(`${GREY}-fg`);
  }
  if (colors > 0 && style.bg) tags.push(style.bg === 'gray' ? (colors >= 256 ? `${GREY_BG}-bg` : 'white-bg') : `${style.bg}-bg`);
  if (tags.length === 0) return text;
  return tags.map((t) => `{${t}}`).join('') + text + tags.reverse().map((t) => `{/${t}}`).join('');
}

export function fit(s: string, n: number): string {
  if (n <= 0) return '';
  return s.length > n ? (n > 1 ? s.slice(0, n - 1) + '~' : s.slice(0, n)) : s.padEnd(n);
}

export function right(s: string, n: number): string {
  return s.length >= n ? s.slice(0, n) : s.padStart(n);
}

/** A panel title as a rule: "── Title ─────────", with extra text at the right. */
export function titleLine(title: string, width: number, theme: Theme, focused: boolean, extra = ''): Line {
  const h = theme.unicode ? '─' : '-';
  const head = `${h}${h} `;
  const tail = extra ? ` ${extra} ${h}${h}` : '';
  const fill = Math.max(1, width - head.length - title.length - 1 - tail.length);
  return [seg(head, { fg: 'gray' }), seg(title, focused ? { bold: true, inverse: true } : { bold: true }), seg(' ' + h.repeat(fill), { fg: 'gray' }), seg(tail, { fg: 'gray' })];
}

/** 256-colour cube greys: visible on dark and light backgrounds alike, whatever the palette. */
const GREY = 245;
const GREY_BG = 250;

export function secs(s: number | undefined, digits = 1): string {
  return s === undefined ? '-' : durationText(s, digits);
}

export function age(s: number | undefined): string {
  return s === undefined ? '-' : ageText(s);
}
