// `nft -j list ruleset`: parse the JSON, match each rule's expressions against the advert, and list
// the base chains an incoming packet passes: netdev/inet ingress, then prerouting, then input, each
// ordered by priority. Every one of them must accept the packet: an accept ends only its own chain,
// a drop anywhere is final.

import { type AdvertPacket, type CtState, type MatchResult, YES, familyOf, ifaceMatches, inPrefix, inRange, maybe, no, protoNumber, tri } from './packet.js';
import type { Action, CompiledChain, CompiledRule } from './walk.js';
import { ruleQuote } from './rule-quote.js';

type J = unknown;
type Obj = Record<string, J>;
const isObj = (x: J): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

export type NftRule = { readonly family: string; readonly table: string; readonly chain: string; readonly handle?: number; readonly expr: readonly J[] };
export type NftChain = {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  readonly handle?: number;
  readonly type?: string;
  readonly hook?: string;
  readonly prio?: number;
  readonly policy?: string;
  readonly dev?: readonly string[];
  readonly rules: NftRule[];
};
export type NftSet = { readonly family: string; readonly table: string; readonly name: string; readonly elem?: readonly J[]; readonly map?: J };
export type NftRuleset = {
  /** `family table` → its chains by name. */
  readonly tables: ReadonlyMap<string, ReadonlyMap<string, NftChain>>;
  readonly sets: ReadonlyMap<string, NftSet>;
  readonly problems: readonly string[];
};

const PRIO_NAMES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100, out: 100 };

function prioOf(p: J): number | undefined {
  if (typeof p === 'number') return p;
  if (typeof p === 'string') {
    const m = /^(\w+)\s*(?:([+-])\s*(\d+))?$/.exec(p.trim());
    const base = m ? PRIO_NAMES[m[1]!] ?? (/^-?\d+$/.test(m[1]!) ? Number(m[1]) : undefined) : undefined;
    if (base === undefined) return undefined;
    return base + (m?.[2] ? (m[2] === '-' ? -1 : 1) * Number(m[3]) : 0);
  }
  return undefined;
}

export const tableKey = (family: string, table: string): string => `${family} ${table}`;

export function parseNftJson(text: string): NftRuleset {
  const problems: string[] = [];
  const tables = new Map<string, Map<string, NftChain>>();
  const sets = new Map<string, NftSet>();
  let doc: J;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`nft JSON: ${(e as Error).message}`);
  }
  const items = isObj(doc) && Array.isArray(doc['nftables']) ? (doc['nftables'] as J[]) : undefined;
  if (!items) throw new Error('nft JSON: no "nftables" array (expected the output of `nft -j list ruleset`)');
  const pending: NftRule[] = [];
  for (const it of items) {
    if (!isObj(it)) continue;
    const t = it['table'];
    const c = it['chain'];
    const r = it['rule'];
    const s = it['set'] ?? it['map'];
    if (isObj(t)) {
      const k = tableKey(String(t['family']), String(t['name']));
      if (!tables.has(k)) tables.set(k, new Map());
    } else if (isObj(c)) {
      const k = tableKey(String(c['family']), String(c['table']));
      const m = tables.get(k) ?? new Map<string, NftChain>();
      tables.set(k, m);
      const dev = c['dev'] ?? c['devices'];
      const prio = prioOf(c['prio']);
      if (c['hook'] !== undefined && prio === undefined) problems.push(`chain ${k} ${String(c['name'])}: priority ${JSON.stringify(c['prio'])} not understood`);
      m.set(String(c['name']), {
        family: String(c['family']),
        table: String(c['table']),
        name: String(c['name']),
        ...(typeof c['handle'] === 'number' ? { handle: c['handle'] } : {}),
        ...(typeof c['type'] === 'string' ? { type: c['type'] } : {}),
        ...(typeof c['hook'] === 'string' ? { hook: c['hook'] } : {}),
        ...(prio !== undefined ? { prio } : {}),
        ...(typeof c['policy'] === 'string' ? { policy: c['policy'] } : {}),
        ...(typeof dev === 'string' ? { dev: [dev] } : Array.isArray(dev) ? { dev: dev.map(String) } : {}),
        rules: [],
      });
    } else if (isObj(r)) {
      pending.push({
        family: String(r['family']),
        table: String(r['table']),
        chain: String(r['chain']),
        ...(typeof r['handle'] === 'number' ? { handle: r['handle'] } : {}),
        expr: Array.isArray(r['expr']) ? (r['expr'] as J[]) : [],
      });
    } else if (isObj(s)) {
      const k = `${String(s['family'])} ${String(s['table'])} ${String(s['name'])}`;
      sets.set(k, {
        family: String(s['family']),
        table: String(s['table']),
        name: String(s['name']),
        ...(Array.isArray(s['elem']) ? { elem: s['elem'] as J[] } : {}),
        ...(s['map'] !== undefined ? { map: s['map'] } : {}),
      });
    }
  }
  for (const r of pending) {
    const chain = tables.get(tableKey(r.family, r.table))?.get(r.chain);
    if (!chain) {
      problems.push(`rule in ${r.family} ${r.table} ${r.chain}, a chain the JSON does not list`);
      continue;
    }
    chain.rules.push(r);
  }
  return { tables, sets, problems };
}

