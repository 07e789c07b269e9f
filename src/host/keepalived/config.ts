// keepalived.conf → what vrrpscope compares the wire with: VRRP instances, sync groups and the few
// global settings that change what goes on the wire. The grammar follows keepalived 2.2's own reader
// (see conf-lexer.ts); the defaults and derived values follow keepalived's vrrp.c (vrrp_complete_instance):
//  - version: the instance's `version`, else 3 for an IPv6 instance (first VIP is IPv6), else the
//    global `vrrp_version`, else 2;
//  - advert_int: default 1 s; VRRPv2 rounds to whole seconds (1..255), VRRPv3 to centiseconds;
//  - priority: default 255 for `state MASTER` (address owner) else 100; state defaults from priority;
//  - auth_pass: keepalived keeps the first 8 characters; auth is ignored with VRRPv3 and strict mode.
// Never throws on content: problems are collected as {file, line, message}.

import { readdirSync, realpathSync } from 'node:fs';
import { hostLimits, limitText, type HostLimits } from '../host-limits.js';
import { readHostText } from '../read-host-file.js';
import { isIPv4, isIPv6 } from 'node:net';
import {
  type ConfError,
  type ConfIo,
  type ConfStatement,
  type ConfUnknown,
  type ConfWord,
  type LexOptions,
  type LexResult,
  ProblemList,
  lexKeepalivedConf,
  lexKeepalivedText,
} from './conf-lexer.js';

export type { ConfError, ConfIo, ConfUnknown } from './conf-lexer.js';

export type ConfLocation = { readonly file: string; readonly line: number };

export type VirtualAddress = {
  /** The address without prefix, as written (IPv6 lower-cased). */
  readonly address: string;
  readonly family: 4 | 6;
  /** Prefix length; keepalived's default is /32 (IPv4) or /128 (IPv6) when none is given. */
  readonly prefix: number;
  readonly prefixGiven: boolean;
  readonly dev: string | undefined;
  readonly label: string | undefined;
  readonly scope: string | undefined;
  readonly brd: string | undefined;
  readonly peer: string | undefined;
  /** Other `key value` options (e.g. track_group) and bare flags (`home`, `-nodad`, `no_track`…, value ''). */
  readonly options: Readonly<Record<string, string>>;
  /** The line as written (all words). */
  readonly text: string;
  readonly at: ConfLocation;
};

export type TrackRef = {
  readonly name: string;
  /** `weight N` if given (keepalived's default for interfaces/files/processes/scripts differs; undefined = not given). */
  readonly weight: number | undefined;
  readonly reverse: boolean;
  readonly at: ConfLocation;
};

export type UnicastPeer = {
  readonly address: string;
  readonly family: 4 | 6;
  readonly minTtl: number | undefined;
  readonly maxTtl: number | undefined;
  readonly at: ConfLocation;
};

export const AUTH_PASS_MAX = 8;

export type VrrpAuth = {
  /** `PASS`, `AH` or whatever was written (upper-cased). */
  readonly type: string;
  /** What keepalived puts on the wire: the first 8 characters of auth_pass. */
  readonly pass: string | undefined;
  /** auth_pass exactly as written. */
  readonly passConfigured: string | undefined;
  /** Why keepalived ignores it, if it does (VRRPv3, strict mode, no password). */
  readonly ignored: string | undefined;
  readonly at: ConfLocation;
};

export type NotifyScripts = {
  readonly master?: string;
  readonly backup?: string;
  readonly fault?: string;
  readonly stop?: string;
  readonly deleted?: string;
  /** The generic `notify` script (called with type, name, state, priority). */
  readonly notify?: string;
  readonly masterRxLowerPri?: string;
};

export type VrrpState = 'MASTER' | 'BACKUP';

