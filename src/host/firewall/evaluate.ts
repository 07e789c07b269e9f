// The firewall verdict: is a VRRP advert from S to D, arriving on interface I, accepted on input?
// Asked of each ruleset given (iptables-save or ip6tables-save by address family, and nft's JSON),
// then of all together: every hook sees the packet, so it is accepted only if every tool accepts it.

import { iptInputChains, iptNotrack, parseIptablesSave, type IptDump } from './iptables.js';
import { nftInputChains, nftNotrack, parseNftJson, tableKey, type NftRuleset } from './nftables.js';
import { type AdvertPacket, makePacket } from './packet.js';
import type { DecidedBy, FirewallEvaluation, FirewallManager, FirewallRulesets, FirewallTool, FirewallVerdict, FixCommands, Verdict, VrrpInputQuery } from './types.js';
import { type CompiledChain, type Leaf, type LeafVerdict, type WalkResult, walkChain } from './walk.js';

/** One base chain walked: where it sits, and what it did to the packet. */
type ChainRun = {
  readonly tool: FirewallTool;
  /** `filter` (iptables) or `inet filter` (nftables). */
  readonly table: string;
  readonly family?: string;
  readonly tableName: string;
  readonly hook: string;
  readonly prio: number;
  readonly chains: ReadonlyMap<string, CompiledChain>;
  readonly result: WalkResult;
};

const EMPTY_FIX: FixCommands = { iptables: '', nftables: '', firewalld: '', ufw: '' };