// ---- matching ----

type Val =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'str'; readonly v: string; readonly wildcard?: boolean }
  | { readonly k: 'addr'; readonly v: string }
  | { readonly k: 'ct'; readonly v: ReadonlySet<CtState> }
  | { readonly k: 'bool'; readonly v: boolean }
  /** The expression cannot apply to the packet (`tcp dport` on VRRP, `ip saddr` on IPv6): the rule fails whatever the operator. */
  | { readonly k: 'absent'; readonly why: string }
  | { readonly k: 'unknown'; readonly why: string };

export type NftContext = { readonly pkt: AdvertPacket; readonly family: string; readonly table: string; readonly sets: ReadonlyMap<string, NftSet>; readonly notes: string[] };

function leftValue(e: J, c: NftContext): Val {
  const p = c.pkt;
  if (!isObj(e)) return { k: 'unknown', why: `expression ${JSON.stringify(e)}` };
  const meta = e['meta'];
  if (isObj(meta)) {
    const key = String(meta['key']);
    switch (key) {
      case 'l4proto':
        return { k: 'num', v: p.proto };
      case 'protocol':
        return { k: 'str', v: p.family === 4 ? 'ip' : 'ip6' };
      case 'nfproto':
        return { k: 'str', v: p.family === 4 ? 'ipv4' : 'ipv6' };
      case 'iifname':
        return { k: 'str', v: p.iface, wildcard: true };
      case 'iif':
        return { k: 'str', v: p.iface };
      case 'oifname':
      case 'oif':
        return { k: 'str', v: '' };
      case 'pkttype':
        return { k: 'str', v: p.multicast ? 'multicast' : 'host' };
    }
    return { k: 'unknown', why: `meta ${key}` };
  }
  const payload = e['payload'];
  if (isObj(payload)) {
    const proto = payload['protocol'];
    const field = String(payload['field']);
    if (proto === undefined) return { k: 'unknown', why: `raw payload ${JSON.stringify(payload)}` };
    if (proto === 'ip' || proto === 'ip6') {
      if ((proto === 'ip') !== (p.family === 4)) return { k: 'absent', why: `${proto} ${field} applies to IPv${proto === 'ip' ? 4 : 6} only` };
      switch (field) {
        case 'protocol':
        case 'nexthdr':
          return { k: 'num', v: p.proto };
        case 'saddr':
          return { k: 'addr', v: p.src };
        case 'daddr':
          return { k: 'addr', v: p.dst };
        case 'ttl':
        case 'hoplimit':
          return { k: 'num', v: 255 };
        case 'version':
          return { k: 'num', v: p.family };
      }
      return { k: 'unknown', why: `${proto} ${field}` };
    }
    if (['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmpv6', 'igmp', 'esp', 'comp', 'gre'].includes(String(proto))) return { k: 'absent', why: `${String(proto)} ${field}: not VRRP` };
    if (proto === 'ah') return p.protoName === 'ah' ? { k: 'unknown', why: `ah ${field}` } : { k: 'absent', why: `ah ${field}: not AH` };
    if (proto === 'arp') return { k: 'absent', why: 'arp: not ARP' };
    return { k: 'unknown', why: `${String(proto)} ${field}` };
  }
  const ct = e['ct'];
  if (isObj(ct)) {
    const key = String(ct['key']);
    switch (key) {
      case 'state':
        return { k: 'ct', v: p.ctStates };
      case 'direction':
        return p.ctStates.has('untracked') ? { k: 'absent', why: 'ct direction: untracked' } : { k: 'str', v: 'original' };
      case 'l3proto':
        return { k: 'str', v: p.family === 4 ? 'ipv4' : 'ipv6' };
      case 'protocol':
        return { k: 'num', v: p.proto };
    }
    return { k: 'unknown', why: `ct ${key}` };
  }
  const fib = e['fib'];
  if (isObj(fib)) {
    const flags = Array.isArray(fib['flags']) ? (fib['flags'] as J[]).map(String) : [];
    const result = String(fib['result']);
    if (result === 'type' && flags.includes('daddr')) return { k: 'str', v: p.multicast ? 'multicast' : 'local' };
    if (result === 'type' && flags.includes('saddr')) return { k: 'str', v: 'unicast' };
    if ((result === 'oif' || result === 'oifname') && flags.includes('saddr') && flags.includes('iif')) {
      c.notes.push(`reverse-path check \`fib saddr . iif ${result}\` assumed to find ${p.src} reachable through ${p.iface} (the peer is on the link)`);
      return { k: 'bool', v: true };
    }
    return { k: 'unknown', why: `fib ${flags.join(' . ')} ${result}` };
  }
  if (isObj(e['concat'])) return { k: 'unknown', why: 'concatenation' };
  if (Array.isArray(e['concat'])) return { k: 'unknown', why: 'concatenation' };
  return { k: 'unknown', why: `expression ${Object.keys(e)[0] ?? '?'}` };
}