export type KeepalivedInstance = {
  readonly name: string;
  readonly at: ConfLocation;
  readonly interface: string | undefined;
  readonly vrid: number | undefined;
  /** Effective initial state (configured, or derived from priority as keepalived does). */
  readonly state: VrrpState;
  /** As written (`MASTER`, `BACKUP`, or something keepalived would reject); undefined = not written. */
  readonly stateConfigured: string | undefined;
  /** Effective base priority (configured, or 255 for `state MASTER`, else 100). */
  readonly priority: number;
  readonly priorityConfigured: number | undefined;
  readonly nopreempt: boolean;
  /** preempt_delay in seconds (may be fractional), undefined = not set. */
  readonly preemptDelay: number | undefined;
  /** Effective advert interval in seconds, after keepalived's rounding for the version. */
  readonly advertInt: number;
  readonly advertIntConfigured: number | undefined;
  /** Effective VRRP version and where it came from. */
  readonly version: 2 | 3;
  readonly versionSource: 'instance' | 'global' | 'default' | 'ipv6';
  /** Address family of the instance (from the first VIP; IPv4 when there is none). */
  readonly family: 4 | 6;
  readonly virtualAddresses: readonly VirtualAddress[];
  readonly excludedAddresses: readonly VirtualAddress[];
  readonly auth: VrrpAuth | undefined;
  readonly unicastSrcIp: string | undefined;
  readonly unicastPeers: readonly UnicastPeer[];
  readonly mcastSrcIp: string | undefined;
  readonly trackInterfaces: readonly TrackRef[];
  readonly trackScripts: readonly TrackRef[];
  readonly trackFiles: readonly TrackRef[];
  readonly trackProcesses: readonly TrackRef[];
  /** `use_vmac` given (true, or the VMAC interface name if one was given). */
  readonly useVmac: boolean | string;
  /** garp_master_delay in seconds (keepalived's default is 5 when undefined). */
  readonly garpMasterDelay: number | undefined;
  /** Instance `strict_mode`, or the global vrrp_strict. */
  readonly strict: boolean;
  readonly notify: NotifyScripts;
  /** Name of the sync group this instance belongs to, if any. */
  readonly syncGroup: string | undefined;
  /** Every other one-line keyword → its words after the keyword (last occurrence wins). */
  readonly other: Readonly<Record<string, string>>;
};

export type KeepalivedSyncGroup = {
  readonly name: string;
  readonly at: ConfLocation;
  readonly members: readonly string[];
  readonly notify: NotifyScripts;
  readonly other: Readonly<Record<string, string>>;
};

export type KeepalivedGlobals = {
  readonly routerId: string | undefined;
  /** Multicast groups adverts go to (keepalived's defaults when not set). */
  readonly vrrpMcastGroup4: string;
  readonly vrrpMcastGroup6: string;
  readonly vrrpMcastGroup4Configured: string | undefined;
  readonly vrrpMcastGroup6Configured: string | undefined;
  readonly vrrpStrict: boolean;
  /** Global default VRRP version (2 unless vrrp_version is set). */
  readonly vrrpVersion: 2 | 3;
  readonly vrrpVersionConfigured: number | undefined;
  readonly enableScriptSecurity: boolean;
  readonly scriptUser: string | undefined;
  /** Every other global_defs keyword → its words (last occurrence wins). */
  readonly other: Readonly<Record<string, string>>;
};

export type KeepalivedConfig = {
  readonly instances: readonly KeepalivedInstance[];
  readonly syncGroups: readonly KeepalivedSyncGroup[];
  readonly globals: KeepalivedGlobals;
  readonly errors: readonly ConfError[];
  /** Keywords not understood (or not evaluated, like `@` conditionals), for a "was this meant?" hint. */
  readonly unknown: readonly ConfUnknown[];
  /** Every file read, main file first. */
  readonly files: readonly string[];
};

export type ReadFileFn = (path: string) => string;
export type ReadDirFn = (path: string) => readonly string[];

export const DEFAULT_MCAST_GROUP4 = '224.0.0.18';
export const DEFAULT_MCAST_GROUP6 = 'ff02::12';
export const DEFAULT_CONF_PATH = '/etc/keepalived/keepalived.conf';

/** The real file system, through the one host-file reader (regular files only, size cap, inert text). */
export function nodeConfIo(limits: HostLimits = hostLimits(), within?: string): ConfIo {
  return {
    readFile: (p) => readHostText(p, { maxBytes: limits.fileBytes, limit: limitText(limits, 'fileBytes'), ...(within !== undefined ? { within } : {}) }).text,
    readDir: (p) => readdirSync(p),
    realpath: (p) => realpathSync(p),
  };
}

export type ConfOptions = LexOptions;

/**
 * Parse a keepalived configuration file and everything it includes.
 * `readFile`/`readDir` default to the real file system (tests pass fakes).
 */
export function parseKeepalivedConf(path: string, readFile?: ReadFileFn, readDir?: ReadDirFn, opts: ConfOptions = {}): KeepalivedConfig {
  // in a bundle, the reader itself also refuses what resolves outside (checked on the opened file)
  const real = nodeConfIo(opts.limits ?? hostLimits(), opts.root !== undefined && opts.allowOutside !== true ? opts.root : undefined);
  const io: ConfIo = readFile === undefined && readDir === undefined ? real : { readFile: readFile ?? real.readFile, readDir: readDir ?? real.readDir };
  return interpret(lexKeepalivedConf(path, io, { limits: hostLimits(), ...opts }));
}

/** Parse configuration text already in memory; `include` is followed only when io is given. */
export function parseKeepalivedConfText(text: string, file = 'keepalived.conf', io?: ConfIo, opts: ConfOptions = {}): KeepalivedConfig {
  return interpret(lexKeepalivedText(text, file, io, opts));
}

