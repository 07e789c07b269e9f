// keepalived.conf → a tree of statements, the way keepalived's own reader (lib/parser.c) sees it:
// one statement per line, `#` or `!` start a comment anywhere outside quotes, `{` and `}` are words of
// their own even without spaces around them (`group { A B }`), a block may open on the next line, and
// `include GLOB` splices other files in at the word level (relative to the including file's directory,
// since keepalived chdir()s there; glob `* ? [..]` and `{a,b}`, conf-glob.ts).
// Lines starting with `@` (config-id conditionals) or `$` (definitions) are not evaluated: they are
// kept out of the tree and reported as unknown. Nothing here throws on bad input; problems become
// `{file, line, message}` errors.
//
// Files are hostile input: the reader is iterative (an explicit stack of open files and includes,
// another of open blocks, fed token by token) and linear in what it reads; include loops are found by
// real path; depth, files read, bytes, glob expansion, nesting and words per statement are bounded
// (host-limits.ts) and each limit reached is said once. Files outside the configuration's directory
// are `hidden`: read, but never quoted in a message. With a `root`, includes stay inside it.

import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, limitText, type HostLimits } from '../host-limits.js';
import { inertText } from '../../util/inert.js';
import { globWithMisses, hasMagic } from './conf-glob.js';

export { expandBraces, expandGlob, globSegmentToRegExp, globWithMisses, hasMagic, type GlobResult } from './conf-glob.js';

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
  /** The file's text, already inert (host/read-host-file.ts); throws if it cannot or must not be read. */
  readonly readFile: (path: string) => string;
  /** Names in a directory (no `.`/`..`); throws if it is not one. Needed for include globs only. */
  readonly readDir: (path: string) => readonly string[];
  /** The path with every symlink resolved (loops and containment); defaults to normalize(). */
  readonly realpath?: (path: string) => string;
};

export type LexOptions = {
  /**
   * A directory the configuration came in (an offline bundle): includes that resolve outside it are
   * not read unless allowOutside. Without it, includes are followed anywhere, as keepalived does.
   */
  readonly root?: string;
  readonly allowOutside?: boolean;
  readonly limits?: HostLimits;
};

export type LexResult = {
  readonly statements: ConfStatement[];
  readonly files: string[];
  readonly errors: ConfError[];
  readonly unknown: ConfUnknown[];
  /**
   * Files read from outside the configuration's own directory (or bundle): nothing they contain may be
   * quoted in a message (as root, `include /etc/shadow` must not print a line of it).
   */
  readonly hidden: ReadonlySet<string>;
};

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean; readonly file: string; readonly line: number }
  | { readonly kind: 'open' | 'close' | 'eol'; readonly file: string; readonly line: number };

/** At most this many problems are kept per configuration; the rest are counted in one last line. */
export const MAX_CONF_PROBLEMS = 1000;
/** Linux PATH_MAX: no longer pattern can match a file. */
const MAX_PATTERN = 4096;

/** Problems, capped: a hostile file cannot make millions of them. */
export class ProblemList<T> {
  readonly items: T[] = [];
  dropped = 0;
  push(x: T): void {
    if (this.items.length < MAX_CONF_PROBLEMS) this.items.push(x);
    else this.dropped++;
  }
}

type FileFrame = {
  readonly kind: 'file';
  readonly lines: string[];
  i: number;
  readonly real: string;
  readonly shown: string;
  readonly hidden: boolean;
};
type IncludeFrame = { readonly kind: 'include'; readonly paths: readonly string[]; k: number; readonly pattern: string; readonly from: { file: string; line: number; pattern: string } };

class Lexer {
  readonly tree: TreeBuilder;
  readonly files: string[] = [];
  readonly fileSet = new Set<string>();
  readonly errors = new ProblemList<ConfError>();
  readonly unknown = new ProblemList<ConfUnknown>();
  readonly hidden = new Set<string>();
  private readonly stack: (FileFrame | IncludeFrame)[] = [];
  /** Real paths of the files being read (the include chain), with how often each is on it. */
  private readonly active = new Map<string, number>();
  private depth = 0;
  private filesRead = 0;
  private bytesRead = 0;
  private refusedByLimit = 0;
  private readonly limits: HostLimits;
  private readonly realpath: (p: string) => string;
  private trustedDir: string | undefined;

  constructor(
    private readonly io: ConfIo | undefined,
    private readonly opts: LexOptions,
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.tree = new TreeBuilder(this.errors, this.limits);
    const rp = io?.realpath;
    this.realpath = (p) => {
      if (rp === undefined) return normalize(p);
      try {
        return rp(p);
      } catch {
        return normalize(p);
      }
    };
    if (opts.root !== undefined) this.trustedDir = this.realpath(resolve(opts.root));
  }