/** Evaluates every ruleset given. Throws only when the query itself is malformed (not an address). */
export function evaluateVrrpInput(rulesets: FirewallRulesets, query: VrrpInputQuery): FirewallEvaluation {
  const pkt = makePacket(query);
  const iptText = pkt.family === 4 ? rulesets.iptablesSave : rulesets.ip6tablesSave;
  const iptTool: FirewallTool = pkt.family === 4 ? 'iptables' : 'ip6tables';
  const perTool: FirewallVerdict[] = [];
  const iptRaw = iptText !== undefined ? parseIptablesSave(iptText) : undefined;
  let nft: NftRuleset | undefined;
  let nftError: string | undefined;
  if (rulesets.nftJson !== undefined) {
    try {
      nft = parseNftJson(rulesets.nftJson);
    } catch (e) {
      nftError = (e as Error).message;
    }
  }

  // Tables iptables-nft could not show are nft's to judge; without nft's JSON they are a doubt.
  const hidden = [...(iptRaw?.incompatible ?? [])];
  const ipt = iptRaw && hidden.length > 0 && nft ? { ...iptRaw, tables: new Map([...iptRaw.tables].filter(([t]) => !hidden.includes(t))) } : iptRaw;
  // iptables-nft keeps its tables inside nftables (family ip / ip6, the xtables table names):
  // nft's JSON then shows the same rules again, some only as opaque `xt` matches. Judge those
  // tables once, from iptables-save, and leave them out of the nft walk.
  const skip = new Set<string>();
  const skipNote: string[] = [];
  if (ipt && nft && ipt.backend !== 'legacy') {
    const fam = pkt.family === 4 ? 'ip' : 'ip6';
    for (const t of ipt.tables.keys()) {
      // A table iptables-save could not show holds native nft chains: judge it from nft's JSON.
      if (ipt.incompatible?.has(t)) continue;
      if (nft.tables.has(tableKey(fam, t))) {
        skip.add(tableKey(fam, t));
        skipNote.push(`${fam} ${t}`);
      }
    }
  }

  // Conntrack state: a NOTRACK in raw PREROUTING (either tool) makes the advert UNTRACKED.
  const nt = [ipt ? iptNotrack(ipt, pkt) : undefined, nft ? nftNotrack(nft, pkt, skip) : undefined].filter((x) => x !== undefined);
  const yes = nt.find((x) => x.tri === 'yes');
  const mb = nt.find((x) => x.tri === 'maybe');
  if (yes) {
    pkt.ctStates = new Set(['untracked']);
    pkt.ctWhy = `the advert is UNTRACKED: \`${yes.rule ?? ''}\` exempts it from conntrack`;
  } else if (mb) {
    pkt.ctStates = new Set([...pkt.ctStates, 'untracked']);
    pkt.ctWhy = `${pkt.ctWhy}; or UNTRACKED if \`${mb.rule ?? ''}\` applies`;
  }

  const manager = detectManager(ipt, nft, iptTool);
  if (ipt) {
    const runs: ChainRun[] = iptInputChains(ipt, pkt).map((b) => ({
      tool: iptTool,
      table: b.table,
      tableName: b.table,
      hook: b.hook,
      prio: b.prio,
      chains: b.chains,
      result: walkChain(b.chain, b.chains, (c) => (b.table === 'filter' ? c : `${b.table} ${c}`)),
    }));
    const doubts = [...ipt.problems];
    const notes: string[] = [];
    if (hidden.length > 0 && !nft) doubts.push(`iptables-save could not show table(s) ${hidden.join(', ')} (native nft chains): give \`nft -j list ruleset\` output too`);
    else if (hidden.length > 0) notes.push(`table(s) ${hidden.join(', ')} hold native nft chains that iptables-save cannot show: judged in the nftables verdict`);
    if (ipt.backend === 'legacy' && nft === undefined) doubts.push('iptables-legacy: nftables rules (if any) are not given and may drop too');
    if (ipt.backend === 'nf_tables' && nft && skipNote.length) notes.push(`iptables-nft backend: its tables (${skipNote.join(', ')}) are judged here, from iptables-save, and left out of the nftables verdict`);
    perTool.push(verdictOf(iptTool, runs, pkt, manager, doubts, notes, ipt.tables.size === 0, ipt));
  }
  if (nftError !== undefined) {
    perTool.push(unknownVerdict('nftables', pkt, manager, [`nft JSON not readable: ${nftError}`]));
  } else if (nft) {
    const bases = nftInputChains(nft, pkt, skip);
    const notes = [...new Set(bases.flatMap((b) => b.notes))];
    if (skipNote.length) notes.push(`tables ${skipNote.join(', ')} belong to iptables-nft and are judged in the ${iptTool} verdict, not here`);
    const runs: ChainRun[] = bases.map((b) => ({
      tool: 'nftables',
      table: `${b.family} ${b.table}`,
      family: b.family,
      tableName: b.table,
      hook: b.hook,
      prio: b.prio,
      chains: b.chains,
      result: walkChain(b.chain, b.chains, (c) => `${b.family} ${b.table} ${c}`),
    }));
    for (const b of bases) if (b.type === 'nat') notes.push(`${b.family} ${b.table} ${b.chain.name} is a nat chain: it sees only the first packet of each conntrack flow`);
    perTool.push(verdictOf('nftables', runs, pkt, manager, [...nft.problems], notes, nft.tables.size === 0));
  }
  return { perTool, overall: combine(perTool, pkt, manager) };
}

function managerOfTool(tool: FirewallTool): FirewallManager {
  return tool;
}

/** firewalld and ufw leave their fingerprints in chain and table names. */
export function detectManager(ipt: IptDump | undefined, nft: NftRuleset | undefined, tool: FirewallTool): FirewallManager | undefined {
  const names: string[] = [];
  if (ipt) for (const t of ipt.tables.values()) names.push(...t.chains.keys());
  if (nft) {
    for (const [k, chains] of nft.tables) {
      if (/ firewalld$/.test(k)) return 'firewalld';
      names.push(...chains.keys());
    }
  }
  if (names.some((n) => /^(filter_)?INPUT_ZONES$|^INPUT_direct$|^(filter_)?IN_[A-Za-z0-9_-]+$/.test(n))) return 'firewalld';
  if (names.some((n) => /^ufw6?-/.test(n))) return 'ufw';
  void tool;
  return undefined;
}

/** The firewalld zone that the interface's traffic goes to (from INPUT_ZONES / filter_INPUT_ZONES). */
function zoneOf(runs: readonly ChainRun[]): string | undefined {
  for (const r of runs) {
    for (const c of r.chains.values()) {
      if (!/^(filter_)?INPUT_ZONES$/.test(c.name)) continue;
      for (const rule of c.rules) {
        if (rule.match.tri !== 'yes') continue;
        const a = rule.action;
        if (a.kind === 'jump' || a.kind === 'goto') {
          const m = /^(?:filter_)?IN_(.+)$/.exec(a.target);
          if (m) return m[1];
        }
      }
    }
  }
  return undefined;
}

