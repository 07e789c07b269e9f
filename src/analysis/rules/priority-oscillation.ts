// Cause: a router's priority keeps swinging between a few values — a track_script, track_file or
// tracked interface that flips — and with preemption each swing moves the virtual IPs. The network
// is fine; every change is "planned", only far too often.

import { FindingCode as C, Severity as S } from '../finding.js';
import type { Rule } from '../rule.js';
import { atLeast, maxInWindow, MIN, secs } from '../rule-context.js';

/** Priority changes within 10 minutes that make an oscillation (down and up, twice). */
export const OSCILLATION_CHANGES = 4;

export const priorityOscillation: Rule = {
  code: C.priorityOscillation,
  kind: 'cause',
  run(ctx) {
    const out = [];
    for (const v of ctx.vrids) {
      if (!ctx.single(v)) continue;
      for (const r of v.routers.values()) {
        const pc = r.priorityChanges;
        const per10 = maxInWindow(pc.map((c) => c.ts), 10n * MIN);
        if (per10 < OSCILLATION_CHANGES) continue;
        const values = [...new Set(pc.flatMap((c) => [c.from, c.to]))].sort((a, b) => a - b);
        if (values.length > 4) continue;
        const first = pc[0]!.ts;
        const last = pc[pc.length - 1]!.ts;
        const every = pc.length > 1 ? (last - first) / BigInt(pc.length - 1) : 0n;
        const moves = v.transitions.filter((t) => (t.to === r.address || t.from === r.address) && (t.reason === 'preemption' || t.reason === 'master-priority-dropped') && t.ts >= first - 60_000_000_000n);
        const per1 = maxInWindow(moves.map((t) => t.ts), MIN);
        // The kept master changes begin after the swings did: some of their moves were let go of.
        const movesCut = v.dropped.transitions > 0 && (v.transitions[0]?.ts ?? 0n) > first - 60_000_000_000n;
        out.push(
          ctx.finding(
            C.priorityOscillation,
            'cause',
            per1 >= 3 ? S.critical : S.warning,
            v,
            `${ctx.who(v, r.address)}'s priority on ${ctx.where(v)} swings between ${values.join(' and ')}: ${pc.length} changes in ${secs(last - first)} (about every ${secs(every)}) — a track_script, track_file or tracked interface keeps flipping${moves.length ? `, and with preemption each swing moves the virtual IPs (${atLeast(moves.length, movesCut ? 1 : 0)} master changes)` : ''}; the network is not the cause`,
            pc.slice(-8).map((c) => `${new Date(Number(c.ts / 1_000_000n)).toISOString().slice(11, 23)}: ${c.from} → ${c.to}`),
            [
              `On ${r.address}, find the tracked check in its vrrp_instance (track_script, track_file, track_interface; a weight of ${values[values.length - 1]! - values[0]!}) and why it flips.`,
              'Damp it: rise/fall counts in the vrrp_script block, or preempt_delay / nopreempt so a flapping check does not move the VIPs each time.',
            ],
            first,
            last,
          ),
        );
      }
    }
    return out;
  },
};
