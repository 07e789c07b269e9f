// keepalived's log messages → typed events for the event log and as evidence in findings.
//
// Line shapes understood (all seen from keepalived 2.2.7, see tests/fixtures/keepalived/):
//   console (-l -D, what the lab logs hold):   Wed Nov 25 21:00:44 2026: (SERVICE) Entering MASTER STATE
//   log file (-g, keepalived's own):            Wed Nov 05 21:00:44.123456789 2026: (SERVICE) …
//   syslog file (rsyslog, journalctl short):    Nov 25 20:31:34 node2 Keepalived_vrrp[123]: (SERVICE) …
//   syslog ISO (rsyslog, journalctl short-iso): 2026-11-25T20:31:34.123+00:00 node2 Keepalived_vrrp[123]: …
//   raw syslog datagram (what /dev/log gets):  <30>Nov 25 20:31:34 Keepalived_vrrp[123]: …
//   journal JSON (journalctl -o json):          {"MESSAGE": "…", "_PID": "123", "SYSLOG_IDENTIFIER": "Keepalived_vrrp",
//                                                "__REALTIME_TIMESTAMP": "1795641000000000", …}
//   a bare message with no prefix.
// Times without a zone are the host's local time (keepalived and syslog write local time): pass
// utcOffsetMinutes to pin it (tests, logs from another host); syslog lines lack the year: pass
// referenceYear (default: the current year). The message texts are keepalived 2.2's (vrrp.c,
// vrrp_sync.c); the keepalived 1.x spellings (VRRP_Instance(X) …, "Transition to", "advertissement")
// are understood too. Unrecognised messages are kind `other`, never dropped or thrown.

export type KeepalivedLogState = 'MASTER' | 'BACKUP' | 'FAULT';

export type LogLineShape = 'console' | 'logfile' | 'syslog' | 'syslog-iso' | 'syslog-raw' | 'journal' | 'bare';

type Base = {
  /** ns since the epoch, or undefined when the line has no timestamp. */
  readonly time: bigint | undefined;
  /** The VRRP instance the message is about, if it names one. */
  readonly instance: string | undefined;
  /** The message text (without timestamp/host/process prefix). */
  readonly text: string;
  readonly shape: LogLineShape;
  /** Syslog identifier (Keepalived, Keepalived_vrrp, …) when the line carries one. */
  readonly process: string | undefined;
  readonly pid: number | undefined;
  readonly host: string | undefined;
};

export type KeepalivedLogEvent =
  | (Base & {
      readonly kind: 'state';
      readonly to: KeepalivedLogState;
      /** Previous state: INIT for "(init)" transitions, else what this parser last saw for the instance. */
      readonly from: KeepalivedLogState | 'INIT' | undefined;
      /** e.g. "interface eth0 down" for FAULT entries that say why. */
      readonly reason: string | undefined;
    })
  | (Base & { readonly kind: 'advert-timeout' })
  | (Base & {
      readonly kind: 'lower-priority';
      readonly peer: string | undefined;
      readonly peerPriority: number | undefined;
      readonly ourPriority: number | undefined;
      /** `election`: a master answered with its own advert ("forcing new election"); `discarded`: ignored. */
      readonly action: 'election' | 'discarded' | undefined;
    })
  | (Base & {
      readonly kind: 'higher-priority';
      readonly peer: string | undefined;
      readonly peerPriority: number | undefined;
      readonly ourPriority: number | undefined;
      /** Same priority, the peer won on its higher IP address. */
      readonly samePriorityHigherIp: boolean;
    })
  | (Base & { readonly kind: 'priority-zero'; readonly direction: 'received' | 'sent' })
  | (Base & {
      readonly kind: 'auth-error';
      readonly reason: 'bad-password' | 'type-mismatch' | 'invalid-type' | 'ah';
    })
  | (Base & {
      readonly kind: 'interval-mismatch';
      /** Seconds. */
      readonly ours: number | undefined;
      readonly theirs: number | undefined;
      /** VRRPv3: keepalived adopted the master's interval instead of dropping the advert. */
      readonly adopted: boolean;
    })
  | (Base & { readonly kind: 'ttl-error'; readonly ttl: number | undefined; readonly expected: string | undefined })
  | (Base & { readonly kind: 'address-list-mismatch'; readonly received: number | undefined; readonly expected: number | undefined })
  | (Base & { readonly kind: 'sync-group'; readonly group: string; readonly to: KeepalivedLogState })
  | (Base & { readonly kind: 'config-error'; readonly file: string | undefined; readonly line: number })
  | (Base & { readonly kind: 'other' });