const label = (r: ChainRun, chain: string): string => (r.tool === 'nftables' ? `${r.table} ${chain}` : r.table === 'filter' ? chain : `${r.table} ${chain}`);

function decidedByOf(run: ChainRun, leaf: Leaf): DecidedBy {
  return {
    tool: run.tool,
    table: run.table,
    chain: leaf.chain,
    ...(leaf.rule ? (run.tool === 'nftables' ? { ...(leaf.rule.handle !== undefined ? { handle: leaf.rule.handle } : {}), ruleNumber: leaf.rule.number } : { ruleNumber: leaf.rule.number }) : {}),
    ...(leaf.rule ? { ruleText: leaf.rule.text } : {}),
    ...(leaf.policy !== undefined ? { policy: leaf.policy } : {}),
  };
}

const toVerdict = (v: LeafVerdict): Verdict => (v === 'queue' ? 'unknown' : v);

/** Verdicts the packet could get from the chains in order (a chain's drop ends everything, its accept passes on). */
function possibleVerdicts(runs: readonly ChainRun[]): Set<Verdict> {
  const out = new Set<Verdict>();
  for (const r of runs) {
    const vs = new Set([r.result.primary, ...r.result.alternatives].map((l) => toVerdict(l.verdict)));
    for (const v of vs) if (v !== 'accept') out.add(v);
    if (!vs.has('accept')) return out;
  }
  out.add('accept');
  return out;
}

function describe(pkt: AdvertPacket): string {
  return `${pkt.protoName === 'ah' ? 'AH-authenticated VRRP (protocol 51)' : 'VRRP (protocol 112)'} from ${pkt.src} to ${pkt.dst} on ${pkt.iface}`;
}