const CT_ALL: readonly CtState[] = ['new', 'established', 'related', 'invalid', 'untracked'];

/** Does the value equal / lie in one element? */
function elemMatch(v: Val, el: J, c: NftContext): MatchResult {
  if (isObj(el) && isObj(el['elem'])) return elemMatch(v, (el['elem'] as Obj)['val'], c);
  switch (v.k) {
    case 'num': {
      if (typeof el === 'number') return tri(el === v.v, `${v.v} ≠ ${el}`);
      if (typeof el === 'string') {
        const n = protoNumber(el);
        return n === undefined ? maybe(`value "${el}" not understood`) : tri(n === v.v, `${el} is not ${v.v === 112 ? 'vrrp' : v.v}`);
      }
      if (isObj(el) && Array.isArray(el['range'])) {
        const [lo, hi] = (el['range'] as J[]).map((x) => (typeof x === 'number' ? x : protoNumber(String(x))));
        if (lo === undefined || hi === undefined) return maybe('range not understood');
        return tri(v.v >= lo && v.v <= hi, `${v.v} not in ${lo}-${hi}`);
      }
      break;
    }
    case 'str':
      if (typeof el === 'string') return tri(v.wildcard ? ifaceMatches(el, v.v, '*') : el === v.v, `"${v.v}" is not "${el}"`);
      if (typeof el === 'number') return maybe(`interface index ${el}`);
      break;
    case 'bool':
      if (typeof el === 'boolean') return tri(el === v.v, `${v.v ? 'present' : 'missing'}`);
      break;
    case 'addr': {
      if (typeof el === 'string') {
        const r = inPrefix(v.v, el);
        return r === undefined ? (familyOf(el) === undefined ? maybe(`address "${el}" not understood`) : no(`${v.v} ≠ ${el}`)) : tri(r, `${v.v} ≠ ${el}`);
      }
      if (isObj(el) && isObj(el['prefix'])) {
        const pf = el['prefix'] as Obj;
        const spec = `${String(pf['addr'])}/${String(pf['len'])}`;
        const r = inPrefix(v.v, spec);
        return r === undefined ? maybe(`prefix ${spec}`) : tri(r, `${v.v} not in ${spec}`);
      }
      if (isObj(el) && Array.isArray(el['range'])) {
        const [lo, hi] = (el['range'] as J[]).map(String);
        const r = inRange(v.v, lo ?? '', hi ?? '');
        return r === undefined ? maybe('range not understood') : tri(r, `${v.v} not in ${lo}-${hi}`);
      }
      break;
    }
    case 'ct':
      break;
  }
  return maybe(`element ${JSON.stringify(el)} not understood`);
}

