// A node's clock against ours, from round trips around a remote timestamp (NTP's idea, one way):
// we note our clock (t0), the node answers with its clock (r), we note ours again (t1). The node
// read its clock somewhere in [t0, t1], so its offset lies in [r − t1, r − t0]: the estimate is the
// middle, the uncertainty half the round trip (plus the remote clock's resolution). The sample with
// the shortest round trip among the recent ones is the best; a node whose `date` has no %N gives
// whole seconds, which the resolution accounts for.

export type ClockSample = {
  /** Our clock before asking and after the answer (ns since the epoch). */
  readonly t0: bigint;
  readonly t1: bigint;
  /** The node's clock (ns since the epoch). */
  readonly remote: bigint;
  /** The node's clock resolution in ns (1 for `date +%s%N`, 1e9 when it gave seconds). */
  readonly resolutionNs: bigint;
};

export type ClockOffset = {
  /** node clock − our clock: subtract it from the node's timestamps. */
  readonly offsetNs: bigint;
  /** ± this much. */
  readonly uncertaintyNs: bigint;
  /** How many samples there were, and when the chosen one was taken (our clock). */
  readonly samples: number;
  readonly at: bigint;
};

/** The node's answer to the clock request (`date +%s%N`): ns, or seconds when %N is not supported. */
export function parseRemoteClock(text: string): { ns: bigint; resolutionNs: bigint } | undefined {
  const s = text.trim();
  if (/^\d{19}$/.test(s)) return { ns: BigInt(s), resolutionNs: 1n };
  // busybox/BSD date print %N literally (or nothing): `1795640445N`, `1795640445%N`, `1795640445`.
  const m = /^(\d{9,11})(?:%?N)?$/.exec(s);
  if (m) return { ns: BigInt(m[1]!) * 1_000_000_000n, resolutionNs: 1_000_000_000n };
  return undefined;
}

/** The best estimate from the samples (undefined when there are none). */
export function estimateOffset(samples: readonly ClockSample[]): ClockOffset | undefined {
  let best: ClockSample | undefined;
  for (const s of samples) {
    if (s.t1 < s.t0) continue;
    if (!best || width(s) < width(best)) best = s;
  }
  if (!best) return undefined;
  // r − t1 ≤ offset ≤ r − t0 + resolution (the clock read `remote` but it was up to one unit later).
  const lo = best.remote - best.t1;
  const hi = best.remote - best.t0 + best.resolutionNs - (best.resolutionNs === 1n ? 1n : 0n);
  return { offsetNs: (lo + hi) / 2n, uncertaintyNs: (hi - lo + 1n) / 2n, samples: samples.length, at: best.t1 };
}

function width(s: ClockSample): bigint {
  return s.t1 - s.t0 + s.resolutionNs;
}

/** Keeps the last few samples (the offset drifts; an old short round trip must not win forever). */
export class ClockEstimator {
  private readonly samples: ClockSample[] = [];
  constructor(private readonly keep = 8) {}
  add(s: ClockSample): void {
    this.samples.push(s);
    if (this.samples.length > this.keep) this.samples.shift();
  }
  get current(): ClockOffset | undefined {
    return estimateOffset(this.samples);
  }
  clear(): void {
    this.samples.length = 0;
  }
}

/** `+2.503 s ± 1.2 ms` for messages and the header. */
export function formatOffset(o: Pick<ClockOffset, 'offsetNs' | 'uncertaintyNs'>): string {
  return `${signed(o.offsetNs)} ± ${duration(o.uncertaintyNs)}`;
}

function signed(ns: bigint): string {
  return `${ns < 0n ? '−' : '+'}${duration(ns < 0n ? -ns : ns)}`;
}

function duration(ns: bigint): string {
  const ms = Number(ns) / 1e6;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(3)} s`;
}
