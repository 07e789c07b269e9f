// keepalived's data dump (`kill -s $(keepalived --signum=DATA) PID`, SIGUSR1 → <tmp>/keepalived.data,
// written by the VRRP child; the parent writes keepalived_parent.data without the VRRP part). Its
// "VRRP Topology" section gives each instance's state as keepalived sees it (keepalived/vrrp/vrrp_data.c,
// dump_vrrp), e.g. from Debian's 2.2.7:
//
//    VRRP Instance = SERVICE
//      VRRP Version = 2
//      Sync group = G1
//      State = BACKUP
//      Master router = 192.168.2.11
//      Master priority = 100
//      Wantstate = BACKUP
//      Last transition = 1796125771.511903 (Tue Dec  1 11:49:31.511903 2026)   (1.x: seconds only)
//      Interface = eth0                                  (VMAC: "vrrp.51, vmac on eth0")
//      Using src_ip = 192.168.2.12
//      Virtual Router ID = 51
//      Priority = 100
//      Effective priority = 100
//      Advert interval = 1 sec                            (VRRPv3: "1000 milli-sec")
//      Preempt = enabled
//      Authentication type = SIMPLE_PASSWORD
//      Virtual IP (2):                                    (older: "Virtual IP :")
//        192.168.2.1/24 dev eth0 scope global set
//
// No counters (the stats dump has them): the instances come back with counters undefined, so a
// keepalived without JSON support still tells its states (withStates puts them beside the counters).
// Its "Interfaces" section names every interface by index (interface-names.ts reads that part).

import { type DumpError, type KeepalivedDump, type KeepalivedInstanceStatus, type KeepalivedStateName, emptyStatus } from './dump-types.js';

export type KeepalivedData = {
  readonly dump: KeepalivedDump;
  /** "Using src_ip = …" per instance: the addresses this host's adverts come from. */
  readonly sourceAddresses: readonly string[];
};

const STATE_NUMBERS: Readonly<Record<string, number>> = { INIT: 0, BACKUP: 1, MASTER: 2, FAULT: 3, DELETED: 97, STOP: 98 };

/** Whether TEXT looks like a keepalived data dump (its section headers). */
export function isKeepalivedData(text: string): boolean {
  return /^-+< (Global definitions|VRRP Topology|Interfaces) >-+$/m.test(text);
}