/** Elements of a set reference (`@name`), an anonymous set, a list, or a single value. */
function elements(right: J, c: NftContext): { els: readonly J[] } | { why: string } {
  if (typeof right === 'string' && right.startsWith('@')) {
    const s = c.sets.get(`${c.family} ${c.table} ${right.slice(1)}`);
    if (!s) return { why: `set ${right} is not in the JSON` };
    return { els: s.elem ?? [] };
  }
  if (isObj(right) && Array.isArray(right['set'])) return { els: right['set'] as J[] };
  if (Array.isArray(right)) return { els: right };
  return { els: [right] };
}

function anyOf(v: Val, els: readonly J[], c: NftContext): MatchResult {
  let unsure: MatchResult | undefined;
  let lastNo: MatchResult | undefined;
  for (const el of els) {
    const r = elemMatch(v, el, c);
    if (r.tri === 'yes') return YES;
    if (r.tri === 'maybe') unsure ??= r;
    else lastNo = r;
  }
  return unsure ?? (els.length === 1 && lastNo ? lastNo : no(`not in { ${els.map((e) => valText(e)).join(', ')} }`));
}

function matchExpr(m: Obj, c: NftContext): MatchResult {
  const op = String(m['op'] ?? '==');
  const v = leftValue(m['left'], c);
  const what = `${exprText(m['left'])} ${op === '==' || op === 'in' ? '' : `${op} `}${valText(m['right'])}`.replace(/\s+/g, ' ');
  if (v.k === 'absent') return no(`${what}: ${v.why}`);
  if (v.k === 'unknown') return maybe(`${what}: ${v.why} not understood`);
  if (v.k === 'ct') {
    const e = elements(m['right'], c);
    if ('why' in e) return maybe(e.why);
    const listed = e.els.map((x) => String(x).toLowerCase());
    if (listed.some((s) => !CT_ALL.includes(s as CtState))) return maybe(`${what}: state not understood`);
    const hits = [...v.v].filter((s) => listed.includes(s)).length;
    const inIt: MatchResult = hits === v.v.size ? YES : { ...(hits === 0 ? no(`${what}: ${c.pkt.ctWhy}`) : maybe(`${what}: ${c.pkt.ctWhy}`)), ct: true };
    if (op === '!=') return inIt.tri === 'maybe' ? inIt : inIt.tri === 'yes' ? { ...no(`${what}: ${c.pkt.ctWhy}`), ct: true } : YES;
    return inIt;
  }
  if (op === '==' || op === 'in' || op === '!=') {
    const e = elements(m['right'], c);
    if ('why' in e) return maybe(`${what}: ${e.why}`);
    const r = anyOf(v, e.els, c);
    if (op !== '!=') return r.tri === 'no' ? no(`${what}: ${r.why ?? ''}`) : r;
    return r.tri === 'maybe' ? r : r.tri === 'yes' ? no(`${what} excludes it`) : YES;
  }
  if (v.k === 'num' && typeof m['right'] === 'number') {
    const rv = m['right'];
    const ok = op === '<' ? v.v < rv : op === '>' ? v.v > rv : op === '<=' ? v.v <= rv : op === '>=' ? v.v >= rv : undefined;
    if (ok !== undefined) return tri(ok, `${what}: ${v.v}`);
  }
  return maybe(`${what}: operator ${op} not understood`);
}

function verdictAction(e: Obj): Action | undefined {
  if ('accept' in e) return { kind: 'accept' };
  if ('drop' in e) return { kind: 'drop' };
  if ('reject' in e) return { kind: 'reject' };
  if ('return' in e) return { kind: 'return' };
  if ('continue' in e) return { kind: 'none' };
  if ('queue' in e) return { kind: 'queue' };
  const j = e['jump'];
  if (isObj(j)) return { kind: 'jump', target: String(j['target']) };
  const g = e['goto'];
  if (isObj(g)) return { kind: 'goto', target: String(g['target']) };
  return undefined;
}

