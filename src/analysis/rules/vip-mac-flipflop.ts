// Symptom: one virtual IP moved between MACs again and again — clients' traffic follows each move.
// It names the cause (a split brain's cause, or a foreign announcer).

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, fmtTime, ifaceOf, maxInWindow, MIN } from '../rule-context.js';
import { SPLIT_CAUSES } from './split-brain.js';
import { vridsOf } from './vip-conflict.js';

/** Owner changes of one virtual IP within 10 minutes that make a MAC flip-flop. */
export const FLIPFLOP_CHANGES = 4;

export const vipMacFlipflop: Rule = {
  code: C.vipMacFlipflop,
  kind: 'symptom',
  run(ctx) {
    const out = [];
    for (const vip of ctx.t.vips.values()) {
      const owners = vridsOf(ctx, vip);
      if (owners.length === 0) continue;
      const changes = vip.owners.slice(1).map((o) => o.ts);
      const macs = new Set(vip.owners.map((o) => o.mac));
      const worst = maxInWindow(changes, 10n * MIN);
      if (macs.size < 2 || worst < FLIPFLOP_CHANGES) continue;
      const v = owners[0]!;
      const cause = ctx.causeFor(v, [C.vipConflict, ...SPLIT_CAUSES, C.priorityOscillation, C.vridConflict, C.authMismatch, C.versionMismatch, C.intervalMismatch, C.vipMismatch]) ?? ctx.found.find((f) => f.kind === 'cause' && f.code === C.vipConflict && f.message.startsWith(`${vip.address} `));
      out.push(
        ctx.finding(
          C.vipMacFlipflop,
          'symptom',
          S.critical,
          v,
          `${vip.address} on ${ifaceOf(vip.segment)} moved between ${macs.size} MACs ${atLeast(changes.length, vip.ownersDropped)} times (${vip.ownersDropped > 0 ? 'of those kept, ' : ''}up to ${worst} in 10 min) — clients' traffic follows each move${cause ? ` — see ${cause.code}` : ''}`,
          vip.owners.slice(-8).map((o) => `${fmtTime(o.ts)}: ${vip.address} is-at ${o.mac}`),
          cause ? [`The cause: ${cause.message}`] : ['Two nodes keep claiming the address: see split-brain / flapping for the cause.'],
          vip.owners[1]!.ts,
          vip.owners[vip.owners.length - 1]!.ts,
          cause?.code,
        ),
      );
    }
    return out;
  },
};
