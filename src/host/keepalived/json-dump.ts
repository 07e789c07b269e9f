// keepalived's JSON dump (`kill -s $(keepalived --signum=JSON) PID` → <tmp>/keepalived.json; written
// by keepalived/vrrp/vrrp_json.c): an array of {data: {...}, stats: {...}} per VRRP instance.
// Tolerant: a field of the wrong type or missing is undefined, unknown fields are kept (`raw`,
// `stats.other`), and problems (including a file caught half-written) become errors, never throws.

import {
  COUNTER_KEYS,
  type DumpError,
  KEEPALIVED_AUTH_TYPES,
  type KeepalivedDump,
  type KeepalivedInstanceStatus,
  emptyCounters,
  keepalivedStateName,
} from './dump-types.js';

export * from './dump-types.js';

export function parseKeepalivedJson(text: string): KeepalivedDump {
  const errors: DumpError[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { format: 'json', instances: [], errors: [{ message: `not valid JSON (${text.trim() === '' ? 'empty file — dump not written yet?' : why})` }] };
  }
  if (!Array.isArray(doc)) {
    return { format: 'json', instances: [], errors: [{ message: 'expected a JSON array of VRRP instances' }] };
  }
  const instances: KeepalivedInstanceStatus[] = [];
  doc.forEach((el: unknown, index: number) => {
    if (!isObject(el)) {
      errors.push({ index, message: 'element is not an object' });
      return;
    }
    const data = el['data'];
    const stats = el['stats'];
    if (!isObject(data)) {
      errors.push({ index, message: 'element has no data object' });
      return;
    }
    const name = str(data, 'iname');
    if (name === undefined) {
      errors.push({ index, message: 'instance without iname' });
      return;
    }
    if (stats !== undefined && !isObject(stats)) errors.push({ index, message: `${name}: stats is not an object` });
    instances.push(statusFromJson(name, data, isObject(stats) ? stats : undefined));
  });
  return { format: 'json', instances, errors };
}

function statusFromJson(name: string, data: Record<string, unknown>, stats: Record<string, unknown> | undefined): KeepalivedInstanceStatus {
  const counters = emptyCounters();
  const other: Record<string, unknown> = {};
  if (stats !== undefined) {
    for (const [k, v] of Object.entries(stats)) {
      const key = (COUNTER_KEYS as Record<string, keyof typeof counters>)[k];
      if (key !== undefined && key !== 'other' && typeof v === 'number' && Number.isFinite(v)) counters[key] = v;
      else other[k] = v;
    }
  }
  counters.other = other;
  const state = num(data, 'state');
  const wantState = num(data, 'wantstate');
  const authType = num(data, 'auth_type');
  const vmac = str(data, 'vmac_ifname');
  const last = num(data, 'last_transition');
  return {
    name,
    interface: str(data, 'ifp_ifname'),
    vmacInterface: vmac === '' ? undefined : vmac,
    vrid: num(data, 'vrid'),
    state,
    stateName: keepalivedStateName(state),
    wantState,
    wantStateName: keepalivedStateName(wantState),
    basePriority: num(data, 'base_priority'),
    effectivePriority: num(data, 'effective_priority'),
    masterPriority: num(data, 'master_priority'),
    advertInt: num(data, 'adver_int'),
    masterAdvertInt: num(data, 'master_adver_int'),
    version: num(data, 'version'),
    nopreempt: bool(data, 'nopreempt'),
    preemptDelay: num(data, 'preempt_delay'),
    vipSet: bool(data, 'vipset'),
    vips: strings(data, 'vips'),
    excludedVips: strings(data, 'evips'),
    lastTransitionNs: last === undefined || last <= 0 ? undefined : BigInt(Math.round(last * 1e6)) * 1000n,
    authType,
    authTypeName: authType === undefined ? undefined : ((KEEPALIVED_AUTH_TYPES as Record<number, string>)[authType] ?? `type ${authType}`),
    authData: str(data, 'auth_data'),
    stats: counters,
    raw: data,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}

function bool(o: Record<string, unknown>, k: string): boolean | undefined {
  const v = o[k];
  // keepalived writes some flags as 0/1 and others as true/false
  return typeof v === 'boolean' ? v : typeof v === 'number' ? v !== 0 : undefined;
}

function strings(o: Record<string, unknown>, k: string): string[] {
  const v = o[k];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