/** Statements that neither match nor decide. */
const NO_EFFECT = new Set(['counter', 'log', 'mangle', 'notrack', 'set', 'map', 'meter', 'ct helper', 'ct timeout', 'ct expectation', 'secmark', 'flow', 'dup', 'synproxy', 'ct count', 'last', 'xt-comment']);

export type NftParsed = { match: MatchResult; action: Action; aboutVrrp: boolean; notrack: boolean };

/** Matches one rule's expressions against the packet: the combined match, and the verdict it ends in. */
export function matchNftRule(exprs: readonly J[], c: NftContext): NftParsed {
  let match: MatchResult = YES;
  let aboutVrrp = false;
  let notrack = false;
  const and = (r: MatchResult): void => {
    if (match.tri === 'no') return;
    if (r.tri === 'no') match = r;
    else if (r.tri === 'maybe' && match.tri === 'yes') match = r;
  };
  for (const e of exprs) {
    if (!isObj(e)) continue;
    const key = Object.keys(e)[0] ?? '';
    const m = e['match'];
    if (isObj(m)) {
      const r = matchExpr(m, c);
      const lv = leftValue(m['left'], c);
      if (lv.k === 'num' && lv.v === c.pkt.proto && r.tri === 'yes' && m['op'] !== '!=') aboutVrrp = true;
      and(r);
      continue;
    }
    const act = verdictAction(e);
    if (act) return { match, action: act, aboutVrrp, notrack };
    const vmap = e['vmap'];
    if (isObj(vmap)) {
      const v = leftValue(vmap['key'], c);
      if (v.k === 'absent') return { match: no(`vmap on ${exprText(vmap['key'])}: ${v.why}`), action: { kind: 'none' }, aboutVrrp, notrack };
      const data = vmap['data'];
      const pairs = elements(data, c);
      if (v.k === 'unknown' || 'why' in pairs) {
        and(maybe(`vmap on ${exprText(vmap['key'])} not understood`));
        return { match, action: { kind: 'unknown', name: 'vmap' }, aboutVrrp, notrack };
      }
      for (const pair of pairs.els) {
        const [k, verdict] = Array.isArray(pair) ? pair : isObj(pair) && isObj(pair['elem']) ? [] : [];
        if (k === undefined || !isObj(verdict)) continue;
        const r = v.k === 'ct' ? matchExpr({ op: '==', left: vmap['key'], right: k }, c) : elemMatch(v, k, c);
        if (r.tri === 'no') continue;
        const a = verdictAction(verdict) ?? { kind: 'unknown' as const, name: JSON.stringify(verdict) };
        if (v.k === 'num' && v.v === c.pkt.proto && r.tri === 'yes') aboutVrrp = true;
        and(r);
        return { match, action: a, aboutVrrp, notrack };
      }
      return { match: no(`vmap: ${valText(v.k === 'num' ? v.v : v.k === 'str' || v.k === 'addr' ? v.v : '')} is not a key`), action: { kind: 'none' }, aboutVrrp, notrack };
    }
    if (key === 'notrack') {
      notrack = true;
      continue;
    }
    if (key === 'xt') {
      const x = e['xt'] as Obj;
      const name = String(x['name']);
      if (x['type'] === 'match') {
        if (name === 'comment') continue;
        and(maybe(`iptables-nft compat match "${name}" (its options are not in nft's JSON; give iptables-save output to judge it)`));
        continue;
      }
      if (x['type'] === 'target') {
        if (name === 'REJECT') return { match, action: { kind: 'reject' }, aboutVrrp, notrack };
        if (['LOG', 'NFLOG', 'MARK', 'CONNMARK', 'TRACE', 'AUDIT', 'SET', 'TCPMSS', 'CLASSIFY', 'NOTRACK', 'CT'].includes(name)) {
          if (name === 'NOTRACK') notrack = true;
          if (name === 'CT') and(maybe('iptables-nft CT target: --notrack or not is not in the JSON'));
          continue;
        }
        return { match, action: { kind: 'unknown', name: `xt target ${name}` }, aboutVrrp, notrack };
      }
      and(maybe(`xt ${name}`));
      continue;
    }
    if (key === 'limit' || key === 'quota') {
      and(maybe(`${key} ${JSON.stringify(e[key])}: depends on the rate`));
      continue;
    }
    if (NO_EFFECT.has(key) || key === 'ct') continue;
    if (['snat', 'dnat', 'masquerade', 'redirect', 'tproxy', 'fwd'].includes(key)) return { match, action: { kind: 'unknown', name: key }, aboutVrrp, notrack };
    and(maybe(`statement "${key}" not understood`));
  }
  return { match, action: { kind: 'none' }, aboutVrrp, notrack };
}