// ------------------------------------------------------------------ interpretation

const TOP_LEVEL_KNOWN = new Set([
  'global_defs',
  'vrrp_instance',
  'vrrp_sync_group',
  'vrrp_script',
  'vrrp_track_file',
  'track_file',
  'vrrp_track_process',
  'track_process',
  'linkbeat_interfaces',
  'static_ipaddress',
  'static_routes',
  'static_rules',
  'virtual_server',
  'virtual_server_group',
  'bfd_instance',
  'garp_group',
  'net_namespace',
  'net_namespace_ipvs',
  'instance',
  'use_pid_dir',
  'use_instance',
  'child_wait_time',
  'vrrp_group',
]);

// keepalived 2.2.7 vrrp_parser.c install_keyword() names inside vrrp_instance (modelled or not)
const INSTANCE_KNOWN = new Set([
  'use_vmac', 'use_vmac_addr', 'vmac_xmit_base', 'use_ipvlan', 'unicast_peer', 'unicast_fault_no_peer', 'check_unicast_src',
  'old_unicast_checksum', 'native_ipv6', 'state', 'interface', 'vrf', 'dont_track_primary', 'track_interface', 'track_script',
  'track_file', 'track_process', 'track_bfd', 'mcast_src_ip', 'unicast_src_ip', 'mcast_dst_ip', 'track_src_ip', 'virtual_router_id',
  'unicast_ttl', 'version', 'priority', 'advert_int', 'virtual_ipaddress', 'virtual_ipaddress_excluded', 'promote_secondaries',
  'linkbeat_use_polling', 'virtual_routes', 'virtual_rules', 'accept', 'no_accept', 'skip_check_adv_addr', 'strict_mode', 'preempt',
  'nopreempt', 'preempt_delay', 'debug', 'notify_backup', 'notify_master', 'notify_fault', 'notify_stop', 'notify_deleted', 'notify',
  'notify_master_rx_lower_pri', 'smtp_alert', 'notify_priority_changes', 'lvs_sync_daemon_interface', 'garp_master_delay',
  'garp_master_refresh', 'garp_master_repeat', 'garp_master_refresh_repeat', 'garp_lower_prio_delay', 'garp_lower_prio_repeat',
  'down_timer_adverts', 'garp_extra_if', 'vmac_garp_intvl', 'lower_prio_no_advert', 'higher_prio_send_advert', 'kernel_rx_buf_size',
  'authentication', 'nopreempt_delay', 'ipset_vrrp', 'no_dad', 'timeout', 'nftables', 'iptables',
]);

const SYNC_GROUP_KNOWN = new Set([
  'group', 'track_interface', 'track_script', 'track_file', 'track_process', 'track_bfd', 'notify_backup', 'notify_master',
  'notify_fault', 'notify_stop', 'notify', 'smtp_alert', 'global_tracking', 'sync_group_tracking_weight', 'notify_priority_changes',
]);

type Ctx = { errors: ProblemList<ConfError>; unknown: ProblemList<ConfUnknown> };