function verdictOf(tool: FirewallTool, runs: readonly ChainRun[], pkt: AdvertPacket, manager: FirewallManager | undefined, doubts: string[], notes: readonly string[], empty: boolean, ipt?: IptDump): FirewallVerdict {
  const managedBy = manager ?? managerOfTool(tool);
  const zone = zoneOf(runs);
  const reasons: string[] = [];
  if (runs.length === 0) {
    return {
      verdict: 'accept',
      decidedBy: { tool, table: '', chain: '' },
      confidence: doubts.length ? 'uncertain' : 'certain',
      reasons: [`${describe(pkt)}: accepted — ${empty ? 'the ruleset is empty' : `no ${tool} chain on the input path`}, nothing filters it`, ...notes, ...doubts.map((d) => `uncertain: ${d}`)],
      fix: doubts.length ? fixFor(tool, [], pkt, managedBy, zone, ipt) : EMPTY_FIX,
      managedBy,
      ...(zone ? { zone } : {}),
    };
  }
  const deciding = runs.find((r) => r.result.primary.verdict !== 'accept');
  const acceptRun = runs.find((r) => r.hook === 'input' && r.result.primary.rule !== undefined) ?? runs.find((r) => r.hook === 'input') ?? runs[0]!;
  const run = deciding ?? acceptRun;
  const leaf = run.result.primary;
  const verdict = toVerdict(leaf.verdict);
  const where = leaf.rule ? `${label(run, leaf.chain)} rule ${leaf.rule.number}${leaf.rule.handle !== undefined ? ` (handle ${leaf.rule.handle})` : ''} \`${leaf.rule.text}\`` : `the policy ${leaf.policy ?? ''} of ${label(run, leaf.chain)}`;
  const verb = verdict === 'accept' ? 'accepted' : verdict === 'drop' ? 'dropped' : verdict === 'reject' ? 'rejected' : leaf.verdict === 'queue' ? 'queued to a userspace program, which decides' : 'not decidable';
  reasons.push(`${describe(pkt)}: ${verb} by ${where}`);
  // The path through each chain up to the deciding one.
  for (const r of runs) {
    const p = r.result.primary;
    const trail = p.path.filter((s) => !s.startsWith('end of ') || r === run);
    if (r !== run && trail.length === 0) reasons.push(`${label(r, r.result.primary.chain)} (${r.hook}, priority ${r.prio}): ${p.verdict === 'accept' ? 'accepts' : p.verdict}`);
    else reasons.push(...trail);
    if (r === deciding) break;
  }
  if (verdict !== 'accept' && runs.some((r) => r !== run && r.result.primary.verdict === 'accept' && r.result.primary.rule && runs.indexOf(r) < runs.indexOf(run))) {
    reasons.push('an accept in an earlier chain ends only that chain: every chain on the hook must accept the packet');
  }
  if (leaf.verdict === 'queue') reasons.push('NFQUEUE hands the packet to a userspace program: its verdict is not in the ruleset');
  reasons.push(...notes);
  // Confidence: every verdict the uncertain matches could lead to.
  const possible = possibleVerdicts(deciding ? runs.slice(0, runs.indexOf(deciding) + 1) : runs);
  const allDoubts = [...doubts];
  for (const r of runs) allDoubts.push(...r.result.doubts);
  for (const r of runs) {
    for (const alt of r.result.alternatives) {
      if (toVerdict(alt.verdict) !== verdict) reasons.push(`uncertain: if ${alt.assumed.join(' and ')}, the verdict would be ${alt.verdict}${alt.rule ? ` by ${label(r, alt.chain)} rule ${alt.rule.number}` : alt.policy ? ` by the policy of ${label(r, alt.chain)}` : ''}`);
    }
  }
  const certain = possible.size === 1 && possible.has(verdict) && doubts.length === 0 && verdict !== 'unknown';
  if (!certain) for (const d of allDoubts) reasons.push(`not understood: ${d}`);
  if (managedBy === 'firewalld' || managedBy === 'ufw') reasons.push(`the rules are managed by ${managedBy}${zone ? ` (${pkt.iface} is in zone ${zone})` : ''}: use the ${managedBy} fix, direct ${tool} changes are lost at its next reload`);
  const dropping = runs.filter((r) => r.result.primary.verdict !== 'accept');
  const fix = verdict === 'accept' && certain ? EMPTY_FIX : fixFor(tool, dropping.map((r) => ({ run: r, leaf: r.result.primary })), pkt, managedBy, zone, ipt);
  return { verdict, decidedBy: decidedByOf(run, leaf), confidence: certain ? 'certain' : 'uncertain', reasons, fix, managedBy, ...(zone ? { zone } : {}) };
}

function unknownVerdict(tool: FirewallTool, pkt: AdvertPacket, manager: FirewallManager | undefined, reasons: string[]): FirewallVerdict {
  const managedBy = manager ?? tool;
  return { verdict: 'unknown', decidedBy: { tool, table: '', chain: '' }, confidence: 'uncertain', reasons: [`${describe(pkt)}: cannot tell`, ...reasons], fix: fixFor(tool, [], pkt, managedBy, undefined), managedBy };
}