// ---- printing rules back (for reasons and `ruleText`) ----

export function valText(v: J): string {
  if (typeof v === 'string') return /^[\w.:/@*-]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(valText).join(',');
  if (isObj(v)) {
    if (Array.isArray(v['set'])) return `{ ${(v['set'] as J[]).map((x) => (Array.isArray(x) ? `${valText(x[0])} : ${valText(x[1])}` : valText(x))).join(', ')} }`;
    if (isObj(v['prefix'])) return `${String((v['prefix'] as Obj)['addr'])}/${String((v['prefix'] as Obj)['len'])}`;
    if (Array.isArray(v['range'])) return (v['range'] as J[]).map(valText).join('-');
    if (isObj(v['elem'])) return valText((v['elem'] as Obj)['val']);
    if (Array.isArray(v['concat'])) return (v['concat'] as J[]).map(valText).join(' . ');
    const act = verdictAction(v);
    if (act) return act.kind === 'jump' || act.kind === 'goto' ? `${act.kind} ${act.target}` : act.kind === 'none' ? 'continue' : act.kind;
    return exprText(v);
  }
  return String(v);
}

export function exprText(e: J): string {
  if (!isObj(e)) return valText(e);
  const key = Object.keys(e)[0] ?? '';
  const b = e[key];
  const o = isObj(b) ? b : {};
  switch (key) {
    case 'meta':
      return ['l4proto', 'nfproto', 'protocol', 'mark', 'length', 'priority'].includes(String(o['key'])) ? `meta ${String(o['key'])}` : String(o['key']);
    case 'payload':
      return o['protocol'] !== undefined ? `${String(o['protocol'])} ${String(o['field'])}` : `@${String(o['base'])},${String(o['offset'])},${String(o['len'])}`;
    case 'ct':
      return `ct ${String(o['key'])}`;
    case 'fib':
      return `fib ${(Array.isArray(o['flags']) ? (o['flags'] as J[]).map(String) : []).join(' . ')} ${String(o['result'])}`;
    case 'concat':
      return (Array.isArray(b) ? b : []).map(exprText).join(' . ');
    case 'match': {
      const op = String(o['op']);
      return `${exprText(o['left'])} ${op === '==' || op === 'in' ? '' : `${op} `}${valText(o['right'])}`;
    }
    case 'vmap':
      return `${exprText(o['key'])} vmap ${valText(o['data'])}`;
    case 'counter':
      return 'counter';
    case 'log':
      return o['prefix'] !== undefined ? `log prefix ${JSON.stringify(o['prefix'])}` : 'log';
    case 'reject':
      return o['type'] ? `reject with ${String(o['type'])} ${String(o['expr'])}`.replace(' undefined', '') : 'reject';
    case 'jump':
    case 'goto':
      return `${key} ${String(o['target'])}`;
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
    case 'notrack':
      return key;
    case 'xt':
      return `xt ${String(o['type'])} ${String(o['name'])}`;
  }
  return `${key} ${JSON.stringify(b)}`;
}

export const ruleText = (exprs: readonly J[]): string => exprs.map(exprText).join(' ').replace(/\s+/g, ' ').trim();

// ---- chains for the packet ----

