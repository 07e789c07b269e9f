// Walks one base chain for one packet, the way netfilter does: rules in order, jumps into user
// chains and back, goto, return, the policy at the end. Rules arrive already matched against the
// packet (yes / no / maybe); a rule that *may* match forks the walk, so the caller sees every verdict
// the packet could get, the most likely first (the path on which nothing uncertain matched).

import type { MatchResult } from './packet.js';

export type Action =
  | { readonly kind: 'accept' | 'drop' | 'reject' | 'return' | 'queue' }
  | { readonly kind: 'jump' | 'goto'; readonly target: string }
  /** No verdict: LOG, counter, MARK, nft `continue`… */
  | { readonly kind: 'none' }
  /** A target this module does not know: it may end the walk. */
  | { readonly kind: 'unknown'; readonly name: string };

export type CompiledRule = {
  readonly chain: string;
  /** 1-based position in its chain. */
  readonly number: number;
  readonly handle?: number;
  readonly text: string;
  readonly match: MatchResult;
  readonly action: Action;
  /** The rule names VRRP/AH explicitly (worth a reason when it does not apply). */
  readonly aboutVrrp: boolean;
};

export type CompiledChain = {
  readonly name: string;
  readonly rules: readonly CompiledRule[];
  /** Base chains only. */
  readonly policy?: 'accept' | 'drop';
  /** The policy as printed (`DROP`, `drop`). */
  readonly policyText?: string;
};

export type LeafVerdict = 'accept' | 'drop' | 'reject' | 'queue' | 'unknown';

export type Leaf = {
  readonly verdict: LeafVerdict;
  readonly chain: string;
  readonly rule?: CompiledRule;
  readonly policy?: string;
  /** What happened on the way, readable. */
  readonly path: readonly string[];
  /** The uncertain matches this path took as matching (empty on the primary path). */
  readonly assumed: readonly string[];
};

export type WalkResult = {
  /** Nothing uncertain assumed to match. */
  readonly primary: Leaf;
  /** Other verdicts reachable if uncertain rules do match. */
  readonly alternatives: readonly Leaf[];
  /** Uncertain matches passed on the primary path. */
  readonly doubts: readonly string[];
};

const MAX_DEPTH = 100;
const MAX_FORKS = 32;

type Frame = { readonly chain: string; readonly index: number };

export function walkChain(base: CompiledChain, chains: ReadonlyMap<string, CompiledChain>, label: (c: string) => string = (c) => c): WalkResult {
  let forks = 0;
  const doubts: string[] = [];
  const ref = (r: CompiledRule): string => `${label(r.chain)} rule ${r.number}${r.handle !== undefined ? ` (handle ${r.handle})` : ''} \`${r.text}\``;

  const run = (chainName: string, start: number, stack: readonly Frame[], path: string[], assumed: string[], depth: number): Leaf[] => {
    const chain = chains.get(chainName);
    if (!chain) return [{ verdict: 'unknown', chain: chainName, path: [...path, `chain ${label(chainName)} is jumped to but not in the ruleset`], assumed }];
    if (depth > MAX_DEPTH) return [{ verdict: 'unknown', chain: chainName, path: [...path, `more than ${MAX_DEPTH} jumps: a loop?`], assumed }];
    for (let i = start; i < chain.rules.length; i++) {
      const r = chain.rules[i]!;
      const a = r.action;
      if (r.match.tri === 'no') {
        if (r.aboutVrrp && (a.kind === 'accept' || a.kind === 'jump' || a.kind === 'goto')) path.push(`${ref(r)} would ${a.kind === 'accept' ? 'accept' : a.kind} VRRP, but not this advert: ${r.match.why ?? 'a match fails'}`);
        else if (r.match.ct && a.kind === 'accept') path.push(`${ref(r)} does not accept it: ${r.match.why ?? ''}`);
        continue;
      }
      if (a.kind === 'none') continue;
      const act = (p: string[], asm: string[]): Leaf[] | undefined => {
        switch (a.kind) {
          case 'accept':
          case 'drop':
          case 'reject':
          case 'queue':
            return [{ verdict: a.kind, chain: chainName, rule: r, path: p, assumed: asm }];
          case 'unknown':
            return [{ verdict: 'unknown', chain: chainName, rule: r, path: [...p, `${ref(r)}: target ${a.name} is not understood (it may end the walk)`], assumed: asm }];
          case 'jump':
            return run(a.target, 0, [...stack, { chain: chainName, index: i + 1 }], [...p, `${ref(r)} → jump to ${label(a.target)}`], asm, depth + 1);
          case 'goto':
            return run(a.target, 0, stack, [...p, `${ref(r)} → goto ${label(a.target)}`], asm, depth + 1);
          case 'return':
            return ret(stack, [...p, `${ref(r)} → return`], asm, depth);
        }
      };
      if (r.match.tri === 'yes') {
        if (a.kind === 'unknown') {
          // The unknown target probably does not decide (most are MARK/CT-like); follow both.
          const why = `${ref(r)}: target ${a.name} is not understood`;
          if (forks++ < MAX_FORKS) {
            const rest = run(chainName, i + 1, stack, [...path, `${why}; assumed to continue`], assumed, depth);
            return [...rest, ...(act([...path], [...assumed, why]) ?? [])];
          }
          doubts.push(why);
          path.push(`${why}; assumed to continue`);
          continue;
        }
        return act(path, assumed) ?? [];
      }
      // maybe
      const why = `${ref(r)} may match (${r.match.why ?? 'not understood'})`;
      if (assumed.length === 0) doubts.push(why);
      const notTaken = [...path, `${why}; assumed not to`];
      if (forks++ < MAX_FORKS) {
        const primary = run(chainName, i + 1, stack, notTaken, assumed, depth);
        const alt = act([...path, why], [...assumed, why]) ?? [];
        return [...primary, ...alt];
      }
      path.splice(0, path.length, ...notTaken);
    }
    // fell off the end of the chain
    return ret(stack, path, assumed, depth, chain);
  };

  const ret = (stack: readonly Frame[], path: string[], assumed: string[], depth: number, ended?: CompiledChain): Leaf[] => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      const policy = base.policy ?? 'accept';
      const text = base.policyText ?? policy;
      return [{ verdict: policy, chain: base.name, policy: text, path: [...path, `end of ${label(base.name)}: policy ${text}`], assumed }];
    }
    const p = ended ? [...path, `end of ${label(ended.name)}: back to ${label(top.chain)}`] : path;
    return run(top.chain, top.index, stack.slice(0, -1), p, assumed, depth + 1);
  };

  const leaves = run(base.name, 0, [], [], [], 0);
  const [primary, ...alternatives] = leaves;
  return { primary: primary!, alternatives, doubts };
}
