// Asking a running keepalived for its state: find the daemon, learn its signal numbers from its own
// binary, send the signal, read the dump file it writes.
//
//  - Find: the pid file (/run/keepalived.pid, /var/run/keepalived.pid), else a /proc scan for processes
//    named keepalived, keeping the one whose parent is not keepalived (the parent forwards the signal
//    to its VRRP child, which writes the dump).
//  - Signal numbers differ between keepalived versions and builds (2.2.7: JSON 36 = SIGRTMIN+2,
//    STATS 12 = SIGUSR2, DATA 10 = SIGUSR1), so ask the running binary (/proc/PID/exe --signum=JSON),
//    falling back to `keepalived` on PATH.
//  - Read: keepalived writes $TMPDIR/keepalived.json (TMPDIR from its environment, default /tmp) in
//    its own mount namespace — under systemd's PrivateTmp that is not our /tmp, so look first under
//    /proc/PID/root/<tmp>, then our own /tmp. Wait (bounded) until the file's mtime/size changes and,
//    for JSON, until it parses (it may be caught half-written).
// The pure parts (pid/stat/environ parsing, choosing the main pid, candidate paths) are exported for
// tests; everything touching the system goes through ProcessIo.

import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { parseKeepalivedJson } from './json-dump.js';
import type { KeepalivedDump } from './dump-types.js';
import { parseKeepalivedStats } from './stats-dump.js';
import { hostLimits, limitText } from '../host-limits.js';
import { inertHostText, readHostText } from '../read-host-file.js';

export const DEFAULT_PID_FILES = ['/run/keepalived.pid', '/var/run/keepalived.pid'] as const;

export type DumpKind = 'json' | 'stats';
export const DUMP_FILES: Record<DumpKind, string> = { json: 'keepalived.json', stats: 'keepalived.stats' };
export const SIGNUM_NAMES: Record<DumpKind, string> = { json: 'JSON', stats: 'STATS' };

export type FileStamp = { readonly mtimeNs: bigint; readonly size: number };

/** The system as this module needs it; tests substitute fakes. */
export type ProcessIo = {
  readonly readFile: (path: string) => string;
  readonly readDir: (path: string) => readonly string[];
  /** undefined when the file does not exist (or cannot be stat'ed). */
  readonly stat: (path: string) => FileStamp | undefined;
  readonly kill: (pid: number, signal: number) => void;
  /** Run a program, resolve with stdout; reject on failure. */
  readonly run: (file: string, args: readonly string[], timeoutMs: number) => Promise<string>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** A dump file keepalived wrote (regular file, size cap, text already inert); default: readFile made inert. */
  readonly readDump?: (path: string, kind: DumpKind) => string;
};

export const realProcessIo: ProcessIo = {
  readFile: (p) => readFileSync(p, 'utf8'),
  // a dump path is in a shared /tmp: whatever was planted there is read only as a bounded regular file
  readDump: (p, kind) => {
    const l = hostLimits();
    return readHostText(p, { maxBytes: l.fileBytes, limit: limitText(l, 'fileBytes'), format: kind === 'json' ? 'json' : 'text' }).text;
  },
  readDir: (p) => readdirSync(p),
  stat: (p) => {
    try {
      const s = statSync(p, { bigint: true });
      return s.isFile() ? { mtimeNs: s.mtimeNs, size: Number(s.size) } : undefined;
    } catch {
      return undefined;
    }
  },
  kill: (pid, signal) => {
    process.kill(pid, signal);
  },
  run: (file, args, timeoutMs) =>
    new Promise((resolve, reject) => {
      execFile(file, [...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      });
    }),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
};

export type KeepalivedProcess = {
  /** The main (parent) keepalived process — the one to signal. */
  readonly pid: number;
  readonly source: 'pidfile' | 'proc';
  readonly pidFile: string | undefined;
};

// ------------------------------------------------------------------ pure helpers