function interpret(lex: LexResult): KeepalivedConfig {
  const ctx: Ctx = { errors: new ProblemList(), unknown: new ProblemList() };
  for (const e of lex.errors) ctx.errors.push(e);
  for (const u of lex.unknown) ctx.unknown.push(u);
  const globalStmts: ConfStatement[] = [];
  const instanceStmts: ConfStatement[] = [];
  const groupStmts: ConfStatement[] = [];
  for (const s of lex.statements) {
    const kw = word(s, 0);
    if (kw === 'global_defs') {
      if (s.block === undefined) ctx.errors.push(err(s, 'global_defs without a { … } block'));
      else globalStmts.push(s);
    } else if (kw === 'vrrp_instance') instanceStmts.push(s);
    else if (kw === 'vrrp_sync_group') groupStmts.push(s);
    else if (!TOP_LEVEL_KNOWN.has(kw)) ctx.unknown.push({ file: s.file, line: s.line, keyword: kw, context: 'top level' });
  }

  const globals = parseGlobals(globalStmts, ctx);
  const groups = groupStmts.flatMap((s) => parseSyncGroup(s, ctx) ?? []);
  const memberOf = new Map<string, string>();
  for (const g of groups) {
    for (const m of g.members) {
      const prev = memberOf.get(m);
      if (prev !== undefined && prev !== g.name) ctx.errors.push({ ...g.at, message: `instance ${m} is in sync groups ${prev} and ${g.name}` });
      else memberOf.set(m, g.name);
    }
  }
  const instances: KeepalivedInstance[] = [];
  const names = new Set<string>();
  for (const s of instanceStmts) {
    const inst = parseInstance(s, globals, memberOf, ctx);
    if (inst === undefined) continue;
    if (names.has(inst.name)) {
      ctx.errors.push({ ...inst.at, message: `vrrp_instance ${inst.name} defined twice — the second one is ignored` });
      continue;
    }
    names.add(inst.name);
    instances.push(inst);
  }
  for (const g of groups) {
    for (const m of g.members) {
      if (!names.has(m)) ctx.errors.push({ ...g.at, message: `sync group ${g.name}: member ${m} is not a vrrp_instance` });
    }
  }
  // Two instances on the same interface, family and VRID fight each other (keepalived refuses this too).
  const seen = new Map<string, KeepalivedInstance>();
  for (const i of instances) {
    if (i.vrid === undefined || i.interface === undefined) continue;
    const key = `${i.interface}/${i.family}/${i.vrid}`;
    const other = seen.get(key);
    if (other !== undefined) ctx.errors.push({ ...i.at, message: `vrrp_instance ${i.name}: VRID ${i.vrid} on ${i.interface} is also used by ${other.name}` });
    else seen.set(key, i);
  }
  // A problem on a line of a hidden file is said without its content; one elsewhere that quotes a
  // word from a hidden file (a sync-group member, an instance name) has that word blanked.
  const blank = redactor(lex.statements, lex.hidden);
  const errors = ctx.errors.items.map((e) => (lex.hidden.has(e.file) ? { ...e, message: hiddenMessage(e.file) } : { ...e, message: blank(e.message) }));
  if (ctx.errors.dropped > 0) errors.push({ file: lex.files[0] ?? '', line: 0, message: `… and ${ctx.errors.dropped} more problems in this configuration (not listed)` });
  const unknown = ctx.unknown.items.map((u) => (lex.hidden.has(u.file) ? { ...u, keyword: '…', context: hiddenMessage(u.file) } : { ...u, context: blank(u.context) }));
  return { instances, syncGroups: groups, globals, errors, unknown, files: lex.files };
}

