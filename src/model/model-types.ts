// The timeline's state, as the analysis and the views read it. A VridState is one *virtual router*:
// the routers on one segment + VRID + address family that accept each other's adverts. Routers that
// would reject each other (RFC 3768 §7.1 / RFC 5798 §7.1 and keepalived's own receive checks: version,
// authentication, VRRPv2 interval, the virtual address list) are partitions of their own, with their
// own master history, on the same VRID.

import type { IpHeader, Vrrp } from '../decode/packet.js';
import type { GapList } from './gap-list.js';

export type Family = 4 | 6;

export const ChangeReason = {
  firstSeen: 'first-seen',
  takeoverAfterSilence: 'takeover-after-silence',
  takeoverWhileAdvertising: 'takeover-while-master-advertising',
  preemption: 'preemption',
  priorityDrop: 'master-priority-dropped',
  released: 'priority-zero-release',
  yielded: 'yield',
  resumed: 'previous-master-resumed',
  masterSilent: 'master-silent',
} as const;
export type ChangeReason = (typeof ChangeReason)[keyof typeof ChangeReason];

/** Changes an operator planned (or the protocol meant): never a warning on their own. */
export const PLANNED_REASONS: ReadonlySet<ChangeReason> = new Set([ChangeReason.firstSeen, ChangeReason.preemption, ChangeReason.priorityDrop, ChangeReason.released]);

export type Transition = {
  readonly ts: bigint;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly reason: ChangeReason;
  /** The evidence for the reason, in plain words ("priority 150 > 100", "after 3.7 s of silence"). */
  readonly evidence: string;
};

export type MasterInterval = {
  readonly start: bigint;
  end: bigint | undefined;
  readonly master: string | undefined;
  readonly reason: ChangeReason;
};

export type PriorityChange = { readonly ts: bigint; readonly from: number; readonly to: number };

/**
 * A router's role as the wire shows it: master (advertising), backup (quiet after a better master
 * appeared or after yielding), resigned (sent priority 0), gone (silent past master-down without
 * resigning: a crash, kill -9, a stall or loss).
 */
export type Role = 'master' | 'backup' | 'resigned' | 'gone';
export type RoleChange = { readonly ts: bigint; readonly role: Role };

/** A router's adverts as this capture point received them, against what its interval implies. */
export type Delivery = {
  /** Adverts received while it claimed mastership. */
  received: number;
  /** Adverts its interval implies between received ones that never arrived (gaps within a claim). */
  missing: number;
  /** Gaps of two or more intervals within a claim. */
  lossGaps: number;
  /** Of those, gaps past master-down (a loss burst, or a stall: told apart by how many short ones there are). */
  longGaps: number;
};

export type RouterState = {
  readonly address: string;
  macs: string[];
  priority: number;
  readonly priorityChanges: PriorityChange[];
  /** Priority changes let go of to keep `priorityChanges` within its cap. */
  priorityChangesDropped: number;
  intervalCs: number;
  version: number;
  authType: number | undefined;
  authText: string | undefined;
  vips: readonly string[];
  ttl: number;
  badTtl: number;
  badChecksum: number;
  checksumVariant: string | undefined;
  unicast: boolean;
  dst: string;
  virtualMac: boolean;
  /** Seen sending (pcapng/SLL direction out, or a live local address): this host. */
  local: boolean;
  readonly firstSeen: bigint;
  /** Its last advert's time: read from that advert (lastAdvertAt), which makes it only when asked. */
  readonly lastAdvert: bigint;
  lastAdvertAt: { readonly ts: bigint };
  lastGarp: bigint | undefined;
  /** lastAdvert and lastGarp on the model's number clock (ns after its epoch; -Infinity: none). */
  lastAdvertN: number;
  lastGarpN: number;
  adverts: number;
  /** Start of the current claim to mastership (adverts or GARPs without a gap past master-down). */
  spellStart: bigint | undefined;
  /** Its last advert had priority 0. */
  released: boolean;
  /**
   * The newest Limits.recentAdverts advert times on the model's number clock, a ring written at
   * recentCount % its length (one slot per advert, nothing moved or allocated): for working out
   * when a contender stopped.
   */
  readonly recentN: Float64Array;
  /** Adverts written to recentN so far. */
  recentCount: number;
  /** The MAC of its last advert (most adverts repeat it: `macs` is then not looked at). */
  lastMac: string | undefined;
  /** A silence of its may still be open (the reducer's own: its adverts look for one only then). */
  silenceOpen: boolean;
  /** It was the master right after its previous advert (its next gap is a master gap). */
  masterAtLast: boolean;
  /** It claimed mastership right after its previous advert (its next gap counts for delivery). */
  claimAtLast: boolean;
  role: Role;
  readonly roles: RoleChange[];
  readonly delivery: Delivery;
  /**
   * The reducer's own: the decoded records of its last advert. The decoder shares the records of
   * adverts that repeat one byte for byte (decode/advert-cache.ts), so the same objects mean the same
   * settings, and the per-advert work skips them.
   */
  seen: Vrrp | undefined;
  seenIp: IpHeader | undefined;
  /** Master-down and interval of its current settings: bigint, and as numbers for arithmetic that allocates nothing. */
  downNs: bigint;
  downN: number;
  intervalN: number;
};