export function parseKeepalivedData(text: string): KeepalivedData {
  const errors: DumpError[] = [];
  const instances: KeepalivedInstanceStatus[] = [];
  const sources: string[] = [];
  let inTopology = false;
  let sawTopology = false;
  let cur: { s: Record<string, unknown> & { name: string }; vips: string[]; excluded: string[]; list: 'vip' | 'evip' | undefined } | undefined;
  const finish = (): void => {
    if (cur === undefined) return;
    instances.push({ ...emptyStatus(cur.s.name), ...(cur.s as Partial<KeepalivedInstanceStatus>), vips: cur.vips, excludedVips: cur.excluded, raw: {} } as KeepalivedInstanceStatus);
    cur = undefined;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const sec = /^-+<\s*(.*?)\s*>-+\s*$/.exec(raw);
    if (sec !== null) {
      finish();
      inTopology = sec[1] === 'VRRP Topology';
      sawTopology ||= inTopology;
      return;
    }
    if (!inTopology) return;
    const inst = /^ VRRP Instance = (.*?)\s*$/.exec(raw);
    if (inst !== null) {
      finish();
      const name = inst[1] ?? '';
      if (name === '') errors.push({ line: i + 1, message: 'VRRP Instance without a name' });
      cur = { s: { name }, vips: [], excluded: [], list: undefined };
      return;
    }
    if (cur === undefined) return;
    // The address lists: deeper-indented lines under "Virtual IP (N):" / "Virtual IP Excluded (N):".
    const item = /^ {5}(\S.*?)\s*$/.exec(raw);
    if (item !== null && cur.list !== undefined) {
      (cur.list === 'vip' ? cur.vips : cur.excluded).push(item[1]!);
      return;
    }
    cur.list = undefined;
    const kv = /^ {3}([^=]+?) = (.*?)\s*$/.exec(raw);
    const head = /^ {3}Virtual IP( Excluded)?(?: \(\d+\))? ?:\s*$/.exec(raw);
    if (head !== null) {
      cur.list = head[1] ? 'evip' : 'vip';
      return;
    }
    if (kv === null) return;
    const [key, value] = [kv[1]!, kv[2]!];
    const s = cur.s;
    const int = (): number | undefined => (/^-?\d+$/.test(value) ? Number(value) : undefined);
    switch (key) {
      case 'VRRP Version':
        s['version'] = int();
        break;
      case 'State':
      case 'Wantstate': {
        const n = STATE_NUMBERS[value];
        const name: KeepalivedStateName = n === undefined ? 'UNKNOWN' : (value as KeepalivedStateName);
        if (key === 'State') (s['state'] = n, s['stateName'] = name);
        else (s['wantState'] = n, s['wantStateName'] = name);
        break;
      }
      case 'Master priority':
        s['masterPriority'] = int();
        break;
      case 'Last transition': {
        const m = /^(\d+)(?:\.(\d{1,6}))?\b/.exec(value);
        if (m) s['lastTransitionNs'] = BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? '0').padEnd(6, '0')) * 1000n;
        break;
      }
      case 'Interface': {
        // "vrrp.51, vmac on eth0[, xmit base i/f]": the VMAC interface and the one it sits on.
        const vmac = /^(\S+), (?:vmac|ipvlan) on (\S+?)(?:,.*)?$/.exec(value);
        if (vmac) (s['interface'] = vmac[2], s['vmacInterface'] = vmac[1]);
        else if (value !== 'not configured') s['interface'] = value;
        break;
      }
      case 'Using src_ip': {
        const a = /^([0-9a-fA-F.:]+)/.exec(value);
        if (a && value !== '(none)') sources.push(a[1]!);
        break;
      }
      case 'Virtual Router ID':
        s['vrid'] = int();
        break;
      case 'Priority':
        s['basePriority'] = int();
        break;
      case 'Effective priority':
        s['effectivePriority'] = int();
        break;
      case 'Advert interval': {
        const m = /^(\d+) (sec|milli-sec)$/.exec(value);
        if (m) s['advertInt'] = m[2] === 'sec' ? Number(m[1]) : Number(m[1]) / 1000;
        break;
      }
      case 'Master advert interval': {
        const m = /^(\d+) milli-sec$/.exec(value);
        if (m) s['masterAdvertInt'] = Number(m[1]) / 1000;
        break;
      }
      case 'Preempt':
        s['nopreempt'] = value === 'disabled';
        break;
      case 'Preempt delay': {
        const m = /^([\d.]+) secs$/.exec(value);
        if (m) s['preemptDelay'] = Number(m[1]);
        break;
      }
      case 'Authentication type':
        s['authTypeName'] = value === 'IPSEC_AH' ? 'AH' : value === 'SIMPLE_PASSWORD' ? 'PASS' : value === 'none' ? 'NONE' : value;
        s['authType'] = value === 'IPSEC_AH' ? 2 : value === 'SIMPLE_PASSWORD' ? 1 : value === 'none' ? 0 : undefined;
        break;
      default:
        // The password ("Password = …") and everything else is not kept.
        break;
    }
  });
  finish();
  if (!sawTopology) errors.push({ message: 'no "------< VRRP Topology >------" section (keepalived_parent.data, or not a data dump)' });
  return { dump: { format: 'data', instances, errors }, sourceAddresses: [...new Set(sources)] };
}

/**
 * A stats dump (counters only) with the states of a data dump taken right beside it: what a JSON
 * dump would have said. Instances are matched by name; the stats dump's instances are kept.
 */
export function withStates(stats: KeepalivedDump, data: KeepalivedDump): KeepalivedDump {
  const byName = new Map(data.instances.map((i) => [i.name, i]));
  const instances = stats.instances.map((i) => {
    const d = byName.get(i.name);
    return d === undefined ? i : { ...d, stats: i.stats, raw: i.raw };
  });
  return { format: 'stats', instances, errors: stats.errors };
}