/** message → message with every word that came from a hidden file replaced by `…`. */
function redactor(statements: readonly ConfStatement[], hidden: ReadonlySet<string>): (m: string) => string {
  if (hidden.size === 0) return (m) => m;
  const words = new Set<string>();
  const stack: ConfStatement[] = [...statements];
  while (stack.length > 0) {
    const s = stack.pop() as ConfStatement;
    if (hidden.has(s.file)) for (const w of s.words) words.add(w.text);
    if (s.block !== undefined) for (const c of s.block) stack.push(c);
  }
  if (words.size === 0) return (m) => m;
  return (m) => m.split(/([\s'"(),]+)/).map((t) => (words.has(t) ? '…' : t)).join('');
}

/**
 * What is said about a line of a file the configuration includes from outside its own directory (or
 * bundle): where, never what — as root, `include /etc/shadow` must not print a line of it.
 */
function hiddenMessage(file: string): string {
  return `not understood (${file} is outside the configuration's directory: its content is not shown)`;
}

function parseGlobals(stmts: readonly ConfStatement[], ctx: Ctx): KeepalivedGlobals {
  let routerId: string | undefined;
  let g4: string | undefined;
  let g6: string | undefined;
  let strict = false;
  let version: number | undefined;
  let scriptSecurity = false;
  let scriptUser: string | undefined;
  const other: Record<string, string> = {};
  for (const block of stmts) {
    for (const s of block.block ?? []) {
      const kw = word(s, 0);
      const arg = word(s, 1);
      switch (kw) {
        case 'router_id':
          routerId = arg || undefined;
          break;
        case 'vrrp_mcast_group4':
          if (isIPv4(arg)) g4 = arg;
          else ctx.errors.push(err(s, `vrrp_mcast_group4 '${arg}' is not an IPv4 address`));
          break;
        case 'vrrp_mcast_group6':
          if (isIPv6(arg)) g6 = arg.toLowerCase();
          else ctx.errors.push(err(s, `vrrp_mcast_group6 '${arg}' is not an IPv6 address`));
          break;
        case 'vrrp_strict':
          strict = true;
          break;
        case 'vrrp_version':
          if (arg === '2' || arg === '3') version = Number(arg);
          else ctx.errors.push(err(s, `vrrp_version must be 2 or 3, not '${arg}'`));
          break;
        case 'enable_script_security':
          scriptSecurity = true;
          break;
        case 'script_user':
          scriptUser = arg || undefined;
          break;
        default:
          other[kw] = rest(s, 1);
      }
    }
  }
  return {
    routerId,
    vrrpMcastGroup4: g4 ?? DEFAULT_MCAST_GROUP4,
    vrrpMcastGroup6: g6 ?? DEFAULT_MCAST_GROUP6,
    vrrpMcastGroup4Configured: g4,
    vrrpMcastGroup6Configured: g6,
    vrrpStrict: strict,
    vrrpVersion: version === 3 ? 3 : 2,
    vrrpVersionConfigured: version,
    enableScriptSecurity: scriptSecurity,
    scriptUser,
    other,
  };
}

function parseSyncGroup(s: ConfStatement, ctx: Ctx): KeepalivedSyncGroup | undefined {
  const name = word(s, 1);
  if (name === '') {
    ctx.errors.push(err(s, 'vrrp_sync_group without a name'));
    return undefined;
  }
  if (s.block === undefined) {
    ctx.errors.push(err(s, `vrrp_sync_group ${name} without a { … } block`));
    return undefined;
  }
  const members: string[] = [];
  const seen = new Set<string>();
  const notify: Record<string, string> = {};
  const other: Record<string, string> = {};
  for (const c of s.block) {
    const kw = word(c, 0);
    if (kw === 'group') {
      if (c.block === undefined) {
        // keepalived also accepts nothing else here; a bare `group A B` is an error there too
        ctx.errors.push(err(c, `sync group ${name}: 'group' needs a { … } block of instance names`));
        continue;
      }
      for (const m of c.block) for (const w of m.words) if (!seen.has(w.text)) {
        seen.add(w.text);
        members.push(w.text);
      }
    } else if (kw.startsWith('notify')) {
      setNotify(notify, kw, c);
    } else {
      if (!SYNC_GROUP_KNOWN.has(kw)) ctx.unknown.push({ file: c.file, line: c.line, keyword: kw, context: `vrrp_sync_group ${name}` });
      other[kw] = rest(c, 1);
    }
  }
  if (members.length === 0) ctx.errors.push(err(s, `sync group ${name} has no members`));
  return { name, at: loc(s), members, notify, other };
}

function setNotify(notify: Record<string, string>, kw: string, s: ConfStatement): void {
  const key: Record<string, string> = {
    notify_master: 'master',
    notify_backup: 'backup',
    notify_fault: 'fault',
    notify_stop: 'stop',
    notify_deleted: 'deleted',
    notify: 'notify',
    notify_master_rx_lower_pri: 'masterRxLowerPri',
  };
  const k = key[kw];
  if (k !== undefined) notify[k] = rest(s, 1);
}

type MutableInstance = {
  -readonly [K in keyof KeepalivedInstance]: KeepalivedInstance[K] extends readonly (infer T)[] ? T[] : KeepalivedInstance[K];
};

function parseInstance(s: ConfStatement, globals: KeepalivedGlobals, memberOf: ReadonlyMap<string, string>, ctx: Ctx): KeepalivedInstance | undefined {
  const name = word(s, 1);
  if (name === '') {
    ctx.errors.push(err(s, 'vrrp_instance without a name'));
    return undefined;
  }
  if (s.block === undefined) {
    ctx.errors.push(err(s, `vrrp_instance ${name} without a { … } block`));
    return undefined;
  }
  const where = `vrrp_instance ${name}`;
  let stateConfigured: string | undefined;
  let priorityConfigured: number | undefined;
  let advertIntConfigured: number | undefined;
  let versionConfigured: 2 | 3 | undefined;
  let authType: string | undefined;
  let authPass: string | undefined;
  let authAt: ConfLocation | undefined;
  let passAt: ConfLocation | undefined;
  let strictMode: boolean | undefined;
  const notify: Record<string, string> = {};
  const other: Record<string, string> = {};
  const inst: MutableInstance = {
    name,
    at: loc(s),
    interface: undefined,
    vrid: undefined,
    state: 'BACKUP',
    stateConfigured: undefined,
    priority: 100,
    priorityConfigured: undefined,
    nopreempt: false,
    preemptDelay: undefined,
    advertInt: 1,
    advertIntConfigured: undefined,
    version: 2,
    versionSource: 'default',
    family: 4,
    virtualAddresses: [],
    excludedAddresses: [],
    auth: undefined,
    unicastSrcIp: undefined,
    unicastPeers: [],
    mcastSrcIp: undefined,
    trackInterfaces: [],
    trackScripts: [],
    trackFiles: [],
    trackProcesses: [],
    useVmac: false,
    garpMasterDelay: undefined,
    strict: false,
    notify,
    syncGroup: memberOf.get(name),
    other,
  };

  for (const c of s.block) {
    const kw = word(c, 0);
    const arg = word(c, 1);
    switch (kw) {
      case 'interface':
        inst.interface = arg || undefined;
        break;
      case 'virtual_router_id': {
        const v = intArg(c, 1, 1, 255, ctx, 'virtual_router_id');
        if (v !== undefined) inst.vrid = v;
        break;
      }
      case 'state':
        stateConfigured = arg;
        if (arg !== 'MASTER' && arg !== 'BACKUP') ctx.errors.push(err(c, `${where}: unknown state '${arg}' — keepalived uses BACKUP`));
        break;
      case 'priority': {
        const v = intArg(c, 1, 1, 255, ctx, 'priority');
        if (v !== undefined) priorityConfigured = v;
        break;
      }
      case 'nopreempt':
        inst.nopreempt = true;
        break;
      case 'preempt':
        inst.nopreempt = false;
        break;
      case 'preempt_delay': {
        const v = numArg(c, 1, 0, 1000, ctx, 'preempt_delay');
        if (v !== undefined) inst.preemptDelay = v;
        break;
      }
      case 'advert_int': {
        const v = numArg(c, 1, 0.01, 255, ctx, 'advert_int');
        if (v !== undefined) advertIntConfigured = v;
        break;
      }
      case 'version':
        if (arg === '2' || arg === '3') versionConfigured = arg === '2' ? 2 : 3;
        else ctx.errors.push(err(c, `${where}: version must be 2 or 3, not '${arg}'`));
        break;
      case 'virtual_ipaddress':
      case 'virtual_ipaddress_excluded': {
        const list = kw === 'virtual_ipaddress' ? inst.virtualAddresses : inst.excludedAddresses;
        for (const line of blockLines(c, ctx, where)) {
          for (const v of parseVip(line, ctx, where)) list.push(v);
        }
        break;
      }
      case 'authentication':
        authAt = loc(c);
        for (const line of blockLines(c, ctx, where)) {
          const k = word(line, 0);
          if (k === 'auth_type') authType = word(line, 1).toUpperCase();
          else if (k === 'auth_pass') {
            authPass = word(line, 1);
            passAt = loc(line);
          }
          else ctx.unknown.push({ file: line.file, line: line.line, keyword: k, context: `${where} authentication` });
        }
        break;
      case 'unicast_src_ip':
        if (isIPv4(arg) || isIPv6(arg)) inst.unicastSrcIp = arg.toLowerCase();
        else ctx.errors.push(err(c, `${where}: unicast_src_ip '${arg}' is not an IP address`));
        break;
      case 'mcast_src_ip':
        if (isIPv4(arg) || isIPv6(arg)) inst.mcastSrcIp = arg.toLowerCase();
        else ctx.errors.push(err(c, `${where}: mcast_src_ip '${arg}' is not an IP address`));
        break;
      case 'unicast_peer':
        for (const line of blockLines(c, ctx, where)) {
          for (const p of parsePeers(line, ctx, where)) inst.unicastPeers.push(p);
        }
        break;
      case 'track_interface':
        for (const line of blockLines(c, ctx, where)) inst.trackInterfaces.push(trackRef(line, ctx, where));
        break;
      case 'track_script':
        for (const line of blockLines(c, ctx, where)) inst.trackScripts.push(trackRef(line, ctx, where));
        break;
      case 'track_file':
        for (const line of blockLines(c, ctx, where)) inst.trackFiles.push(trackRef(line, ctx, where));
        break;
      case 'track_process':
        for (const line of blockLines(c, ctx, where)) inst.trackProcesses.push(trackRef(line, ctx, where));
        break;
      case 'use_vmac':
        inst.useVmac = arg === '' ? true : arg;
        break;
      case 'garp_master_delay': {
        const v = numArg(c, 1, 0, 255, ctx, 'garp_master_delay');
        if (v !== undefined) inst.garpMasterDelay = v;
        break;
      }
      case 'strict_mode':
        strictMode = arg === '' || /^(on|true|yes|1)$/i.test(arg);
        break;
      default:
        if (kw.startsWith('notify')) setNotify(notify, kw, c);
        if (!INSTANCE_KNOWN.has(kw)) ctx.unknown.push({ file: c.file, line: c.line, keyword: kw, context: where });
        if (c.block === undefined) other[kw] = rest(c, 1);
    }
  }

  if (inst.interface === undefined) ctx.errors.push(err(s, `${where}: no interface`));
  if (inst.vrid === undefined) ctx.errors.push(err(s, `${where}: no virtual_router_id`));

  // family from the first VIP, as keepalived does; mixed families are rejected by keepalived
  const first = inst.virtualAddresses[0];
  inst.family = first?.family ?? (inst.unicastSrcIp !== undefined && isIPv6(inst.unicastSrcIp) ? 6 : 4);
  for (const v of inst.virtualAddresses) {
    if (v.family !== inst.family) ctx.errors.push({ ...v.at, message: `${where}: VIP ${v.address} is IPv${v.family} in an IPv${inst.family} instance — keepalived ignores it (use virtual_ipaddress_excluded)` });
  }
  inst.virtualAddresses = inst.virtualAddresses.filter((v) => v.family === inst.family);
  inst.strict = strictMode ?? globals.vrrpStrict;

  // version (vrrp_complete_instance)
  if (versionConfigured !== undefined) {
    inst.version = versionConfigured;
    inst.versionSource = 'instance';
    if (inst.family === 6 && versionConfigured === 2) {
      inst.version = 3;
      inst.versionSource = 'ipv6';
      ctx.errors.push(err(s, `${where}: IPv6 needs VRRP version 3 — keepalived uses 3`));
    }
  } else if (inst.family === 6) {
    inst.version = 3;
    inst.versionSource = 'ipv6';
  } else if (globals.vrrpVersionConfigured !== undefined) {
    inst.version = globals.vrrpVersion;
    inst.versionSource = 'global';
  }

  // priority and state
  inst.stateConfigured = stateConfigured;
  inst.priorityConfigured = priorityConfigured;
  inst.priority = priorityConfigured ?? (stateConfigured === 'MASTER' ? 255 : 100);
  inst.state = stateConfigured === 'MASTER' ? 'MASTER' : stateConfigured === 'BACKUP' ? 'BACKUP' : stateConfigured !== undefined ? 'BACKUP' : inst.priority === 255 ? 'MASTER' : 'BACKUP';

  // advert_int rounding
  inst.advertIntConfigured = advertIntConfigured;
  if (advertIntConfigured !== undefined) {
    if (inst.version === 2) {
      const r = Math.min(255, Math.max(1, Math.round(advertIntConfigured)));
      if (r !== advertIntConfigured) ctx.errors.push(err(s, `${where}: VRRPv2 advert_int ${advertIntConfigured} must be a whole number of seconds — keepalived uses ${r}`));
      inst.advertInt = r;
    } else {
      const cs = Math.min(4095, Math.max(1, Math.round(advertIntConfigured * 100)));
      inst.advertInt = cs / 100;
      if (Math.abs(inst.advertInt - advertIntConfigured) > 1e-9) ctx.errors.push(err(s, `${where}: VRRPv3 advert_int ${advertIntConfigured} rounded to ${inst.advertInt} s (centiseconds)`));
    }
  }

  // authentication
  if (authType !== undefined || authPass !== undefined) {
    const at = authAt ?? loc(s);
    let ignored: string | undefined;
    if (authType === undefined) ignored = 'auth_pass without auth_type';
    else if (authType !== 'PASS' && authType !== 'AH') ignored = `unknown auth_type ${authType}`;
    else if (inst.strict) ignored = 'strict mode does not support authentication';
    else if (inst.version === 3) ignored = 'VRRP version 3 does not support authentication';
    else if (authPass === undefined || authPass === '') ignored = 'authentication without a password';
    else if (inst.family === 6 && authType === 'AH') ignored = 'AH authentication cannot be used with IPv6';
    const pass = authPass === undefined ? undefined : authPass.slice(0, AUTH_PASS_MAX);
    if (authPass !== undefined && authPass.length > AUTH_PASS_MAX) {
      ctx.errors.push({ ...(passAt ?? at), message: `${where}: auth_pass longer than ${AUTH_PASS_MAX} characters — keepalived uses '${pass}'` });
    }
    if (ignored !== undefined) ctx.errors.push({ ...at, message: `${where}: authentication ignored by keepalived (${ignored})` });
    inst.auth = { type: authType ?? '', pass, passConfigured: authPass, ignored, at };
  }

  if (inst.unicastPeers.length > 0 && inst.strict) ctx.errors.push(err(s, `${where}: unicast peers are not allowed in strict mode`));
  return inst;
}

function blockLines(s: ConfStatement, ctx: Ctx, where: string): readonly ConfStatement[] {
  if (s.block === undefined) {
    ctx.errors.push(err(s, `${where}: ${word(s, 0)} needs a { … } block`));
    return [];
  }
  // `virtual_ipaddress { 1.2.3.4 }` on one line gives one statement; several addresses on one line
  // (`{ A B }` for names) are split by the caller when it wants words.
  return s.block;
}

function trackRef(s: ConfStatement, ctx: Ctx, where: string): TrackRef {
  const name = word(s, 0);
  let weight: number | undefined;
  let reverse = false;
  for (let i = 1; i < s.words.length; i++) {
    const w = word(s, i);
    if (w === 'weight') {
      const v = Number(word(s, i + 1));
      if (Number.isInteger(v) && v >= -254 && v <= 254) weight = v;
      else ctx.errors.push(err(s, `${where}: ${name}: weight '${word(s, i + 1)}' is not an integer in -254..254`));
      i++;
    } else if (w === 'reverse') reverse = true;
    else ctx.unknown.push({ file: s.file, line: s.line, keyword: w, context: `${where} track ${name}` });
  }
  return { name, weight, reverse, at: loc(s) };
}

/**
 * A unicast_peer line: `ADDR [min_ttl N] [max_ttl N]`. Like keepalived 2.2.7, one peer per line: a
 * second address on the same line is an error ("… is missing a value"), not a second peer.
 */
function parsePeers(s: ConfStatement, ctx: Ctx, where: string): UnicastPeer[] {
  const a = word(s, 0);
  if (!isIPv4(a) && !isIPv6(a)) {
    ctx.errors.push(err(s, `${where}: unicast_peer '${a}' is not an IP address`));
    return [];
  }
  let minTtl: number | undefined;
  let maxTtl: number | undefined;
  for (let i = 1; i < s.words.length; i += 2) {
    const k = word(s, i);
    const v = word(s, i + 1);
    if ((k === 'min_ttl' || k === 'max_ttl') && /^\d+$/.test(v) && Number(v) <= 255) {
      if (k === 'min_ttl') minTtl = Number(v);
      else maxTtl = Number(v);
    } else {
      ctx.errors.push(err(s, `${where}: unicast_peer ${a}: unexpected '${[k, v].join(' ').trim()}' (one peer per line: ADDR [min_ttl N] [max_ttl N])`));
      break;
    }
  }
  return [{ address: a.toLowerCase(), family: isIPv4(a) ? 4 : 6, minTtl, maxTtl, at: loc(s) }];
}

const VIP_VALUE_OPTIONS = new Set(['brd', 'broadcast', 'dev', 'scope', 'label', 'peer', 'track_group', 'preferred_lft', 'metric']);

/** One virtual_ipaddress line → its address (keepalived 2.2.7 rejects `a.b.c.d-e` ranges here: so do we). */
function parseVip(s: ConfStatement, ctx: Ctx, where: string): VirtualAddress[] {
  const first = word(s, 0);
  const slash = first.indexOf('/');
  const addr = slash >= 0 ? first.slice(0, slash) : first;
  const prefixText = slash >= 0 ? first.slice(slash + 1) : undefined;
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : 0;
  if (family === 0) {
    ctx.errors.push(err(s, `${where}: virtual address '${first}' is not an IP address — keepalived skips it`));
    return [];
  }
  const maxPrefix = family === 4 ? 32 : 128;
  let prefix = maxPrefix;
  if (prefixText !== undefined) {
    const p = Number(prefixText);
    if (prefixText === '' || !Number.isInteger(p) || p < 0 || p > maxPrefix) {
      ctx.errors.push(err(s, `${where}: bad prefix length in '${first}' — keepalived uses /${maxPrefix}`));
    } else prefix = p;
  }
  const options: Record<string, string> = {};
  for (let i = 1; i < s.words.length; i++) {
    const k = word(s, i);
    if (VIP_VALUE_OPTIONS.has(k)) {
      options[k === 'broadcast' ? 'brd' : k] = word(s, i + 1);
      i++;
    } else options[k] = '';
  }
  const text = s.words.map((w) => w.text).join(' ');
  const make = (a: string): VirtualAddress => ({
    address: family === 6 ? a.toLowerCase() : a,
    family,
    prefix,
    prefixGiven: prefixText !== undefined,
    dev: options['dev'],
    label: options['label'],
    scope: options['scope'],
    brd: options['brd'],
    peer: options['peer'],
    options,
    text,
    at: loc(s),
  });
  return [make(addr)];
}

// ------------------------------------------------------------------ helpers

function word(s: ConfStatement, i: number): string {
  return (s.words[i] as ConfWord | undefined)?.text ?? '';
}

function rest(s: ConfStatement, from: number): string {
  return s.words
    .slice(from)
    .map((w) => w.text)
    .join(' ');
}

function loc(s: ConfStatement): ConfLocation {
  return { file: s.file, line: s.line };
}

function err(s: ConfStatement, message: string): ConfError {
  return { file: s.file, line: s.line, message };
}

function intArg(s: ConfStatement, i: number, min: number, max: number, ctx: Ctx, what: string): number | undefined {
  const t = word(s, i);
  const v = Number(t);
  if (t === '' || !Number.isInteger(v) || v < min || v > max) {
    ctx.errors.push(err(s, `${what} '${t}' is not an integer in ${min}..${max} — ignored`));
    return undefined;
  }
  return v;
}

function numArg(s: ConfStatement, i: number, min: number, max: number, ctx: Ctx, what: string): number | undefined {
  const t = word(s, i);
  const v = Number(t);
  if (t === '' || !/^\d+(\.\d+)?$/.test(t) || v < min || v > max) {
    ctx.errors.push(err(s, `${what} '${t}' is not a number in ${min}..${max} — ignored`));
    return undefined;
  }
  return v;
}
