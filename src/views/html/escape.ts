// Escaping for the page and the ticket. Wire and host text (auth strings, interface names,
// hostnames, log lines) can hold anything; it must show as text, never become markup or a link.

import { inertText as printable } from '../../util/inert.js';

/** Text for HTML element content and double- or single-quoted attribute values. */
export function html(s: string): string {
  return printable(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Text for Markdown (GFM) paragraphs, list items and table cells: every character that can start
 * inline markup is backslash-escaped, and `://` / `www.` are broken up, so `<script>`, `[x](y)`,
 * `*`, `|` and autolinks stay text while addresses (192.168.2.1, fe80::1) read as they are.
 */
export function md(s: string): string {
  return printable(s)
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_{}[\]<>|~&!]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, '\\:\\/\\/')
    .replace(/(www)\./gi, '$1\\.');
}

/** md() for text that starts a line: a leading `#`, `-`, `+`, `=` or `1.` cannot start a block. */
export function mdLine(s: string): string {
  return blockSafe(md(s));
}

/** Escaped Markdown that starts a line, made unable to start a heading, list or setext underline. */
export function blockSafe(escaped: string): string {
  return escaped.replace(/^([#+=-])/, '\\$1').replace(/^(\d{1,9})([.)])(\s|$)/, '$1\\$2$3');
}

/** md() with the text's `quoted` parts (rules, commands) as inline code. */
export function mdRich(s: string): string {
  return s
    .split(/(`[^`\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? mdCode(part.slice(1, -1)) : md(part)))
    .join('');
}

/** Text for a fenced code block: the fence is longer than any run of backticks inside. */
export function mdFence(lines: readonly string[], info = ''): string {
  const body = lines.flatMap((l) => l.split('\n')).map((l) => printable(l)).join('\n');
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/** Inline code: backtick run longer than any inside, padded when the text touches a backtick. */
export function mdCode(s: string): string {
  const text = printable(s).replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const tick = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : '';
  return `${tick}${pad}${text}${pad}${tick}`;
}
