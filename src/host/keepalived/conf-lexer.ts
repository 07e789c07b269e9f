// keepalived.conf → a tree of statements, the way keepalived's own reader (lib/parser.c) sees it:
// one statement per line, `#` or `!` start a comment anywhere outside quotes, `{` and `}` are words of
// their own even without spaces around them (`group { A B }`), a block may open on the next line, and
// `include GLOB` splices other files in at the word level (relative to the including file's directory,
// since keepalived chdir()s there; glob `* ? [..]` and `{a,b}`; cycles and runaway depth refused).
// Lines starting with `@` (config-id conditionals) or `$` (definitions) are not evaluated: they are
// kept out of the tree and reported as unknown. Nothing here throws on bad input; problems become
// `{file, line, message}` errors.

import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';

export type ConfError = { readonly file: string; readonly line: number; readonly message: string };
export type ConfUnknown = { readonly file: string; readonly line: number; readonly keyword: string; readonly context: string };

/** One word of a statement; `quoted` when it came from "…" or '…' (quotes removed). */
export type ConfWord = { readonly text: string; readonly quoted: boolean };

export type ConfStatement = {
  readonly file: string;
  readonly line: number;
  readonly words: readonly ConfWord[];
  /** Present when the statement opened a `{ … }` block. */
  block: ConfStatement[] | undefined;
};

/** The file system as the parser needs it (tests pass in-memory fakes). */
export type ConfIo = {
  readonly readFile: (path: string) => string;
  /** Names in a directory (no `.`/`..`); throws if it is not one. Needed for include globs only. */
  readonly readDir: (path: string) => readonly string[];
};

export type LexResult = {
  readonly statements: ConfStatement[];
  readonly files: string[];
  readonly errors: ConfError[];
  readonly unknown: ConfUnknown[];
};

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean; readonly file: string; readonly line: number }
  | { readonly kind: 'open' | 'close' | 'eol'; readonly file: string; readonly line: number };

const MAX_INCLUDE_DEPTH = 32;
const MAX_GLOB_MATCHES = 1000;

/** Read `path` (and everything it includes) into a statement tree. */
export function lexKeepalivedConf(path: string, io: ConfIo): LexResult {
  const errors: ConfError[] = [];
  const unknown: ConfUnknown[] = [];
  const files: string[] = [];
  const tokens: Token[] = [];
  const root = resolve(path);
  readInto(root, [], io, tokens, files, errors, unknown, undefined);
  const statements = buildTree(tokens, errors);
  return { statements, files, errors, unknown };
}

/** Same, for text already in memory (no includes are followed unless io is given). */
export function lexKeepalivedText(text: string, file: string, io?: ConfIo): LexResult {
  const errors: ConfError[] = [];
  const unknown: ConfUnknown[] = [];
  const files: string[] = [file];
  const tokens: Token[] = [];
  tokenizeFile(text, file, [file], io, tokens, files, errors, unknown);
  return { statements: buildTree(tokens, errors), files, errors, unknown };
}

function readInto(
  file: string,
  stack: string[],
  io: ConfIo,
  out: Token[],
  files: string[],
  errors: ConfError[],
  unknown: ConfUnknown[],
  from: { file: string; line: number } | undefined,
): void {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    const why = e instanceof Error && 'code' in e ? String((e as NodeJS.ErrnoException).code) : String(e);
    errors.push({ file: from?.file ?? file, line: from?.line ?? 0, message: `cannot read ${file} (${why})` });
    return;
  }
  if (!files.includes(file)) files.push(file);
  tokenizeFile(text, file, [...stack, file], io, out, files, errors, unknown);
}

function tokenizeFile(
  text: string,
  file: string,
  stack: string[],
  io: ConfIo | undefined,
  out: Token[],
  files: string[],
  errors: ConfError[],
  unknown: ConfUnknown[],
): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let raw = lines[i] ?? '';
    // a trailing unescaped backslash continues the statement on the next line
    while (/(^|[^\\])(\\\\)*\\$/.test(raw) && i + 1 < lines.length) raw = raw.slice(0, -1) + ' ' + (lines[++i] ?? '');
    const words = splitLine(raw, file, lineNo, errors);
    if (words.length === 0) continue;
    const first = words[0];
    if (first !== undefined && first.kind === 'word' && !first.quoted) {
      if (first.text.startsWith('@') || first.text.startsWith('$')) {
        // keepalived itself, when the config id does not match, drops only this line (its block body then
        // shows up as unknown keywords there); we leave the whole statement out.
        const what = first.text.startsWith('@') ? 'conditional (@) line not evaluated, with its block' : 'definition ($) line not evaluated';
        unknown.push({ file, line: lineNo, keyword: first.text, context: what });
        // A skipped line that opens a block would leave its body dangling: skip to the matching close.
        let depth = 0;
        for (const w of words) depth += w.kind === 'open' ? 1 : w.kind === 'close' ? -1 : 0;
        while (depth > 0 && i + 1 < lines.length) {
          i++;
          for (const w of splitLine(lines[i] ?? '', file, i + 1, errors)) depth += w.kind === 'open' ? 1 : w.kind === 'close' ? -1 : 0;
        }
        continue;
      }
      if (first.text === 'include') {
        // the argument is the rest of the raw line: braces in it are glob alternatives, not blocks
        const arg = includeArgument(raw);
        if (arg === undefined) {
          errors.push({ file, line: lineNo, message: 'include without a file name' });
          continue;
        }
        if (io === undefined) {
          unknown.push({ file, line: lineNo, keyword: 'include', context: `include ${arg.text} not followed (no file system)` });
          continue;
        }
        includeGlob(arg.text, file, lineNo, stack, io, out, files, errors, unknown);
        continue;
      }
    }
    for (const w of words) out.push(w);
    out.push({ kind: 'eol', file, line: lineNo });
  }
}