export type Gap = { readonly ts: bigint; readonly gapNs: bigint; readonly router: string; readonly downNs: bigint; readonly intervalNs: bigint };

/** How a split brain ended: who stopped claiming, why, and who is left. */
export type SplitOutcome = {
  readonly ts: bigint;
  /** yield: the loser heard a better master and went quiet; resigned: priority 0; gone: it fell silent although it was the better one. */
  readonly kind: 'yield' | 'resigned' | 'gone';
  readonly loser: string;
  readonly winner: string | undefined;
  /** Why the loser yielded, in plain words ("priority 100 < 110", "equal priority 100, lower address"). */
  readonly why: string;
};

export type Episode = {
  readonly start: bigint;
  end: bigint | undefined;
  readonly routers: string[];
  /** Adverts each router sent during the episode. */
  readonly adverts: Record<string, number>;
  /** Of those, adverts sent within 50 ms after another claimant's: answers ("forcing new election"), so it hears that one. */
  readonly replies: Record<string, number>;
  outcome: SplitOutcome | undefined;
};

/** A claiming router's silence past master-down: when it stopped, when (if) it came back, who took over. */
export type Silence = {
  readonly router: string;
  readonly start: bigint;
  end: bigint | undefined;
  readonly downNs: bigint;
  gapNs: bigint | undefined;
  /** It was the master when it fell silent. */
  readonly wasMaster: boolean;
  /** Another router took over during the silence. */
  takenOverBy: string | undefined;
  /** It sent a gratuitous ARP/NA within a second of coming back (a restarted daemon announces; a resumed one need not). */
  garpOnReturn: boolean;
};

export type OnTimeTakeover = { readonly ts: bigint; readonly by: string; readonly from: string; readonly ageNs: bigint; readonly intervalNs: bigint };

/** `sinceN`: `since` on the model's number clock (the grace check runs on every advert while one is pending). */
export type GarpExpectation = { readonly router: string; readonly since: bigint; readonly sinceN: number; readonly missing: Set<string> };

export type GarpMissing = { readonly router: string; readonly since: bigint; readonly vips: string[] };

/** What decides whether routers accept each other's adverts. */
export type Signature = {
  readonly version: number;
  readonly authType: number | undefined;
  readonly authText: string | undefined;
  /** VRRPv2 only (v3 backups adopt the master's interval, RFC 5798 §6.4.2). */
  readonly intervalCs: number | undefined;
  /** Virtual addresses, sorted. */
  readonly vips: readonly string[];
};

/** Partitions of one VRID: one virtual router, two clusters (conflict), or one cluster that cannot hear itself (mismatch). */
export type Relation = 'single' | 'conflict' | 'mismatch';

