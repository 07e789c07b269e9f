// How long the model's per-VRID, per-router and per-VIP lists may grow: each kind of list shares one
// budget across everything the model tracks. A capture of a few clusters keeps deep histories (up
// to Limits: 512 master changes per virtual router, for up to 8 of them); one of 255 VRIDs that
// fail over all day keeps fewer per VRID (16 master changes, 8 of each kind of episode), so the
// model's whole size — not each VRID's — is bounded, and the memory of a day-long run stops
// growing within hours. Counters (changes, adverts, gap histograms, delivery) are kept whole
// whatever the caps, and so is the count of what each list let go of (DroppedEntries).

import { Limits } from './model-types.js';

/** Entries of each kind of list across the whole model (no list holds more than its cap). */
export const Budgets = {
  /** Master intervals, and master changes (two lists per virtual router). */
  history: 4096,
  /** Split brains, silences, no-master stretches, on-time takeovers, GARP expectations and misses. */
  episodes: 2048,
  /** Role and priority changes, per router. */
  roles: 4096,
  /** GARP bursts and owner changes, per virtual IP. */
  announcements: 4096,
} as const;

/**
 * Never fewer than this many per list, however many things are tracked: more than any finding
 * shows as evidence (6–8 lines) or needs to decide (a crash loop is 3 deaths in 10 minutes).
 */
const FLOOR = { history: 16, episodes: 8, roles: 8, announcements: 8 } as const;

export class Caps {
  history: number = Limits.history;
  episodes: number = Limits.episodes;
  roles: number = Limits.roles;
  priorityChanges: number = Limits.priorityChanges;
  bursts: number = Limits.bursts;
  owners: number = Limits.owners;

  /** Shares the budgets among this many virtual routers, routers and virtual IPs. */
  resize(vrids: number, routers: number, vips: number): void {
    this.history = share(Budgets.history, vrids, FLOOR.history, Limits.history);
    this.episodes = share(Budgets.episodes, vrids, FLOOR.episodes, Limits.episodes);
    this.roles = share(Budgets.roles, routers, FLOOR.roles, Limits.roles);
    this.priorityChanges = share(Budgets.roles, routers, FLOOR.roles, Limits.priorityChanges);
    this.bursts = share(Budgets.announcements, vips, FLOOR.announcements, Limits.bursts);
    this.owners = share(Budgets.announcements, vips, FLOOR.announcements, Limits.owners);
  }
}

function share(budget: number, n: number, floor: number, max: number): number {
  return Math.max(floor, Math.min(max, Math.floor(budget / Math.max(1, n))));
}