export type NftBaseChain = {
  readonly family: string;
  readonly table: string;
  readonly chain: CompiledChain;
  readonly chains: ReadonlyMap<string, CompiledChain>;
  readonly handles: ReadonlyMap<string, number | undefined>;
  readonly hook: string;
  readonly prio: number;
  readonly type?: string;
  readonly notes: readonly string[];
};

const HOOK_ORDER: Record<string, number> = { ingress: 0, prerouting: 1, input: 2 };

/** Base chains an incoming advert passes, in order, compiled for the packet. Tables in `skip` (keys `family table`) are left out. */
export function nftInputChains(rs: NftRuleset, pkt: AdvertPacket, skip: ReadonlySet<string> = new Set()): NftBaseChain[] {
  const families = pkt.family === 4 ? ['ip', 'inet', 'netdev'] : ['ip6', 'inet', 'netdev'];
  const out: NftBaseChain[] = [];
  for (const [key, chains] of rs.tables) {
    const [family = '', table = ''] = key.split(' ');
    if (!families.includes(family) || skip.has(key)) continue;
    const bases = [...chains.values()].filter((c) => c.hook !== undefined && c.hook in HOOK_ORDER && (c.hook !== 'ingress' || c.dev === undefined || c.dev.includes(pkt.iface)));
    if (bases.length === 0) continue;
    const notes: string[] = [];
    const ctx: NftContext = { pkt, family, table, sets: rs.sets, notes };
    const compiled = new Map<string, CompiledChain>();
    const handles = new Map<string, number | undefined>();
    for (const c of chains.values()) {
      const rules: CompiledRule[] = c.rules.map((r, i) => {
        const p = matchNftRule(r.expr, ctx);
        return { chain: c.name, number: i + 1, ...(r.handle !== undefined ? { handle: r.handle } : {}), text: ruleQuote(ruleText(r.expr)), match: p.match, action: p.action, aboutVrrp: p.aboutVrrp };
      });
      handles.set(c.name, c.handle);
      const pol = c.policy === 'drop' ? 'drop' : 'accept';
      compiled.set(c.name, { name: c.name, rules, ...(c.hook !== undefined ? { policy: pol, policyText: c.policy ?? 'accept' } : {}) });
    }
    for (const b of bases) {
      if (b.hook === 'ingress' && b.dev === undefined) notes.push(`ingress chain ${family} ${table} ${b.name}: its device is not in the JSON; assumed to be ${pkt.iface}`);
      out.push({ family, table, chain: compiled.get(b.name)!, chains: compiled, handles, hook: b.hook!, prio: b.prio ?? 0, ...(b.type !== undefined ? { type: b.type } : {}), notes });
    }
  }
  return out.sort((a, b) => (HOOK_ORDER[a.hook] ?? 9) - (HOOK_ORDER[b.hook] ?? 9) || a.prio - b.prio);
}

/** Does an nft `notrack` in a prerouting chain before conntrack (priority < -200) apply to the advert? */
export function nftNotrack(rs: NftRuleset, pkt: AdvertPacket, skip: ReadonlySet<string> = new Set()): { tri: 'yes' | 'no' | 'maybe'; rule?: string } {
  let res: { tri: 'yes' | 'no' | 'maybe'; rule?: string } = { tri: 'no' };
  const families = pkt.family === 4 ? ['ip', 'inet'] : ['ip6', 'inet'];
  for (const [key, chains] of rs.tables) {
    const [family = '', table = ''] = key.split(' ');
    if (!families.includes(family) || skip.has(key)) continue;
    for (const c of chains.values()) {
      if (c.hook !== 'prerouting' || (c.prio ?? 0) >= -200) continue;
      const ctx: NftContext = { pkt, family, table, sets: rs.sets, notes: [] };
      for (const r of c.rules) {
        const p = matchNftRule(r.expr, ctx);
        if (!p.notrack || p.match.tri === 'no') continue;
        if (p.match.tri === 'yes') return { tri: 'yes', rule: `${family} ${table} ${c.name}: ${ruleText(r.expr)}` };
        res = { tri: 'maybe', rule: `${family} ${table} ${c.name}: ${ruleText(r.expr)}` };
      }
    }
  }
  return res;
}
