// What keepalived tells about its VRRP instances when asked by signal: the JSON dump
// (`--signum=JSON` → <tmp>/keepalived.json) or the text stats dump (`--signum=STATS` →
// <tmp>/keepalived.stats). Both parse into the same record; the stats dump has counters only, so
// its state fields stay undefined.

/** keepalived's numeric states (keepalived/include/vrrp.h, 2.2.7: INIT 0, BACK 1, MAST 2, FAULT 3, DELETED 97, STOP 98). */
export const KEEPALIVED_STATES = { 0: 'INIT', 1: 'BACKUP', 2: 'MASTER', 3: 'FAULT', 97: 'DELETED', 98: 'STOP' } as const;
export type KeepalivedStateName = (typeof KEEPALIVED_STATES)[keyof typeof KEEPALIVED_STATES] | 'UNKNOWN';

export function keepalivedStateName(n: number | undefined): KeepalivedStateName | undefined {
  if (n === undefined) return undefined;
  return (KEEPALIVED_STATES as Record<number, KeepalivedStateName>)[n] ?? 'UNKNOWN';
}

/** keepalived's auth_type numbers (vrrp.h: NONE 0, PASS 1, AH 2). */
export const KEEPALIVED_AUTH_TYPES = { 0: 'NONE', 1: 'PASS', 2: 'AH' } as const;

/**
 * Per-instance counters (vrrp_stats). Names follow the JSON dump's keys in camelCase. undefined = the
 * dump did not carry it. Caveat: with a VRRPv2 advert interval mismatch keepalived 2.2.7 drops the
 * peer's adverts and logs it, but advertIntervalErr stays 0 — do not conclude "no mismatch" from it.
 */
export type KeepalivedCounters = {
  readonly advertRcvd: number | undefined;
  readonly advertSent: number | undefined;
  readonly becomeMaster: number | undefined;
  readonly releaseMaster: number | undefined;
  readonly packetLenErr: number | undefined;
  readonly advertIntervalErr: number | undefined;
  readonly ipTtlErr: number | undefined;
  readonly invalidTypeRcvd: number | undefined;
  readonly addrListErr: number | undefined;
  readonly invalidAuthtype: number | undefined;
  readonly authtypeMismatch: number | undefined;
  readonly authFailure: number | undefined;
  readonly priZeroRcvd: number | undefined;
  readonly priZeroSent: number | undefined;
  /** Counters this parser does not model (newer keepalived versions add some), by their dump name. */
  readonly other: Readonly<Record<string, unknown>>;
};

export const COUNTER_KEYS = {
  advert_rcvd: 'advertRcvd',
  advert_sent: 'advertSent',
  become_master: 'becomeMaster',
  release_master: 'releaseMaster',
  packet_len_err: 'packetLenErr',
  advert_interval_err: 'advertIntervalErr',
  ip_ttl_err: 'ipTtlErr',
  invalid_type_rcvd: 'invalidTypeRcvd',
  addr_list_err: 'addrListErr',
  invalid_authtype: 'invalidAuthtype',
  authtype_mismatch: 'authtypeMismatch',
  auth_failure: 'authFailure',
  pri_zero_rcvd: 'priZeroRcvd',
  pri_zero_sent: 'priZeroSent',
} as const satisfies Record<string, Exclude<keyof KeepalivedCounters, 'other'>>;

export type KeepalivedInstanceStatus = {
  readonly name: string;
  readonly interface: string | undefined;
  /** VMAC interface name when use_vmac is on ('' in the dump means none → undefined). */
  readonly vmacInterface: string | undefined;
  readonly vrid: number | undefined;
  readonly state: number | undefined;
  readonly stateName: KeepalivedStateName | undefined;
  /** The state keepalived wants: BACKUP with wantState MASTER = a sync group holds it back. */
  readonly wantState: number | undefined;
  readonly wantStateName: KeepalivedStateName | undefined;
  readonly basePriority: number | undefined;
  readonly effectivePriority: number | undefined;
  /** Priority of the master it last heard (0 when it heard none, or is master). */
  readonly masterPriority: number | undefined;
  /** Seconds. */
  readonly advertInt: number | undefined;
  readonly masterAdvertInt: number | undefined;
  readonly version: number | undefined;
  readonly nopreempt: boolean | undefined;
  readonly preemptDelay: number | undefined;
  /** VIPs currently set on the interface. */
  readonly vipSet: boolean | undefined;
  /** As keepalived prints them: "192.168.2.1/24 dev eth0 scope global set". */
  readonly vips: readonly string[];
  readonly excludedVips: readonly string[];
  /** Wall-clock time of the last state change, ns since the epoch (µs precision). */
  readonly lastTransitionNs: bigint | undefined;
  readonly authType: number | undefined;
  readonly authTypeName: string | undefined;
  /** The password keepalived uses (≤ 8 chars). Sensitive: don't print it by default. */
  readonly authData: string | undefined;
  readonly stats: KeepalivedCounters;
  /** The `data` object as read, including fields not modelled above. */
  readonly raw: Readonly<Record<string, unknown>>;
};

export type DumpError = {
  /** JSON dump: index of the array element; stats dump: 1-based line. */
  readonly index?: number;
  readonly line?: number;
  readonly message: string;
};

export type KeepalivedDump = {
  /** data: the data dump's states, no counters (data-dump.ts). */
  readonly format: 'json' | 'stats' | 'data';
  readonly instances: readonly KeepalivedInstanceStatus[];
  readonly errors: readonly DumpError[];
};

export function emptyCounters(): { -readonly [K in keyof KeepalivedCounters]: KeepalivedCounters[K] } {
  return {
    advertRcvd: undefined,
    advertSent: undefined,
    becomeMaster: undefined,
    releaseMaster: undefined,
    packetLenErr: undefined,
    advertIntervalErr: undefined,
    ipTtlErr: undefined,
    invalidTypeRcvd: undefined,
    addrListErr: undefined,
    invalidAuthtype: undefined,
    authtypeMismatch: undefined,
    authFailure: undefined,
    priZeroRcvd: undefined,
    priZeroSent: undefined,
    other: {},
  };
}

/** A status with every field undefined (the stats dump fills only name and counters). */
export function emptyStatus(name: string): KeepalivedInstanceStatus {
  return {
    name,
    interface: undefined,
    vmacInterface: undefined,
    vrid: undefined,
    state: undefined,
    stateName: undefined,
    wantState: undefined,
    wantStateName: undefined,
    basePriority: undefined,
    effectivePriority: undefined,
    masterPriority: undefined,
    advertInt: undefined,
    masterAdvertInt: undefined,
    version: undefined,
    nopreempt: undefined,
    preemptDelay: undefined,
    vipSet: undefined,
    vips: [],
    excludedVips: [],
    lastTransitionNs: undefined,
    authType: undefined,
    authTypeName: undefined,
    authData: undefined,
    stats: emptyCounters(),
    raw: {},
  };
}