  readMain(path: string): void {
    const real = this.realpath(path);
    this.trustedDir ??= dirname(real);
    this.openFile(path, undefined);
    this.run();
  }

  text(text: string, file: string): void {
    this.trustedDir ??= dirname(resolve(file));
    this.pushFile(text, file, this.realpath(resolve(file)), false);
    this.run();
  }

  finish(): LexResult {
    if (this.refusedByLimit > 1) this.errors.push({ file: this.files[0] ?? '', line: 0, message: `${this.refusedByLimit - 1} more includes not read (same limit)` });
    const statements = this.tree.finish();
    const errors = this.errors.items;
    if (this.errors.dropped > 0) errors.push({ file: this.files[0] ?? '', line: 0, message: `… and ${this.errors.dropped} more problems in this configuration (not listed; at most ${MAX_CONF_PROBLEMS} are)` });
    return { statements, files: this.files, errors, unknown: this.unknown.items, hidden: this.hidden };
  }

  private inside(real: string): boolean {
    if (this.trustedDir === undefined) return true;
    const r = relative(this.trustedDir, real);
    return r === '' || (!r.startsWith('..' + sep) && r !== '..' && !isAbsolute(r));
  }

  /** Reads one file onto the stack, or says why not (at the include that named it). */
  private openFile(path: string, from: IncludeFrame['from'] | undefined): void {
    const shown = inertText(path);
    const at = { file: from?.file ?? shown, line: from?.line ?? 0 };
    const refuse = (why: string): void => this.errors.push({ ...at, message: `cannot read ${shown} (${why})` });
    if (this.io === undefined) return;
    const real = this.realpath(path);
    const outside = !this.inside(real);
    if (from !== undefined && outside && this.opts.root !== undefined && this.opts.allowOutside !== true) {
      refuse(`outside the bundle directory ${inertText(this.opts.root)} — not read; --allow-include-outside follows it`);
      return;
    }
    if ((this.active.get(real) ?? 0) > 0) {
      this.errors.push({ ...at, message: `include ${inertText(from?.pattern ?? path)}: ${shown} is already being read (include cycle) — skipped` });
      return;
    }
    if (this.depth >= this.limits.includeDepth) {
      this.limitRefusal(at, shown, `includes nest deeper than ${limitText(this.limits, 'includeDepth')}`);
      return;
    }
    if (this.filesRead >= this.limits.includeFiles) {
      this.limitRefusal(at, shown, `more than ${limitText(this.limits, 'includeFiles')} files read for this configuration`);
      return;
    }
    let text: string;
    try {
      text = this.io.readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      refuse(typeof code === 'string' ? code : inertText(e instanceof Error ? e.message : String(e)));
      return;
    }
    this.filesRead++;
    if (this.bytesRead + text.length > this.limits.configBytes) {
      this.limitRefusal(at, shown, `the configuration's files together are over ${limitText(this.limits, 'configBytes')}`);
      return;
    }
    this.bytesRead += text.length;
    this.pushFile(text, shown, real, outside);
  }

  private limitRefusal(at: { file: string; line: number }, shown: string, why: string): void {
    if (this.refusedByLimit++ === 0) this.errors.push({ ...at, message: `include ${shown} not read: ${why}` });
  }

  private pushFile(text: string, shown: string, real: string, hidden: boolean): void {
    if (!this.fileSet.has(shown)) {
      this.fileSet.add(shown);
      this.files.push(shown);
    }
    if (hidden) this.hidden.add(shown);
    this.active.set(real, (this.active.get(real) ?? 0) + 1);
    this.depth++;
    this.stack.push({ kind: 'file', lines: text.split(/\r?\n/), i: 0, real, shown, hidden });
  }

