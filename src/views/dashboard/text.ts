// Styled text for the dashboard widgets: a line is a list of segments, each plain text with an
// optional style. Serialising a line escapes blessed tag syntax and control characters in the text
// (so nothing from the wire becomes markup or an escape sequence), cuts it to the panel's width by
// its visible length, and adds colour tags only when colour is on (NO_COLOR turns it off; bold and
// inverse stay, and every colour has a text twin: badges, letters, marks).

import { inertText } from '../../util/inert.js';

export type Theme = { readonly color: boolean; readonly unicode: boolean };

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
  if (theme.color && style.fg) tags.push(`${style.fg === 'gray' ? 'grey' : style.fg}-fg`);
  if (theme.color && style.bg) tags.push(`${style.bg === 'gray' ? 'grey' : style.bg}-bg`);
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

export function secs(s: number | undefined, digits = 1): string {
  return s === undefined ? '-' : `${s.toFixed(digits)}s`;
}

export function age(s: number | undefined): string {
  if (s === undefined) return '-';
  if (s < 100) return `${s.toFixed(1)}s`;
  if (s < 6000) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}