export type KeepalivedLogKind = KeepalivedLogEvent['kind'];

export type LogParseOptions = {
  /** Year for syslog timestamps, which have none (default: the current year). */
  readonly referenceYear?: number;
  /** Offset of the log's local time from UTC in minutes (default: this host's zone at that date). */
  readonly utcOffsetMinutes?: number;
  /** Skip syslog/journal lines from other programs (default true). */
  readonly onlyKeepalived?: boolean;
};

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

type Envelope = { time: bigint | undefined; text: string; shape: LogLineShape; process: string | undefined; pid: number | undefined; host: string | undefined };

const RE_CONSOLE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? (\d{4}): ?(.*)$/;
const RE_SYSLOG = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? (.*)$/;
const RE_ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)? (.*)$/;
// "host ident[pid]: msg" or "ident[pid]: msg" (raw datagram) or "host ident: msg"
const RE_TAG = /^(?:(\S+) )?([A-Za-z][\w./-]*)(?:\[(\d+)\])?: ?(.*)$/;

/** Strip timestamp, host and process from one line. */
export function splitLogLine(line: string, opts: LogParseOptions = {}): Envelope | undefined {
  const s = line.replace(/\r?\n$/, '');
  if (s.trim() === '') return undefined;
  if (s.trimStart().startsWith('{')) return journalEnvelope(s, opts);
  let m = RE_CONSOLE.exec(s);
  if (m !== null) {
    const time = localTime(Number(m[7]), MONTHS[m[1] as string], Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), m[6], opts);
    return { time, text: m[8] ?? '', shape: m[6] !== undefined ? 'logfile' : 'console', process: undefined, pid: undefined, host: undefined };
  }
  m = RE_ISO.exec(s);
  if (m !== null) {
    const tag = RE_TAG.exec(m[9] ?? '');
    const zone = m[8];
    let time: bigint;
    if (zone === undefined) time = localTime(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7], opts) ?? 0n;
    else {
      const off = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
      time = utcNs(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7], off);
    }
    if (tag === null) return { time, text: m[9] ?? '', shape: 'syslog-iso', process: undefined, pid: undefined, host: undefined };
    return { time, text: tag[4] ?? '', shape: 'syslog-iso', process: tag[2], pid: tag[3] === undefined ? undefined : Number(tag[3]), host: tag[1] };
  }
  m = RE_SYSLOG.exec(s);
  const month = m === null ? undefined : MONTHS[m[2] as string];
  if (m !== null && month !== undefined) {
    const year = opts.referenceYear ?? new Date().getFullYear();
    const time = localTime(year, month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7], opts);
    const rawDatagram = m[1] !== undefined;
    const rest = m[8] ?? '';
    const tag = RE_TAG.exec(rest);
    if (tag === null) return { time, text: rest, shape: rawDatagram ? 'syslog-raw' : 'syslog', process: undefined, pid: undefined, host: undefined };
    return {
      time,
      text: tag[4] ?? '',
      shape: rawDatagram ? 'syslog-raw' : 'syslog',
      process: tag[2],
      pid: tag[3] === undefined ? undefined : Number(tag[3]),
      host: tag[1],
    };
  }
  return { time: undefined, text: s, shape: 'bare', process: undefined, pid: undefined, host: undefined };
}