  private run(): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return;
      if (top.kind === 'include') {
        const next = top.paths[top.k++];
        if (next === undefined) this.stack.pop();
        else this.openFile(next, top.from);
        continue;
      }
      if (top.i >= top.lines.length) {
        this.stack.pop();
        this.depth--;
        const n = (this.active.get(top.real) ?? 1) - 1;
        if (n === 0) this.active.delete(top.real);
        else this.active.set(top.real, n);
        continue;
      }
      this.statementLine(top);
    }
  }

  /** One logical line (continuations joined) of the file on top of the stack. */
  private statementLine(f: FileFrame): void {
    const { lines, shown: file } = f;
    const lineNo = f.i + 1;
    let raw = lines[f.i++] ?? '';
    if (oddTrailingBackslashes(raw) && f.i < lines.length) {
      // a trailing unescaped backslash continues the statement on the next line
      const parts = [raw.slice(0, -1)];
      for (;;) {
        const next = lines[f.i++] ?? '';
        if (oddTrailingBackslashes(next) && f.i < lines.length) parts.push(next.slice(0, -1));
        else {
          parts.push(next);
          break;
        }
      }
      raw = parts.join(' ');
    }
    const errors = this.errors;
    const lead = /^[ \t\r\f\v]*/.exec(raw)?.[0].length ?? 0;
    const c0 = raw[lead];
    if (c0 === '@' || c0 === '$') {
      // keepalived itself, when the config id does not match, drops only this line (its block body then
      // shows up as unknown keywords there); we leave the whole statement out.
      const keyword = /^[^ \t\r{}"#!]*/.exec(raw.slice(lead, lead + 256))?.[0] ?? c0;
      const what = c0 === '@' ? 'conditional (@) line not evaluated, with its block' : 'definition ($) line not evaluated';
      this.unknown.push({ file, line: lineNo, keyword, context: what });
      // A skipped line that opens a block would leave its body dangling: skip to the matching close.
      let depth = 0;
      const count = (t: Token): void => void (depth += t.kind === 'open' ? 1 : t.kind === 'close' ? -1 : 0);
      splitLine(raw, file, lineNo, errors, count);
      while (depth > 0 && f.i < lines.length) {
        splitLine(lines[f.i] ?? '', file, f.i + 1, errors, count);
        f.i++;
      }
      return;
    }
    if (/^include(?=[ \t\r\f\v{}"#!]|$)/.test(raw.slice(lead, lead + 8))) {
      // the argument is the rest of the raw line: braces in it are glob alternatives, not blocks
      const arg = includeArgument(raw);
      if (arg === undefined) {
        errors.push({ file, line: lineNo, message: 'include without a file name' });
        return;
      }
      if (this.io === undefined) {
        this.unknown.push({ file, line: lineNo, keyword: 'include', context: `include ${arg.text} not followed (no file system)` });
        return;
      }
      this.include(arg.text, f, lineNo);
      return;
    }
    if (splitLine(raw, file, lineNo, errors, this.tree.sink)) this.tree.sink({ kind: 'eol', file, line: lineNo });
  }

  private include(pattern: string, f: FileFrame, line: number): void {
    const file = f.shown;
    if (pattern.length > MAX_PATTERN) {
      this.errors.push({ file, line, message: `include: a pattern of ${pattern.length} characters is longer than a path can be (${MAX_PATTERN}) — not followed` });
      return;
    }
    const full = isAbsolute(pattern) ? normalize(pattern) : join(dirname(f.real), pattern);
    const g = hasMagic(full) ? globWithMisses(full, this.io as ConfIo, this.limits.globPaths) : { matches: [full], missing: [], truncated: false, badRange: false };
    const shownPattern = inertText(pattern);
    if (g.truncated) {
      this.errors.push({ file, line, message: `include ${shownPattern}: the glob expands to more than ${limitText(this.limits, 'globPaths')} — only the ${g.matches.length} files found before it are read` });
    }
    if (g.matches.length === 0) {
      this.errors.push({ file, line, message: `include ${shownPattern}: no files match${g.badRange ? ' (a [z-a] range matches nothing)' : ''}` });
      return;
    }
    if (g.missing.length > 0) this.errors.push({ file, line, message: `include ${shownPattern}: some files missing (${g.missing.map(inertText).join(', ')})` });
    this.stack.push({ kind: 'include', paths: g.matches, k: 0, pattern, from: { file, line, pattern } });
  }
}

function oddTrailingBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s.charCodeAt(i) === 92; i--) n++;
  return n % 2 === 1;
}

/** Read `path` (and everything it includes) into a statement tree. */
export function lexKeepalivedConf(path: string, io: ConfIo, opts: LexOptions = {}): LexResult {
  const lx = new Lexer(io, opts);
  lx.readMain(resolve(path));
  return lx.finish();
}

/** Same, for text already in memory (no includes are followed unless io is given). */
export function lexKeepalivedText(text: string, file: string, io?: ConfIo, opts: LexOptions = {}): LexResult {
  const lx = new Lexer(io, opts);
  lx.text(text, file);
  return lx.finish();
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

/** Split one line into words and braces (to `out`); comments dropped. Linear in the line. Says whether there were any. */
function splitLine(raw: string, file: string, line: number, errors: ProblemList<ConfError>, sink: (t: Token) => void): boolean {
  let any = false;
  const out = {
    push(t: Token): void {
      any = true;
      sink(t);
    },
  };
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
    const parts: string[] = [];
    let from = i;
    while (j < n) {
      const d = raw[j] as string;
      if (d === '\\' && (raw[j + 1] === '#' || raw[j + 1] === '!')) {
        parts.push(raw.slice(from, j));
        from = j + 1;
        j += 2;
        continue;
      }
      if (d === ' ' || d === '\t' || d === '\r' || d === '{' || d === '}' || d === '"' || d === '#' || d === '!') break;
      j++;
    }
    parts.push(raw.slice(from, j));
    out.push({ kind: 'word', text: parts.length === 1 ? (parts[0] as string) : parts.join(''), quoted: false, file, line });
    i = j;
    if (raw[i] === '#' || raw[i] === '!') break;
  }
  return any;
}

