// The NDJSON output's own types (docs/json.md). They are not the model's structs: the model may
// change, this format only grows, and `schema` on the summary says which version a reader sees.

export const JSON_SCHEMA = 1;

export type JsonFinding = {
  readonly type: 'finding';
  readonly code: string;
  readonly severity: 'info' | 'warning' | 'critical';
  /** cause, symptom or info; a symptom names its cause in causedBy. */
  readonly kind: 'cause' | 'symptom' | 'info';
  readonly causedBy: string | null;
  /** The virtual router (partition) of the VRID it is about, when the VRID carries several. */
  readonly part: number | null;
  readonly segment: string | null;
  readonly vrid: number | null;
  readonly family: 4 | 6 | null;
  readonly message: string;
  readonly evidence: readonly string[];
  readonly advice: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
};

export type JsonTransition = {
  readonly type: 'transition';
  readonly time: string;
  readonly segment: string;
  readonly vrid: number;
  readonly family: 4 | 6;
  readonly from: string | null;
  readonly to: string | null;
  readonly reason: string;
  /** The evidence for the reason, in words. */
  readonly evidence: string;
  readonly part: number;
};

export type JsonRouter = {
  readonly address: string;
  readonly macs: readonly string[];
  readonly priority: number;
  readonly intervalSeconds: number;
  readonly version: number;
  readonly virtualAddresses: readonly string[];
  readonly adverts: number;
  readonly lastAdvert: string;
  readonly thisHost: boolean;
  /** master, backup, resigned or gone, as the wire shows it. */
  readonly role: string;
  /** Adverts received while it claimed mastership, and those its interval implies that never arrived here. */
  readonly delivery: { readonly received: number; readonly missing: number };
};

export type JsonSplitBrain = {
  readonly start: string;
  readonly end: string | null;
  readonly routers: readonly string[];
  readonly outcome: { readonly kind: string; readonly loser: string; readonly winner: string | null; readonly why: string } | null;
};

export type JsonVrid = {
  /** With host evidence: the keepalived instance this segment/VRID belongs to, and its state. */
  readonly keepalived?: { readonly instance: string; readonly syncGroup: string | null; readonly state: string | null; readonly wantState: string | null; readonly counters: Readonly<Record<string, number>> | null };
  readonly segment: string;
  readonly vrid: number;
  readonly family: 4 | 6;
  /** Partition of the VRID (0 unless routers on it reject each other) and what tells it apart. */
  readonly part: number;
  readonly partition: string | null;
  readonly master: string | null;
  /** Routers advertising as master now (two or more: a split brain now). */
  readonly masters: readonly string[];
  readonly splitBrains: readonly JsonSplitBrain[];
  readonly state: string;
  readonly routers: readonly JsonRouter[];
  readonly adverts: number;
  readonly maxGapSeconds: number;
  readonly masterDownSeconds: number | null;
  readonly changes: number;
  readonly changesPer10Min: number;
  /** Master changes in the last minute, 10 minutes, hour (packet time) and in all. */
  readonly flapFrequency: { readonly last1m: number; readonly last10m: number; readonly last1h: number; readonly total: number };
};

export type JsonSummary = {
  readonly type: 'summary';
  readonly schema: typeof JSON_SCHEMA;
  readonly start: string | null;
  readonly end: string | null;
  readonly inputs: readonly { readonly name: string; readonly format: string | null; readonly frames: number; readonly error: string | null }[];
  readonly packets: number;
  readonly adverts: number;
  readonly gratuitous: number;
  readonly malformed: number;
  /** Only when the model's caps were reached: distinct VRIDs and routers seen but not tracked, and their adverts. */
  readonly untracked?: { readonly vrids: number; readonly routers: number; readonly adverts: number };
  readonly vrids: readonly JsonVrid[];
  readonly findings: { readonly critical: number; readonly warning: number; readonly info: number };
  readonly exitStatus: number;
  /** Live capture only: per interface, its last state and libpcap's counters. */
  readonly capture?: JsonCapture;
};

/** Live capture: an interface went down, disappeared, came back or could not be opened. */
export type JsonInterface = {
  readonly type: 'interface';
  readonly time: string;
  readonly name: string;
  readonly state: 'opening' | 'up' | 'down' | 'gone' | 'failed';
  readonly message: string | null;
};

export type JsonCapture = {
  /** Sum of `dropped` and `shed` over the interfaces; null when none can tell and none were shed. */
  readonly dropped: number | null;
  readonly interfaces: readonly {
    readonly name: string;
    readonly state: JsonInterface['state'];
    /** Frames vrrpscope received from this interface. */
    readonly frames: number;
    /** Frames that passed the kernel filter, and those the kernel dropped (buffer full); null when unknown. */
    readonly received: number | null;
    readonly dropped: number | null;
    /**
     * Frames vrrpscope let go (its queue to the analysis full, limit live-queue, or still queued
     * at the end): frames + shed + dropped accounts for every frame the kernel saw.
     */
    readonly shed: number;
    /** Times the capture handle was (re-)opened. */
    readonly opens: number;
  }[];
};

export type JsonLine = JsonFinding | JsonTransition | JsonSummary | JsonInterface;
