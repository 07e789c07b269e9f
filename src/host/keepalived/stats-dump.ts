// keepalived's text stats dump (`kill -s $(keepalived --signum=STATS) PID` → <tmp>/keepalived.stats;
// written by keepalived/vrrp/vrrp_print.c), e.g.
//
//   VRRP Instance: SERVICE
//     Advertisements:
//       Received: 5
//       Sent: 0
//     Became master: 0
//     ...
//     Authentication Errors:
//       Invalid Type: 0
//
// "Invalid Type" appears under both "Packet Errors" and "Authentication Errors", so keys are read
// per section (by indentation). Counters only — state and wantstate are in the JSON dump.
// Tolerant: unknown lines are kept in stats.other as "Section/Key", problems become errors.

import { type DumpError, type KeepalivedCounters, type KeepalivedDump, type KeepalivedInstanceStatus, emptyCounters, emptyStatus } from './dump-types.js';

type CounterKey = Exclude<keyof KeepalivedCounters, 'other'>;

const FIELDS: Record<string, CounterKey> = {
  'Advertisements/Received': 'advertRcvd',
  'Advertisements/Sent': 'advertSent',
  '/Became master': 'becomeMaster',
  '/Released master': 'releaseMaster',
  'Packet Errors/Length': 'packetLenErr',
  'Packet Errors/TTL': 'ipTtlErr',
  'Packet Errors/Invalid Type': 'invalidTypeRcvd',
  'Packet Errors/Advertisement Interval': 'advertIntervalErr',
  'Packet Errors/Address List': 'addrListErr',
  'Authentication Errors/Invalid Type': 'invalidAuthtype',
  'Authentication Errors/Type Mismatch': 'authtypeMismatch',
  'Authentication Errors/Failure': 'authFailure',
  'Priority Zero/Received': 'priZeroRcvd',
  'Priority Zero/Sent': 'priZeroSent',
};

export function parseKeepalivedStats(text: string): KeepalivedDump {
  const errors: DumpError[] = [];
  const instances: KeepalivedInstanceStatus[] = [];
  let cur: { name: string; counters: ReturnType<typeof emptyCounters>; other: Record<string, unknown> } | undefined;
  let section = '';
  let sectionIndent = -1;
  const finish = (): void => {
    if (cur === undefined) return;
    cur.counters.other = cur.other;
    instances.push({ ...emptyStatus(cur.name), stats: cur.counters });
    cur = undefined;
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const inst = /^VRRP Instance:\s*(.*?)\s*$/.exec(raw);
    if (inst !== null) {
      finish();
      const name = inst[1] ?? '';
      if (name === '') errors.push({ line, message: 'VRRP Instance without a name' });
      cur = { name, counters: emptyCounters(), other: {} };
      section = '';
      sectionIndent = -1;
      return;
    }
    const m = /^(\s*)([^:]+?):\s*(.*?)\s*$/.exec(raw);
    if (m === null) {
      errors.push({ line, message: `unrecognised line: ${raw.trim()}` });
      return;
    }
    if (cur === undefined) {
      errors.push({ line, message: 'counter before any "VRRP Instance:" line' });
      return;
    }
    const indent = (m[1] ?? '').length;
    const key = m[2] ?? '';
    const value = m[3] ?? '';
    if (value === '') {
      section = key;
      sectionIndent = indent;
      return;
    }
    if (indent <= sectionIndent) section = '';
    const path = `${section}/${key}`;
    const field = FIELDS[path];
    const n = /^\d+$/.test(value) ? Number(value) : undefined;
    if (field !== undefined && n !== undefined) cur.counters[field] = n;
    else {
      if (field !== undefined) errors.push({ line, message: `${path}: '${value}' is not a count` });
      cur.other[path] = n ?? value;
    }
  });
  finish();
  return { format: 'stats', instances, errors };
}