type Level = { readonly opener: ConfStatement | undefined; readonly list: ConfStatement[]; words: ConfWord[]; at: { file: string; line: number } | undefined };

/**
 * Tokens → statements as they come, with an explicit stack: however deep a file nests, no
 * recursion. Blocks deeper than the nesting limit are skipped (counted, said once); a statement
 * keeps at most limits.words words.
 */
class TreeBuilder {
  private readonly root: Level = { opener: undefined, list: [], words: [], at: undefined };
  private readonly stack: Level[] = [this.root];
  /** Braces open beyond the nesting limit. */
  private skipped = 0;
  private skippedTotal = 0;
  private skippedAt: { file: string; line: number } | undefined;
  private wordsCut = 0;
  private wordsCutAt: { file: string; line: number } | undefined;

  constructor(
    private readonly errors: ProblemList<ConfError>,
    private readonly limits: HostLimits,
  ) {}

  readonly sink = (t: Token): void => {
    if (this.skipped > 0) {
      if (t.kind === 'open') this.skipped++;
      else if (t.kind === 'close') this.skipped--;
      return;
    }
    const lv = this.stack[this.stack.length - 1] as Level;
    if (t.kind === 'word') {
      if (lv.at === undefined) lv.at = { file: t.file, line: t.line };
      if (lv.words.length < this.limits.words) lv.words.push({ text: t.text, quoted: t.quoted });
      else if (this.wordsCut++ === 0) this.wordsCutAt = { file: t.file, line: t.line };
    } else if (t.kind === 'eol') {
      this.flush(lv);
    } else if (t.kind === 'open') {
      let owner = this.flush(lv);
      if (owner === undefined) {
        // brace on its own line: it belongs to the previous statement if that has no block yet
        const prev = lv.list[lv.list.length - 1];
        if (prev !== undefined && prev.block === undefined) owner = prev;
      }
      if (this.stack.length > this.limits.nesting) {
        this.skipped = 1;
        this.skippedTotal++;
        this.skippedAt ??= { file: t.file, line: t.line };
        return;
      }
      const body: ConfStatement[] = [];
      if (owner === undefined) this.errors.push({ file: t.file, line: t.line, message: "'{' without a keyword before it — block ignored" });
      else owner.block = body;
      this.stack.push({ opener: owner ?? { file: t.file, line: t.line, words: [], block: undefined }, list: body, words: [], at: undefined });
    } else {
      this.flush(lv);
      if (this.stack.length > 1) this.stack.pop();
      else this.errors.push({ file: t.file, line: t.line, message: "unbalanced '}' — ignored" });
    }
  };

  private flush(lv: Level): ConfStatement | undefined {
    if (lv.words.length === 0 || lv.at === undefined) return undefined;
    const s: ConfStatement = { file: lv.at.file, line: lv.at.line, words: lv.words, block: undefined };
    lv.list.push(s);
    lv.words = [];
    lv.at = undefined;
    return s;
  }

  finish(): ConfStatement[] {
    if (this.skippedAt !== undefined) {
      this.errors.push({ ...this.skippedAt, message: `blocks nest deeper than ${limitText(this.limits, 'nesting')}: ${this.skippedTotal} deeper block(s) skipped with what is inside them` });
    }
    if (this.wordsCutAt !== undefined) {
      this.errors.push({ ...this.wordsCutAt, message: `a statement has more than ${limitText(this.limits, 'words')} words: ${this.wordsCut} further word(s) ignored` });
    }
    for (const lv of this.stack) this.flush(lv);
    const open = this.stack.slice(1);
    const outer = open[0]?.opener;
    if (outer !== undefined) {
      const name = outer.words.map((w) => w.text).join(' ') || '{';
      const inner = open.length > 1 ? ` (nor are the ${open.length - 1} blocks inside it)` : '';
      this.errors.push({ file: outer.file, line: outer.line, message: `block '${name}' is not closed before the end of the configuration${inner}` });
    }
    return this.root.list;
  }
}
