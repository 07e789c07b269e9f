// keepalived's include globs, as glob(3) with GLOB_BRACE expands them: `*`, `?`, `[…]` per path
// segment (a leading `.` only literally), `{a,b}` alternatives; sorted; only paths that exist. A
// pattern from a hostile file must not expand without bound: alternatives, directory reads and
// paths are each capped (`max`), and a result says when it was cut.

import { join } from 'node:path';
import type { ConfIo } from './conf-lexer.js';

export function hasMagic(p: string): boolean {
  return /[*?[{]/.test(p);
}

/**
 * Expand `{a,b}` alternatives (GLOB_BRACE) with a worklist, at most `max` results (then `truncated`).
 * A `{` without a matching `}` or without a comma is kept literally.
 */
export function expandBraces(p: string, max = Infinity): string[] & { truncated?: boolean } {
  const out: string[] & { truncated?: boolean } = [];
  const work: [string, string][] = [['', p]];
  while (work.length > 0) {
    const [head, rest] = work.pop() as [string, string];
    const open = rest.indexOf('{');
    if (open < 0) {
      if (out.length >= max) {
        out.truncated = true;
        break;
      }
      out.push(head + rest);
      continue;
    }
    let depth = 0;
    let close = -1;
    const commas: number[] = [];
    for (let i = open; i < rest.length; i++) {
      const c = rest[i];
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
      work.push([head + rest.slice(0, open + 1), rest.slice(open + 1)]);
      continue;
    }
    const parts: string[] = [];
    let from = open + 1;
    for (const c of [...commas, close]) {
      parts.push(rest.slice(from, c));
      from = c + 1;
    }
    const h = head + rest.slice(0, open);
    const tail = rest.slice(close + 1);
    for (let k = parts.length - 1; k >= 0; k--) work.push([h, (parts[k] as string) + tail]);
  }
  return out;
}

const NOTHING = /(?!)/;

/**
 * fnmatch-style segment matcher: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`/`[^x]`; leading `.` only matched
 * literally. A range written backwards (`[z-a]`) matches nothing, as in glob(3): the result says so.
 */
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
  try {
    return new RegExp(re + '$');
  } catch {
    return NOTHING;
  }
}

/** Expand an absolute glob pattern against io.readDir; sorted like glob(3). */
export function expandGlob(pattern: string, io: ConfIo, max?: number): string[] {
  return globWithMisses(pattern, io, max).matches;
}

export type GlobResult = {
  readonly matches: string[];
  /** `{a,b}` alternatives that matched nothing (keepalived reports those). */
  readonly missing: string[];
  /** More than `max` paths (or directory reads) were needed: matches holds those found before. */
  readonly truncated: boolean;
  /** A segment had a backwards range (`[z-a]`), which matches nothing. */
  readonly badRange: boolean;
};

/** Same, also naming the alternatives that matched nothing; at most `max` paths and directory reads. */
export function globWithMisses(pattern: string, io: ConfIo, max = 4096): GlobResult {
  const results = new Set<string>();
  const missing: string[] = [];
  const alts = expandBraces(pattern, max);
  let truncated = alts.truncated === true;
  let badRange = false;
  let budget = max;
  const readDir = (b: string): readonly string[] => {
    if (--budget < 0) {
      truncated = true;
      throw new Error('glob budget');
    }
    return io.readDir(b);
  };
  for (const alt of alts) {
    if (truncated) break;
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
            if (seg === '..' || seg === '.' || readDir(b).includes(seg)) next.push(join(b, seg));
          } catch {
            // not a directory
          }
        }
      } else {
        const re = globSegmentToRegExp(seg);
        if (re === NOTHING) badRange = true;
        for (const b of bases) {
          let names: readonly string[];
          try {
            names = readDir(b);
          } catch {
            continue;
          }
          for (const name of names) {
            if (name.startsWith('.') && !seg.startsWith('.')) continue;
            if (re.test(name)) next.push(join(b, name));
          }
        }
      }
      if (next.length > max) {
        truncated = true;
        next.length = max;
      }
      bases = next;
      if (bases.length === 0 || truncated) break;
    }
    for (const b of bases) {
      if (results.size >= max) {
        truncated = true;
        break;
      }
      results.add(b);
    }
    if (bases.length === 0 && alts.length > 1) missing.push(alt);
  }
  return { matches: [...results].sort(), missing, truncated, badRange };
}
