// The one way host files (keepalived configs and includes, dumps, logs, rulesets) are read: only
// regular files (never a FIFO, a device such as /dev/zero, /dev/stdin on a pipe, a directory), never
// more than a size cap, and the text comes back already inert (src/util/inert.ts), so no value a
// parser makes from it can reach the terminal as a control sequence.

import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, realpathSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { decodeUtf8, inertJsonSource, inertSource, inertText } from '../util/inert.js';

/** A refusal with a one-line reason (the path is added by whoever reports it). */
export class HostInputError extends Error {}

export type HostRead = {
  readonly text: string;
  /** Bytes in the file. */
  readonly size: number;
  /** Set when only the end of the file was read (logs over their cap): the first byte kept. */
  readonly keptFrom: number | undefined;
};

export type ReadOptions = {
  readonly maxBytes: number;
  /** How the limit is named in a refusal (e.g. "the 32 MiB limit (raise it with …)"). */
  readonly limit: string;
  /** Read the last maxBytes (from a line start) instead of refusing a larger file. */
  readonly tail?: boolean;
  /**
   * `json`: values come from JSON.parse (escapes are neutralised inside JSON strings too); `lines`: a
   * log, whose lines may each be JSON (journalctl -o json) or text.
   */
  readonly format?: 'text' | 'json' | 'lines';
  /** A directory the file must resolve into (symlinks followed): an offline bundle's. */
  readonly within?: string;
};

export function readHostText(path: string, o: ReadOptions): HostRead {
  const { bytes, size, keptFrom } = readHostBytes(path, o);
  return { text: inertHostText(hostTextOf(bytes), o.format ?? 'text'), size, keptFrom };
}

/**
 * Bytes of a host file → text, refusing binary data: configs, dumps, logs and rulesets are text, and
 * a file of control or non-UTF-8 bytes would only grow fourfold when each is shown as `\xNN`.
 */
export function hostTextOf(bytes: Uint8Array): string {
  const maxBad = Math.max(4096, Math.floor(bytes.length / 100));
  let controls = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13) || c === 0x7f) controls++;
  }
  const text = controls > maxBad ? undefined : decodeUtf8(bytes, maxBad - controls);
  if (text === undefined) throw new HostInputError(`binary data, not text (over ${maxBad} control or non-UTF-8 bytes) — not read`);
  return text;
}

/** Text that came from the host some other way (a command's output, a log line followed live). */
export function inertHostText(raw: string, format: 'text' | 'json' | 'lines'): string {
  if (format === 'json') return inertJsonSource(raw);
  if (format === 'text') return inertSource(raw);
  return raw
    .split('\n')
    .map((l) => (/^\s*\{/.test(l) ? inertJsonSource(l) : inertSource(l)))
    .join('\n');
}

export function readHostBytes(path: string, o: ReadOptions): { bytes: Buffer; size: number; keptFrom: number | undefined } {
  if (o.within !== undefined) mustBeInside(path, o.within);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOCTTY: a tty never becomes ours.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new HostInputError(errnoText(e));
  }
  try {
    // judged again on what was opened: a symlink swapped after the first check must not lead out
    if (o.within !== undefined) mustBeInside(openedPath(fd) ?? path, o.within);
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HostInputError(`not a regular file (${kindOf(st)}) — not read`);
    const size = st.size;
    let start = 0;
    if (size > o.maxBytes) {
      if (!o.tail) throw new HostInputError(`${mib(size)} is over ${o.limit} — not read`);
      start = size - o.maxBytes;
    }
    const want = size - start;
    const b = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, b, got, want - got, start + got);
      if (n === 0) break;
      got += n;
    }
    let bytes = b.subarray(0, got);
    if (start > 0) {
      // begin at a whole line
      const nl = bytes.indexOf(10);
      bytes = nl < 0 ? bytes.subarray(bytes.length) : bytes.subarray(nl + 1);
      start += nl + 1;
    }
    return { bytes, size, keptFrom: start > 0 ? start : undefined };
  } catch (e) {
    if (e instanceof HostInputError) throw e;
    throw new HostInputError(errnoText(e));
  } finally {
    closeSync(fd);
  }
}

/** The path of an open file, as the kernel has it (Linux /proc), or undefined. */
function openedPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** Refuses a path that resolves outside an offline bundle's directory. */
export function mustBeInside(path: string, dir: string): void {
  if (!resolvesInside(path, dir)) throw new HostInputError(`outside the bundle directory ${inertText(dir)} — not read; --allow-include-outside reads it`);
}

/** Whether `path`, every symlink resolved, lies inside directory `dir` (a missing path: judged as written). */
export function resolvesInside(path: string, dir: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const r = relative(real(dir), real(path));
  return r === '' || (r !== '..' && !r.startsWith('..' + sep) && !isAbsolute(r));
}

function kindOf(st: Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isDirectory() ? 'a directory' : st.isSocket() ? 'a socket' : 'not a file';
}

export function mib(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`;
}

/** An fs error → a short reason (never its message, which may quote a path twice). */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ELOOP':
      return 'too many levels of symbolic links, a symlink loop? (ELOOP)';
    case 'EISDIR':
      return 'is a directory — not read';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case undefined:
      return e instanceof Error ? (e.message.split('\n')[0] ?? 'unreadable') : 'unreadable';
    default:
      return `cannot read (${code})`;
  }
}