function includeGlob(
  pattern: string,
  file: string,
  line: number,
  stack: string[],
  io: ConfIo,
  out: Token[],
  files: string[],
  errors: ConfError[],
  unknown: ConfUnknown[],
): void {
  if (stack.length > MAX_INCLUDE_DEPTH) {
    errors.push({ file, line, message: `include ${pattern}: nesting deeper than ${MAX_INCLUDE_DEPTH} files` });
    return;
  }
  const full = isAbsolute(pattern) ? normalize(pattern) : join(dirname(file), pattern);
  const { matches, missing } = hasMagic(full) ? globWithMisses(full, io) : { matches: [full], missing: [] };
  if (matches.length === 0) {
    errors.push({ file, line, message: `include ${pattern}: no files match` });
    return;
  }
  if (missing.length > 0) errors.push({ file, line, message: `include ${pattern}: some files missing (${missing.join(', ')})` });
  for (const m of matches.slice(0, MAX_GLOB_MATCHES)) {
    if (stack.includes(m)) {
      errors.push({ file, line, message: `include ${pattern}: ${m} is already being read (include cycle) — skipped` });
      continue;
    }
    readInto(m, stack, io, out, files, errors, unknown, { file, line });
  }
}

/** `include PATTERN  # comment` → PATTERN (quotes removed), or undefined. */
function includeArgument(raw: string): { text: string } | undefined {
  const m = /^\s*include\s+(.*)$/.exec(raw);
  if (m === null) return undefined;
  let rest = (m[1] ?? '').trim();
  if (rest.startsWith('"')) {
    const end = rest.indexOf('"', 1);
    rest = end < 0 ? rest.slice(1) : rest.slice(1, end);
  } else {
    // like keepalived, an unquoted `!` or `#` starts a comment even here (write `[^x]` or `\!`)
    const c = rest.search(/(?<!\\)[#!]/);
    if (c >= 0) rest = rest.slice(0, c);
    rest = (rest.trim().split(/\s+/)[0] ?? '').replace(/\\([#!])/g, '$1');
  }
  return rest === '' ? undefined : { text: rest };
}

/** Split one line into words and braces; comments dropped. */
function splitLine(raw: string, file: string, line: number, errors: ConfError[]): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = raw.length;
  while (i < n) {
    const c = raw[i] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#' || c === '!') break;
    if (c === '{' || c === '}') {
      out.push({ kind: c === '{' ? 'open' : 'close', file, line });
      i++;
      continue;
    }
    if (c === '"') {
      const end = raw.indexOf(c, i + 1);
      if (end < 0) {
        errors.push({ file, line, message: 'unterminated quote' });
        out.push({ kind: 'word', text: raw.slice(i + 1), quoted: true, file, line });
        break;
      }
      out.push({ kind: 'word', text: raw.slice(i + 1, end), quoted: true, file, line });
      i = end + 1;
      continue;
    }
    // `#` or `!` anywhere outside quotes starts a comment, even inside a word (keepalived strips the
    // line from the first one); `\#` and `\!` stand for the characters themselves.
    let j = i;
    let text = '';
    while (j < n) {
      const d = raw[j] as string;
      if (d === '\\' && (raw[j + 1] === '#' || raw[j + 1] === '!')) {
        text += raw[j + 1];
        j += 2;
        continue;
      }
      if (d === ' ' || d === '\t' || d === '\r' || d === '{' || d === '}' || d === '"' || d === '#' || d === '!') break;
      text += d;
      j++;
    }
    out.push({ kind: 'word', text, quoted: false, file, line });
    i = j;
    if (raw[i] === '#' || raw[i] === '!') break;
  }
  return out;
}

function buildTree(tokens: readonly Token[], errors: ConfError[]): ConfStatement[] {
  let pos = 0;
  const parseBlock = (opener: ConfStatement | undefined): ConfStatement[] => {
    const list: ConfStatement[] = [];
    let words: ConfWord[] = [];
    let at: { file: string; line: number } | undefined;
    const flush = (): ConfStatement | undefined => {
      if (words.length === 0 || at === undefined) return undefined;
      const s: ConfStatement = { file: at.file, line: at.line, words, block: undefined };
      list.push(s);
      words = [];
      at = undefined;
      return s;
    };
    while (pos < tokens.length) {
      const t = tokens[pos++] as Token;
      if (t.kind === 'word') {
        if (at === undefined) at = { file: t.file, line: t.line };
        words.push({ text: t.text, quoted: t.quoted });
      } else if (t.kind === 'eol') {
        flush();
      } else if (t.kind === 'open') {
        let owner = flush();
        if (owner === undefined) {
          // brace on its own line: it belongs to the previous statement if that has no block yet
          const prev = list[list.length - 1];
          if (prev !== undefined && prev.block === undefined) owner = prev;
        }
        const body = parseBlock(owner ?? { file: t.file, line: t.line, words: [], block: undefined });
        if (owner === undefined) {
          errors.push({ file: t.file, line: t.line, message: "'{' without a keyword before it — block ignored" });
        } else {
          owner.block = body;
        }
      } else {
        flush();
        if (opener !== undefined) return list;
        errors.push({ file: t.file, line: t.line, message: "unbalanced '}' — ignored" });
      }
    }
    flush();
    if (opener !== undefined) {
      const name = opener.words.map((w) => w.text).join(' ') || '{';
      errors.push({ file: opener.file, line: opener.line, message: `block '${name}' is not closed before the end of the configuration` });
    }
    return list;
  };
  return parseBlock(undefined);
}

// ------------------------------------------------------------------ glob

export function hasMagic(p: string): boolean {
  return /[*?[{]/.test(p);
}

/** Expand `{a,b}` alternatives (GLOB_BRACE), innermost-first, without nesting limits beyond sanity. */
export function expandBraces(p: string): string[] {
  const open = p.indexOf('{');
  if (open < 0) return [p];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        close = i;
        break;
      }
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0 || commas.length === 0) {
    // not an alternation: keep the brace literally, expand the rest
    return expandBraces(p.slice(open + 1)).map((rest) => p.slice(0, open + 1) + rest);
  }
  const parts: string[] = [];
  let from = open + 1;
  for (const c of [...commas, close]) {
    parts.push(p.slice(from, c));
    from = c + 1;
  }
  const head = p.slice(0, open);
  const tail = p.slice(close + 1);
  const out: string[] = [];
  for (const part of parts) for (const e of expandBraces(head + part + tail)) out.push(e);
  return out;
}

/** fnmatch-style segment matcher: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`/`[^x]`; leading `.` only matched literally. */
export function globSegmentToRegExp(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, end);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, (m) => '\\' + m)}]`;
      i = end;
    } else if (c === '\\' && i + 1 < seg.length) {
      re += (seg[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** Expand an absolute glob pattern against io.readDir; sorted like glob(3). */
export function expandGlob(pattern: string, io: ConfIo): string[] {
  return globWithMisses(pattern, io).matches;
}

/** Same, also naming the `{a,b}` alternatives that matched nothing (keepalived reports those). */
export function globWithMisses(pattern: string, io: ConfIo): { matches: string[]; missing: string[] } {
  const results = new Set<string>();
  const missing: string[] = [];
  const alts = expandBraces(pattern);
  for (const alt of alts) {
    const segs = alt.split('/');
    let bases = [segs[0] === '' ? '/' : '.'];
    const start = segs[0] === '' ? 1 : 0;
    for (let k = start; k < segs.length; k++) {
      const seg = segs[k] as string;
      if (seg === '') continue;
      const next: string[] = [];
      if (!/[*?[]/.test(seg)) {
        // glob(3) only returns paths that exist, also for brace alternatives without wildcards
        for (const b of bases) {
          try {
            if (seg === '..' || seg === '.' || io.readDir(b).includes(seg)) next.push(join(b, seg));
          } catch {
            // not a directory
          }
        }
      } else {
        const re = globSegmentToRegExp(seg);
        for (const b of bases) {
          let names: readonly string[];
          try {
            names = io.readDir(b);
          } catch {
            continue;
          }
          for (const name of names) {
            if (name.startsWith('.') && !seg.startsWith('.')) continue;
            if (re.test(name)) next.push(join(b, name));
          }
        }
      }
      bases = next;
      if (bases.length === 0) break;
    }
    for (const b of bases) results.add(b);
    if (bases.length === 0 && alts.length > 1) missing.push(alt);
  }
  return { matches: [...results].sort(), missing };
}