function journalEnvelope(s: string, opts: LogParseOptions): Envelope | undefined {
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch {
    return { time: undefined, text: s, shape: 'bare', process: undefined, pid: undefined, host: undefined };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { time: undefined, text: s, shape: 'bare', process: undefined, pid: undefined, host: undefined };
  const j = o as Record<string, unknown>;
  let text = '';
  const msg = j['MESSAGE'];
  if (typeof msg === 'string') text = msg;
  else if (Array.isArray(msg)) text = Buffer.from(msg.filter((b): b is number => typeof b === 'number')).toString('utf8'); // journald's form for non-UTF-8
  const rt = j['__REALTIME_TIMESTAMP'];
  const time = typeof rt === 'string' && /^\d+$/.test(rt) ? BigInt(rt) * 1000n : typeof rt === 'number' ? BigInt(Math.round(rt)) * 1000n : undefined;
  const pidText = j['_PID'] ?? j['SYSLOG_PID'];
  const pid = typeof pidText === 'string' && /^\d+$/.test(pidText) ? Number(pidText) : undefined;
  const ident = j['SYSLOG_IDENTIFIER'] ?? j['_COMM'];
  const host = j['_HOSTNAME'];
  void opts;
  return { time, text: text.replace(/\n$/, ''), shape: 'journal', process: typeof ident === 'string' ? ident : undefined, pid, host: typeof host === 'string' ? host : undefined };
}

function fracNs(frac: string | undefined): bigint {
  if (frac === undefined || frac === '') return 0n;
  return BigInt(frac.padEnd(9, '0').slice(0, 9));
}

function utcNs(y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string | undefined, offsetMinutes: number): bigint {
  const ms = Date.UTC(y, mo, d, h, mi, s) - offsetMinutes * 60_000;
  return BigInt(ms) * 1_000_000n + fracNs(frac);
}

function localTime(y: number, mo: number | undefined, d: number, h: number, mi: number, s: number, frac: string | undefined, opts: LogParseOptions): bigint | undefined {
  if (mo === undefined || !Number.isFinite(y)) return undefined;
  if (opts.utcOffsetMinutes !== undefined) return utcNs(y, mo, d, h, mi, s, frac, opts.utcOffsetMinutes);
  return BigInt(new Date(y, mo, d, h, mi, s).getTime()) * 1_000_000n + fracNs(frac);
}

// ------------------------------------------------------------------ messages

const IP = '([0-9a-fA-F.:]+)';

type Classified = { kind: KeepalivedLogKind; instance: string | undefined; fields: Record<string, unknown> };

/** Classify a keepalived message (the text after any prefix). */
export function classifyKeepalivedMessage(text: string): Classified {
  // instance: "(NAME) …" (2.x) or "VRRP_Instance(NAME) …" (1.x); some 2.x messages use "(NAME): …"
  let instance: string | undefined;
  let msg = text;
  const im = /^(?:VRRP_Instance)?\(([^()\s]+)\):? (.*)$/.exec(text);
  if (im !== null && !/^\/|: Line \d+$/.test(im[1] ?? '')) {
    instance = im[1];
    msg = im[2] ?? '';
  }
  let m: RegExpExecArray | null;

  // config errors: "(/etc/keepalived/keepalived.conf: Line 23) message"
  m = /^\((?:(.+): )?Line (\d+)\) (.*)$/.exec(text);
  if (m !== null) {
    const inner = /^\(([^()\s]+)\):? /.exec(m[3] ?? '');
    return { kind: 'config-error', instance: inner?.[1], fields: { file: m[1], line: Number(m[2]) } };
  }

  m = /^VRRP_Group\(([^)]+)\):? Syncing (?:instances|(\S+)) to (MASTER|BACKUP|FAULT) state/i.exec(text);
  if (m !== null) return { kind: 'sync-group', instance: m[2], fields: { group: m[1], to: (m[3] as string).toUpperCase() } };

  if ((m = /^Entering (MASTER|BACKUP|FAULT) STATE(?: \((.*)\))?/i.exec(msg)) !== null) {
    const init = m[2] === 'init';
    return { kind: 'state', instance, fields: { to: (m[1] as string).toUpperCase(), init, reason: init ? undefined : m[2] } };
  }
  if ((m = /^entering FAULT state(?: \((.*)\))?/i.exec(msg)) !== null || (m = /^Now in FAULT state/i.exec(msg)) !== null) {
    return { kind: 'state', instance, fields: { to: 'FAULT', init: false, reason: m[1] } };
  }
  if (/^Receive advertisement timeout/i.test(msg)) return { kind: 'advert-timeout', instance, fields: {} };

  if ((m = new RegExp(`^Received advert(?: from ${IP})? with lower priority (\\d+), ours (\\d+)(, forcing new election)?`, 'i').exec(msg)) !== null) {
    return { kind: 'lower-priority', instance, fields: { peer: m[1], peerPriority: Number(m[2]), ourPriority: Number(m[3]), action: m[4] !== undefined ? 'election' : undefined } };
  }
  if ((m = new RegExp(`^received lower priority \\((\\d+)\\) advert from ${IP}(?: - discarding)?`, 'i').exec(msg)) !== null) {
    return { kind: 'lower-priority', instance, fields: { peer: m[2], peerPriority: Number(m[1]), ourPriority: undefined, action: 'discarded' } };
  }
  if ((m = new RegExp(`^(?:Master )?received (?:an )?advert(?: from ${IP})? with higher priority (\\d+), ours (\\d+)`, 'i').exec(msg)) !== null) {
    return { kind: 'higher-priority', instance, fields: { peer: m[1], peerPriority: Number(m[2]), ourPriority: Number(m[3]), samePriorityHigherIp: false } };
  }
  if ((m = new RegExp(`^(?:Master )?received (?:an )?advert from ${IP} with same priority (\\d+) but higher IP address than ours`, 'i').exec(msg)) !== null) {
    return { kind: 'higher-priority', instance, fields: { peer: m[1], peerPriority: Number(m[2]), ourPriority: Number(m[2]), samePriorityHigherIp: true } };
  }
  if (/^(?:Backup|Master) received priority 0 (?:advertisement|message)/i.test(msg)) return { kind: 'priority-zero', instance, fields: { direction: 'received' } };
  if (/^sent 0 priority/i.test(msg)) return { kind: 'priority-zero', instance, fields: { direction: 'sent' } };

  if (/invalid passwd|bad password|invalid password|auth(?:entication)? failure/i.test(msg)) return { kind: 'auth-error', instance, fields: { reason: 'bad-password' } };
  if (/^received a \d+ auth, expecting \d+|authentication type mismatch|No AH header but auth type is AH|Received AH header but auth type not AH/i.test(msg)) {
    return { kind: 'auth-error', instance, fields: { reason: 'type-mismatch' } };
  }
  if (/^Invalid auth ?type/i.test(msg)) return { kind: 'auth-error', instance, fields: { reason: 'invalid-type' } };
  if (/IPSEC[- ]AH ?: (?:invalid|sequence)|IPSEC AH : invalid/i.test(msg)) return { kind: 'auth-error', instance, fields: { reason: 'ah' } };

  if ((m = /^advertis+ement interval mismatch mine=(\d+)(?: sec)? rc?v(?:'|e)?d=(\d+)/i.exec(msg)) !== null) {
    return { kind: 'interval-mismatch', instance, fields: { ours: Number(m[1]), theirs: Number(m[2]), adopted: false } };
  }
  if ((m = /^advertisement interval updated from (\d+)ms to (\d+)ms by master/i.exec(msg)) !== null) {
    return { kind: 'interval-mismatch', instance, fields: { ours: Number(m[1]) / 1000, theirs: Number(m[2]) / 1000, adopted: true } };
  }
  if ((m = /^invalid TTL(?:\/HL)?\.? (?:Received )?(\d+) and expect (\d+)/i.exec(msg)) !== null) {
    return { kind: 'ttl-error', instance, fields: { ttl: Number(m[1]), expected: m[2] } };
  }
  if ((m = /^TTL\/HL (\d+) not in range (\d+) - (\d+)/i.exec(msg)) !== null) {
    return { kind: 'ttl-error', instance, fields: { ttl: Number(m[1]), expected: `${m[2]}-${m[3]}` } };
  }
  if (/invalid ttl/i.test(msg)) return { kind: 'ttl-error', instance, fields: { ttl: undefined, expected: undefined } };
  if ((m = /^received an unexpected ip number count (\d+), expected (\d+)/i.exec(msg)) !== null || (m = /^expected (\d+) VIPs but received (\d+)/i.exec(msg)) !== null) {
    const swapped = msg.startsWith('expected');
    return { kind: 'address-list-mismatch', instance, fields: { received: Number(swapped ? m[2] : m[1]), expected: Number(swapped ? m[1] : m[2]) } };
  }
  return { kind: 'other', instance, fields: {} };
}

/** True when a syslog identifier / process name is keepalived's (Keepalived, Keepalived_vrrp, keepalived…). */
export function isKeepalivedProcess(name: string | undefined): boolean {
  return name === undefined || /^keepalived/i.test(name);
}

/**
 * A stateful line parser (remembers each instance's last state so a state event can say `from`).
 * Use one per log source; feed lines in order (e.g. from `journalctl -o json -f`).
 */
export class KeepalivedLogParser {
  private readonly last = new Map<string, KeepalivedLogState>();
  constructor(private readonly opts: LogParseOptions = {}) {}

  /** One line → an event, or undefined for blank lines and (by default) other programs' lines. */
  parseLine(line: string): KeepalivedLogEvent | undefined {
    const env = splitLogLine(line, this.opts);
    if (env === undefined) return undefined;
    if ((this.opts.onlyKeepalived ?? true) && (env.shape === 'syslog' || env.shape === 'syslog-iso' || env.shape === 'syslog-raw' || env.shape === 'journal') && !isKeepalivedProcess(env.process)) {
      return undefined;
    }
    const c = classifyKeepalivedMessage(env.text);
    const base: Base = { time: env.time, instance: c.instance, text: env.text, shape: env.shape, process: env.process, pid: env.pid, host: env.host };
    const f = c.fields;
    switch (c.kind) {
      case 'state': {
        const to = f['to'] as KeepalivedLogState;
        const key = c.instance ?? '';
        const from = f['init'] === true ? 'INIT' : this.last.get(key);
        this.last.set(key, to);
        return { ...base, kind: 'state', to, from, reason: f['reason'] as string | undefined };
      }
      case 'sync-group':
        return { ...base, kind: 'sync-group', group: f['group'] as string, to: f['to'] as KeepalivedLogState };
      case 'advert-timeout':
        return { ...base, kind: 'advert-timeout' };
      case 'lower-priority':
        return {
          ...base,
          kind: 'lower-priority',
          peer: f['peer'] as string | undefined,
          peerPriority: f['peerPriority'] as number | undefined,
          ourPriority: f['ourPriority'] as number | undefined,
          action: f['action'] as 'election' | 'discarded' | undefined,
        };
      case 'higher-priority':
        return {
          ...base,
          kind: 'higher-priority',
          peer: f['peer'] as string | undefined,
          peerPriority: f['peerPriority'] as number | undefined,
          ourPriority: f['ourPriority'] as number | undefined,
          samePriorityHigherIp: f['samePriorityHigherIp'] === true,
        };
      case 'priority-zero':
        return { ...base, kind: 'priority-zero', direction: f['direction'] as 'received' | 'sent' };
      case 'auth-error':
        return { ...base, kind: 'auth-error', reason: f['reason'] as 'bad-password' | 'type-mismatch' | 'invalid-type' | 'ah' };
      case 'interval-mismatch':
        return { ...base, kind: 'interval-mismatch', ours: f['ours'] as number | undefined, theirs: f['theirs'] as number | undefined, adopted: f['adopted'] === true };
      case 'ttl-error':
        return { ...base, kind: 'ttl-error', ttl: f['ttl'] as number | undefined, expected: f['expected'] as string | undefined };
      case 'address-list-mismatch':
        return { ...base, kind: 'address-list-mismatch', received: f['received'] as number | undefined, expected: f['expected'] as number | undefined };
      case 'config-error':
        return { ...base, kind: 'config-error', file: f['file'] as string | undefined, line: f['line'] as number };
      case 'other':
        return { ...base, kind: 'other' };
    }
  }
}

/** Parse a whole log (text with one line per message, or journal JSON lines) into events, in order. */
export function parseKeepalivedLog(text: string, opts: LogParseOptions = {}): KeepalivedLogEvent[] {
  const p = new KeepalivedLogParser(opts);
  const out: KeepalivedLogEvent[] = [];
  for (const line of text.split('\n')) {
    const e = p.parseLine(line);
    if (e !== undefined) out.push(e);
  }
  return out;
}

/** One line, no memory of earlier lines (`from` is only known for "(init)" transitions). */
export function parseKeepalivedLogLine(line: string, opts: LogParseOptions = {}): KeepalivedLogEvent | undefined {
  return new KeepalivedLogParser(opts).parseLine(line);
}
