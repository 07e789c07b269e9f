// A finding rule: one module per finding code (src/analysis/rules/), ESLint-style. A rule reads the
// model's virtual routers, episodes and roles through the context and returns its findings; it never
// looks at raw packets or the wall clock. Cause rules run first, so a symptom rule can name the
// cause that explains it (ctx.causeFor).

import type { Finding, FindingCode, FindingKind } from './finding.js';
import type { RuleContext } from './rule-context.js';

export type Rule = {
  readonly code: FindingCode;
  readonly kind: FindingKind;
  run(ctx: RuleContext): Finding[];
};