/** A pid file's content → pid (first line, digits only). */
export function parsePidFile(text: string): number | undefined {
  const m = /^\s*(\d+)\s*$/m.exec(text);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export type ProcStat = { readonly pid: number; readonly comm: string; readonly ppid: number };

/** /proc/PID/stat → pid, comm, ppid. comm may contain spaces and parentheses: split at the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(fields[1]);
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(ppid)) return undefined;
  return { pid, comm: text.slice(open + 1, close), ppid };
}

/**
 * From all processes, the main keepalived pids: named keepalived, parent not keepalived.
 * (keepalived's children — VRRP, checker, BFD — are also called keepalived.)
 */
export function mainKeepalivedPids(procs: readonly ProcStat[]): number[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  return procs
    .filter((p) => p.comm === 'keepalived' && byPid.get(p.ppid)?.comm !== 'keepalived')
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/** NUL-separated /proc/PID/environ → map. */
export function parseEnviron(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of text.split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** keepalived's tmp dir for a given environment: $TMPDIR if absolute, else /tmp (lib/utils.c set_tmp_dir). */
export function keepalivedTmpDir(env: Readonly<Record<string, string>>): string {
  const t = env['TMPDIR'];
  return t !== undefined && t.startsWith('/') ? t.replace(/\/+$/, '') || '/' : '/tmp';
}

/** Where the dump may appear, most specific first: inside the daemon's mount namespace, then ours. */
export function dumpPathCandidates(pid: number | undefined, kind: DumpKind, tmpDir = '/tmp'): string[] {
  const name = DUMP_FILES[kind];
  const out: string[] = [];
  if (pid !== undefined) out.push(`/proc/${pid}/root${tmpDir}/${name}`);
  out.push(`${tmpDir}/${name}`);
  if (tmpDir !== '/tmp') out.push(`/tmp/${name}`);
  return [...new Set(out)];
}

/** `keepalived --signum=JSON` output → the number. */
export function parseSignum(stdout: string): number | undefined {
  const m = /^\s*(\d{1,3})\s*$/.exec(stdout);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return n > 0 && n < 65 ? n : undefined;
}

// ------------------------------------------------------------------ system

/** All main keepalived processes found by scanning /proc. */
export function scanProcForKeepalived(io: ProcessIo = realProcessIo): number[] {
  const procs: ProcStat[] = [];
  let names: readonly string[];
  try {
    names = io.readDir('/proc');
  } catch {
    return [];
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const s = parseProcStat(io.readFile(`/proc/${n}/stat`));
      if (s !== undefined) procs.push(s);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return mainKeepalivedPids(procs);
}

function isKeepalivedPid(pid: number, io: ProcessIo): boolean {
  try {
    return io.readFile(`/proc/${pid}/comm`).trim() === 'keepalived';
  } catch {
    return false;
  }
}

/** The running keepalived: a pid file naming a live keepalived wins, else the /proc scan (lowest pid). */
export function findKeepalived(io: ProcessIo = realProcessIo, pidFiles: readonly string[] = DEFAULT_PID_FILES): KeepalivedProcess | undefined {
  for (const f of pidFiles) {
    let text: string;
    try {
      text = io.readFile(f);
    } catch {
      continue;
    }
    const pid = parsePidFile(text);
    if (pid !== undefined && isKeepalivedPid(pid, io)) return { pid, source: 'pidfile', pidFile: f };
  }
  const pid = scanProcForKeepalived(io)[0];
  return pid === undefined ? undefined : { pid, source: 'proc', pidFile: undefined };
}

export type SignalNumbers = { readonly json: number | undefined; readonly stats: number | undefined; readonly binary: string | undefined; readonly errors: readonly string[] };

/** Ask keepalived's own binary for its signal numbers (the running one's first, via /proc/PID/exe). */
export async function keepalivedSignalNumbers(pid?: number, io: ProcessIo = realProcessIo): Promise<SignalNumbers> {
  const binaries = pid === undefined ? ['keepalived'] : [`/proc/${pid}/exe`, 'keepalived'];
  const errors: string[] = [];
  for (const bin of binaries) {
    const got: Partial<Record<DumpKind, number>> = {};
    for (const kind of ['json', 'stats'] as const) {
      try {
        const n = parseSignum(await io.run(bin, [`--signum=${SIGNUM_NAMES[kind]}`], 3000));
        if (n === undefined) errors.push(`${bin} --signum=${SIGNUM_NAMES[kind]}: no number in output`);
        else got[kind] = n;
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      }
    }
    if (got.json !== undefined || got.stats !== undefined) return { json: got.json, stats: got.stats, binary: bin, errors };
  }
  return { json: undefined, stats: undefined, binary: undefined, errors };
}

export type DumpRequest = {
  /** Main keepalived pid (default: findKeepalived()). */
  readonly pid?: number;
  /** Signal number (default: asked from the binary). */
  readonly signal?: number;
  /** Give up after this long (default 3000 ms). */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
  /** Override where to look (default dumpPathCandidates with the daemon's TMPDIR). */
  readonly paths?: readonly string[];
};

export type DumpResult = {
  readonly kind: DumpKind;
  readonly pid: number | undefined;
  readonly signal: number | undefined;
  /** The file read, if any. */
  readonly path: string | undefined;
  /** Wall-clock ms when the new dump was seen. */
  readonly readAtMs: number | undefined;
  readonly dump: KeepalivedDump | undefined;
  readonly errors: readonly string[];
};

/**
 * Signal keepalived for a dump and read it. Never throws: what went wrong is in `errors`
 * (no keepalived, no signal number, no permission, no new file within the timeout…).
 */
export async function requestKeepalivedDump(kind: DumpKind, req: DumpRequest = {}, io: ProcessIo = realProcessIo): Promise<DumpResult> {
  const errors: string[] = [];
  const fail = (pid: number | undefined, signal: number | undefined): DumpResult => ({ kind, pid, signal, path: undefined, readAtMs: undefined, dump: undefined, errors });
  const pid = req.pid ?? findKeepalived(io)?.pid;
  if (pid === undefined) {
    errors.push('no running keepalived found (pid file or /proc)');
    return fail(undefined, undefined);
  }
  let signal = req.signal;
  if (signal === undefined) {
    const nums = await keepalivedSignalNumbers(pid, io);
    signal = nums[kind];
    if (signal === undefined) {
      errors.push(`cannot learn keepalived's ${SIGNUM_NAMES[kind]} signal number`, ...nums.errors);
      return fail(pid, undefined);
    }
  }
  let tmpDir = '/tmp';
  try {
    tmpDir = keepalivedTmpDir(parseEnviron(io.readFile(`/proc/${pid}/environ`)));
  } catch {
    // not readable: assume /tmp
  }
  const paths = req.paths ?? dumpPathCandidates(pid, kind, tmpDir);
  const before = new Map(paths.map((p) => [p, io.stat(p)]));
  try {
    io.kill(pid, signal);
  } catch (e) {
    errors.push(`kill -${signal} ${pid}: ${e instanceof Error ? e.message : String(e)}`);
    return fail(pid, signal);
  }
  const deadline = io.now() + (req.timeoutMs ?? 3000);
  const pollMs = req.pollMs ?? 50;
  let lastParseError: string | undefined;
  for (;;) {
    for (const p of paths) {
      const st = io.stat(p);
      const old = before.get(p);
      if (st === undefined || st.size === 0) continue;
      if (old !== undefined && old.mtimeNs === st.mtimeNs && old.size === st.size) continue;
      let text: string;
      try {
        text = io.readDump !== undefined ? io.readDump(p, kind) : inertHostText(io.readFile(p), kind === 'json' ? 'json' : 'text');
      } catch (e) {
        lastParseError = `${p}: ${e instanceof Error ? e.message : String(e)}`;
        continue;
      }
      const dump = kind === 'json' ? parseKeepalivedJson(text) : parseKeepalivedStats(text);
      const complete = kind === 'json' ? !dump.errors.some((e) => e.message.startsWith('not valid JSON')) : text.endsWith('\n');
      if (complete) return { kind, pid, signal, path: p, readAtMs: io.now(), dump, errors };
      lastParseError = `${p}: ${dump.errors[0]?.message ?? 'incomplete'}`;
    }
    if (io.now() >= deadline) break;
    await io.sleep(pollMs);
  }
  errors.push(`no new ${DUMP_FILES[kind]} within ${req.timeoutMs ?? 3000} ms (looked in ${paths.join(', ')})`);
  if (lastParseError !== undefined) errors.push(lastParseError);
  return fail(pid, signal);
}

/** The JSON dump, falling back to the stats dump when JSON is unavailable (keepalived built without it). */
export async function requestKeepalivedStatus(req: Omit<DumpRequest, 'signal' | 'paths'> = {}, io: ProcessIo = realProcessIo): Promise<DumpResult> {
  const json = await requestKeepalivedDump('json', req, io);
  if (json.dump !== undefined) return json;
  if (json.pid === undefined) return json;
  const stats = await requestKeepalivedDump('stats', { ...req, pid: json.pid }, io);
  return stats.dump !== undefined ? { ...stats, errors: [...json.errors, ...stats.errors] } : { ...stats, errors: [...json.errors, ...stats.errors] };
}
