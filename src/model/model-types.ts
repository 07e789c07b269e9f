// The timeline's state, as the analysis and the views read it. Everything is keyed by segment +
// VRID + address family; a router is its source address on that segment.

export type Family = 4 | 6;

export const ChangeReason = {
  firstSeen: 'first-seen',
  takeoverAfterSilence: 'takeover-after-silence',
  takeoverWhileAdvertising: 'takeover-while-master-advertising',
  preemption: 'preemption',
  priorityDrop: 'master-priority-dropped',
  released: 'priority-zero-release',
  resumed: 'previous-master-resumed',
  masterSilent: 'master-silent',
} as const;
export type ChangeReason = (typeof ChangeReason)[keyof typeof ChangeReason];

export type Transition = {
  readonly ts: bigint;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly reason: ChangeReason;
};

export type MasterInterval = {
  readonly start: bigint;
  end: bigint | undefined;
  readonly master: string | undefined;
  readonly reason: ChangeReason;
};

export type PriorityChange = { readonly ts: bigint; readonly from: number; readonly to: number };

export type RouterState = {
  readonly address: string;
  macs: string[];
  priority: number;
  readonly priorityChanges: PriorityChange[];
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
  lastAdvert: bigint;
  lastGarp: bigint | undefined;
  adverts: number;
  /** Start of the current claim to mastership (adverts or GARPs without a gap past master-down). */
  spellStart: bigint | undefined;
  /** Its last advert had priority 0. */
  released: boolean;
  /** Recent advert times, for working out when a contender stopped. */
  readonly recent: bigint[];
  /** It was the master right after its previous advert (its next gap is a master gap). */
  masterAtLast: boolean;
};

export type Gap = { readonly ts: bigint; readonly gapNs: bigint; readonly router: string; readonly downNs: bigint; readonly intervalNs: bigint };

export type Episode = {
  readonly start: bigint;
  end: bigint | undefined;
  readonly routers: string[];
  /** Adverts each router sent during the episode. */
  readonly adverts: Record<string, number>;
};

export type Silence = { readonly router: string; readonly start: bigint; end: bigint | undefined; readonly downNs: bigint; gapNs: bigint | undefined };

export type OnTimeTakeover = { readonly ts: bigint; readonly by: string; readonly from: string; readonly ageNs: bigint; readonly intervalNs: bigint };

export type GarpExpectation = { readonly router: string; readonly since: bigint; readonly missing: Set<string> };

export type GarpMissing = { readonly router: string; readonly since: bigint; readonly vips: string[] };

export type VridState = {
  readonly key: string;
  readonly segment: string;
  readonly vrid: number;
  readonly family: Family;
  readonly routers: Map<string, RouterState>;
  master: string | undefined;
  readonly history: MasterInterval[];
  readonly transitions: Transition[];
  readonly gaps: Gap[];
  /** Gap histogram: counts by gap / interval, bins per GAP_BINS. */
  readonly gapHistogram: number[];
  maxGapNs: bigint;
  lateGaps: number;
  overDownGaps: number;
  adverts: number;
  readonly splitBrains: Episode[];
  openSplit: Episode | undefined;
  readonly silences: Silence[];
  readonly noMaster: Silence[];
  readonly onTimeTakeovers: OnTimeTakeover[];
  readonly garpPending: GarpExpectation[];
  readonly garpMissing: GarpMissing[];
  readonly firstSeen: bigint;
  lastSeen: bigint;
  /** Routers beyond the per-VRID cap are counted, not kept (a fuzzer must not grow memory). */
  droppedRouters: number;
};

export type GarpBurst = { readonly mac: string; readonly start: bigint; end: bigint; count: number; readonly kind: 'garp' | 'na' | 'arp-reply' };

export type OwnerChange = { readonly ts: bigint; readonly mac: string };

export type VipState = {
  readonly segment: string;
  readonly address: string;
  readonly bursts: GarpBurst[];
  readonly owners: OwnerChange[];
  owner: string | undefined;
  garps: number;
};

/** Upper bounds on what the model keeps, so memory stays flat on endless input. */
export const Limits = {
  routersPerVrid: 64,
  vrids: 4096,
  vips: 4096,
  history: 2048,
  gaps: 2048,
  episodes: 256,
  bursts: 256,
  owners: 256,
  recentAdverts: 16,
} as const;

/** Gap histogram bins, as multiples of the advertised interval: upper bounds (last bin open). */
export const GAP_BINS = [0.5, 0.9, 1.1, 1.5, 2, 3] as const;
