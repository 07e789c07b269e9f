// A virtual router's newest master gaps (one per master advert), without an object per gap: the
// values live in typed arrays and the Gap objects are made only when a view or rule reads the list.
// On a dense capture (255 VRIDs at 10 cs) a gap object per advert lived just long enough to be
// promoted to V8's old generation and die there, and that garbage, not the model, set the peak RSS.
//
// Same contents as pushBounded(list, gap, limit): the list grows to 2 × limit, then keeps its
// newest `limit`.

import type { Gap } from './model-types.js';

const NS = 1_000_000_000n;

export class GapList {
  private n = 0;
  /** Seconds and nanosecond remainders (exact: every packet time is below 2^53 s). */
  private readonly tsS: Float64Array;
  private readonly tsR: Float64Array;
  private readonly gapS: Float64Array;
  private readonly gapR: Float64Array;
  /** Master-down and interval in ns: below 2^53, exact as numbers. */
  private readonly down: Float64Array;
  private readonly iv: Float64Array;
  private readonly router: string[];
  private view: Gap[] | undefined;

  constructor(private readonly limit: number) {
    const cap = 2 * limit + 1;
    this.tsS = new Float64Array(cap);
    this.tsR = new Float64Array(cap);
    this.gapS = new Float64Array(cap);
    this.gapR = new Float64Array(cap);
    this.down = new Float64Array(cap);
    this.iv = new Float64Array(cap);
    this.router = new Array<string>(cap).fill('');
  }

  get length(): number {
    return this.n;
  }

  push(ts: bigint, gapNs: bigint, router: string, downNs: bigint, intervalNs: bigint): void {
    let i = this.n;
    if (i === this.tsS.length) {
      // Full (2 × limit + 1): keep the newest `limit`, as pushBounded does.
      const from = i - this.limit;
      for (const a of [this.tsS, this.tsR, this.gapS, this.gapR, this.down, this.iv]) a.copyWithin(0, from, i);
      for (let k = 0; k < this.limit; k++) this.router[k] = this.router[from + k]!;
      i = this.limit;
    }
    this.tsS[i] = Number(ts / NS);
    this.tsR[i] = Number(ts % NS);
    this.gapS[i] = Number(gapNs / NS);
    this.gapR[i] = Number(gapNs % NS);
    this.down[i] = Number(downNs);
    this.iv[i] = Number(intervalNs);
    this.router[i] = router;
    this.n = i + 1;
    this.view = undefined;
  }

  /** The gaps, oldest first (made once per change, shared by every reader until the next push). */
  list(): readonly Gap[] {
    if (this.view) return this.view;
    const out: Gap[] = new Array<Gap>(this.n);
    for (let i = 0; i < this.n; i++) {
      out[i] = {
        ts: BigInt(this.tsS[i]!) * NS + BigInt(this.tsR[i]!),
        gapNs: BigInt(this.gapS[i]!) * NS + BigInt(this.gapR[i]!),
        router: this.router[i]!,
        downNs: BigInt(this.down[i]!),
        intervalNs: BigInt(this.iv[i]!),
      };
    }
    return (this.view = out);
  }
}