/** Commands that accept the advert before each rule or policy that drops it. */
function fixFor(tool: FirewallTool, drops: readonly { run: ChainRun; leaf: Leaf }[], pkt: AdvertPacket, managedBy: FirewallManager, zone: string | undefined, ipt?: IptDump): FixCommands {
  const proto = pkt.protoName;
  // Pasted into a shell: a name that is not a plain interface name (from a broken or hostile
  // configuration) becomes `<interface>`, which the shell refuses to run as it is.
  const iface = /^[A-Za-z0-9._@+-]{1,15}$/.test(pkt.iface) && !pkt.iface.startsWith('-') ? pkt.iface : '<interface>';
  const v6 = pkt.family === 6;
  const iptCmd = v6 ? 'ip6tables' : 'iptables';
  const iptLines: string[] = [];
  const nftLines: string[] = [];
  const nftRule = `iifname ${iface === '<interface>' ? iface : `"${iface}"`} meta l4proto ${proto} accept`;
  for (const { run, leaf } of drops) {
    if (run.tool === 'nftables') {
      const fam = run.family ?? 'inet';
      nftLines.push(leaf.rule?.handle !== undefined ? `nft insert rule ${fam} ${run.tableName} ${leaf.chain} position ${leaf.rule.handle} ${nftRule}` : `nft add rule ${fam} ${run.tableName} ${leaf.chain} ${nftRule}`);
    } else {
      const t = run.tableName === 'filter' ? '' : ` -t ${run.tableName}`;
      iptLines.push(leaf.rule ? `${iptCmd}${t} -I ${leaf.chain} ${leaf.rule.number} -i ${iface} -p ${proto} -j ACCEPT` : `${iptCmd}${t} -I ${leaf.chain} -i ${iface} -p ${proto} -j ACCEPT`);
      // iptables-nft: the same chain is an nft chain in table ip/ip6 <table>.
      if (ipt?.backend === 'nf_tables') nftLines.push(`nft insert rule ${v6 ? 'ip6' : 'ip'} ${run.tableName} ${leaf.chain} ${nftRule}`);
    }
  }
  if (iptLines.length === 0) iptLines.push(`${iptCmd} -I INPUT -i ${iface} -p ${proto} -j ACCEPT`);
  if (nftLines.length === 0) nftLines.push(`nft insert rule inet filter input ${nftRule}`);
  void tool;
  void managedBy;
  const ufwFile = v6 ? '/etc/ufw/before6.rules' : '/etc/ufw/before.rules';
  const ufwChain = v6 ? 'ufw6-before-input' : 'ufw-before-input';
  return {
    iptables: iptLines.join('\n'),
    nftables: nftLines.join('\n'),
    firewalld: `firewall-cmd --permanent${zone ? ` --zone=${zone}` : ''} --add-rich-rule='rule${v6 ? ' family="ipv6"' : ''} protocol value="${proto}" accept' && firewall-cmd --reload`,
    ufw: [
      `# ${ufwFile}, in the *filter section before its COMMIT (older ufw refuses \`ufw allow in on ${iface} proto ${proto}\`):`,
      `-A ${ufwChain} -i ${iface} -p ${proto} -j ACCEPT`,
      '# then: ufw reload',
    ].join('\n'),
  };
}

/** All tools together: the first drop/reject decides; accepted only when every tool accepts. */
function combine(perTool: readonly FirewallVerdict[], pkt: AdvertPacket, manager: FirewallManager | undefined): FirewallVerdict {
  if (perTool.length === 0) {
    return {
      verdict: 'unknown',
      decidedBy: { tool: pkt.family === 4 ? 'iptables' : 'ip6tables', table: '', chain: '' },
      confidence: 'uncertain',
      reasons: [`${describe(pkt)}: no ruleset for IPv${pkt.family} given (iptables-save${pkt.family === 6 ? ' → ip6tables-save' : ''}, nft -j list ruleset)`],
      fix: fixFor(pkt.family === 4 ? 'iptables' : 'ip6tables', [], pkt, manager ?? 'iptables', undefined),
      managedBy: manager ?? (pkt.family === 4 ? 'iptables' : 'ip6tables'),
    };
  }
  if (perTool.length === 1) return perTool[0]!;
  const blocking = perTool.find((v) => v.verdict === 'drop' || v.verdict === 'reject') ?? perTool.find((v) => v.verdict === 'unknown');
  const main = blocking ?? perTool[0]!;
  const uncertain = perTool.some((v) => v.confidence === 'uncertain');
  const nftV = perTool.find((v) => v.decidedBy.tool === 'nftables');
  const iptV = perTool.find((v) => v.decidedBy.tool !== 'nftables');
  const fix: FixCommands =
    main.verdict === 'accept' && !uncertain
      ? EMPTY_FIX
      : {
          ...main.fix,
          ...(iptV && iptV.verdict !== 'accept' ? { iptables: iptV.fix.iptables } : {}),
          ...(nftV && nftV.verdict !== 'accept' ? { nftables: nftV.fix.nftables } : {}),
        };
  return {
    ...main,
    confidence: uncertain ? 'uncertain' : main.confidence,
    reasons: perTool.flatMap((v) => v.reasons.map((r) => `[${v.decidedBy.tool}] ${r}`)),
    fix,
  };
}
