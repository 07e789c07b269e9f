// From the timeline to findings: the list of rules (src/analysis/rules/, one module per finding
// code). Causes run first, so each symptom can name the cause that explains it; the result lists
// causes before symptoms before info. No rule looks at the wall clock.

import type { Timeline } from '../model/timeline.js';
import { sortFindings, type Finding } from './finding.js';
import type { Rule } from './rule.js';
import type { NodeClocks } from './node-clocks.js';
import { RuleContext } from './rule-context.js';
import { advertLoss } from './rules/advert-loss.js';
import { advertsLate } from './rules/adverts-late.js';
import { badChecksum } from './rules/bad-checksum.js';
import { badTtl } from './rules/bad-ttl.js';
import { checkFirewall } from './rules/check-firewall.js';
import { flapping } from './rules/flapping.js';
import { garpMissing } from './rules/garp-missing.js';
import { malformed } from './rules/malformed.js';
import { masterChange } from './rules/master-change.js';
import { masterGone } from './rules/master-gone.js';
import { masterSilent } from './rules/master-silent.js';
import { masterStalled } from './rules/master-stalled.js';
import { authMismatch, intervalMismatch, versionMismatch, vipMismatch } from './rules/mismatch.js';
import { noMaster } from './rules/no-master.js';
import { oneWayVrrp } from './rules/one-way-vrrp.js';
import { priorityChange } from './rules/priority-change.js';
import { priorityOscillation } from './rules/priority-oscillation.js';
import { priorityZero } from './rules/priority-zero.js';
import { splitBrain } from './rules/split-brain.js';
import { vipConflict } from './rules/vip-conflict.js';
import { vipMacFlipflop } from './rules/vip-mac-flipflop.js';
import { vridConflict } from './rules/vrid-conflict.js';

export { ifaceOf, fmtTime } from './rule-context.js';
export { flapTimes, FLAP_CRIT_PER_MIN, FLAP_WARN_PER_10MIN } from './rules/flapping.js';
export { FLIPFLOP_CHANGES } from './rules/vip-mac-flipflop.js';
export { LATE_NOTE } from './rules/adverts-late.js';

/** In order: the rules a later one may name as its cause come first. */
export const rules: readonly Rule[] = [
  vridConflict,
  versionMismatch,
  authMismatch,
  intervalMismatch,
  vipMismatch,
  vipConflict,
  advertLoss,
  checkFirewall,
  oneWayVrrp,
  priorityOscillation,
  masterGone,
  masterStalled,
  advertsLate,
  garpMissing,
  badTtl,
  badChecksum,
  splitBrain,
  flapping,
  masterSilent,
  noMaster,
  vipMacFlipflop,
  masterChange,
  priorityZero,
  priorityChange,
  malformed,
];

/**
 * Findings from the wire; `extra` (host correlation) joins as causes the symptoms may name;
 * `clocks` says which node each segment comes from and how well its clock is known.
 */
export function analyze(t: Timeline, extra: readonly Finding[] = [], clocks?: NodeClocks): Finding[] {
  const ctx = new RuleContext(t, clocks);
  ctx.found.push(...extra);
  for (const rule of rules) ctx.found.push(...rule.run(ctx));
  return sortFindings(ctx.found.slice(extra.length));
}