export type VridState = {
  /** Unique per virtual router: `segment|vrid|family|part`. */
  readonly key: string;
  /** Shared by the partitions of one VRID: `segment|vrid|family`. */
  readonly groupKey: string;
  readonly segment: string;
  readonly vrid: number;
  readonly family: Family;
  /** Partition number on this VRID, 0 for the first seen. */
  readonly part: number;
  readonly signature: Signature;
  /** What tells this partition from the others on its VRID ("v3", "auth \"b\"", "VIPs …"); '' when it is the only one. */
  label: string;
  readonly routers: Map<string, RouterState>;
  master: string | undefined;
  readonly history: MasterInterval[];
  readonly transitions: Transition[];
  /** Master changes in all (`transitions` keeps only the newest). */
  changes: number;
  /** The newest master gaps (Limits.gaps, trimmed at twice that), oldest first. */
  readonly gaps: readonly Gap[];
  /** Where `gaps` is kept (typed arrays, no object per gap); the reducer appends here. */
  readonly gapList: GapList;
  /** Gap histogram: counts by gap / interval, bins per GAP_BINS. */
  readonly gapHistogram: number[];
  maxGapNs: bigint;
  lateGaps: number;
  overDownGaps: number;
  adverts: number;
  readonly splitBrains: Episode[];
  openSplit: Episode | undefined;
  readonly silences: Silence[];
  readonly noMaster: NoMaster[];
  readonly onTimeTakeovers: OnTimeTakeover[];
  /** When the oldest pending announcement's grace ends, on the number clock (Infinity: none pending). */
  garpDue: number;
  /** The newest no-master stretch is still open (the reducer's own: spares a look on every advert). */
  noMasterOpen: boolean;
  readonly garpPending: GarpExpectation[];
  readonly garpMissing: GarpMissing[];
  readonly firstSeen: bigint;
  /** Its newest advert's time, read from that advert (lastSeenAt) only when asked. */
  readonly lastSeen: bigint;
  lastSeenAt: { readonly ts: bigint };
  /** Routers beyond the per-VRID cap are counted, not kept (a fuzzer must not grow memory). */
  droppedRouters: number;
  /** What the lists above let go of to stay within their caps (caps.ts). */
  readonly dropped: DroppedEntries;
  /**
   * No claim can run out before this time on the model's number clock (a lower bound on every
   * claimant's last claim + master-down), so expiry scans the routers only once it has passed;
   * -Infinity: scan, Infinity: nobody claims.
   */
  expiryAt: number;
  /** maxGapNs as a number (compared on every master advert without bigint arithmetic). */
  maxGapN: number;
};

/**
 * Entries a virtual router's lists let go of, oldest first, to stay within their caps: the lists
 * that findings count (no-master and garp-missing report each stretch, not how many). A finding
 * that counts a list says "at least" once the list has dropped any: the list is then the newest
 * part of the story, not all of it.
 */
export type DroppedEntries = {
  history: number;
  transitions: number;
  splitBrains: number;
  silences: number;
  onTimeTakeovers: number;
};

/** A stretch with no router claiming mastership. */
export type NoMaster = { readonly router: string; readonly start: bigint; end: bigint | undefined; readonly downNs: bigint };

export type GarpBurst = { readonly mac: string; readonly start: bigint; end: bigint; count: number; readonly kind: 'garp' | 'na' | 'arp-reply' };

export type OwnerChange = { readonly ts: bigint; readonly mac: string };

/** An announcement of a virtual IP by one MAC (first and last time, how many, by which means). */
export type Announcer = { readonly mac: string; readonly first: bigint; last: bigint; count: number; readonly kind: 'garp' | 'na' | 'arp-reply' };

export type VipState = {
  readonly segment: string;
  readonly family: Family;
  readonly address: string;
  readonly bursts: GarpBurst[];
  readonly owners: OwnerChange[];
  /** Owner changes let go of to keep `owners` within its cap. */
  ownersDropped: number;
  /** Every MAC that announced this address (bounded). */
  readonly announcers: Announcer[];
  owner: string | undefined;
  garps: number;
};

/**
 * Upper bounds on what the model keeps, so memory is set by the model, not by the input (a day-long
 * capture, a flood of spoofed adverts). Lists keep their newest `limit` items (pushBounded; the
 * gap list is trimmed at twice its limit, in preallocated typed arrays); counters (adverts, gap
 * histogram, delivery) are kept whole. The per-VRID, per-router and per-VIP list limits are maxima:
 * caps.ts shares one budget per kind of list among everything tracked. docs/performance.md says
 * what each costs.
 */
export const Limits = {
  /** Routers per virtual router (partition); more are counted, not kept. */
  routersPerVrid: 32,
  /** Routers in the whole model. */
  routers: 1024,
  partitionsPerVrid: 8,
  /** Virtual routers (partitions) in the whole model. */
  vrids: 1024,
  vips: 4096,
  /** Master intervals and transitions per virtual router. */
  history: 512,
  /** Master gaps per virtual router (the newest; the histogram and maxima count them all). */
  gaps: 128,
  episodes: 128,
  bursts: 256,
  owners: 256,
  announcers: 16,
  roles: 64,
  /** Priority changes per router. */
  priorityChanges: 64,
  recentAdverts: 16,
} as const;

/** Gap histogram bins, as multiples of the advertised interval: upper bounds (last bin open). */
export const GAP_BINS = [0.5, 0.9, 1.1, 1.5, 2, 3] as const;
