// A virtual router's newest master gaps (one per master advert), without an object per gap: the
// values live in typed arrays and the Gap objects are made only when a view or rule reads the list.
// On a dense capture (255 VRIDs at 10 cs) a gap object per advert lived just long enough to be
// promoted to V8's old generation and die there, and that garbage, not the model, set the peak RSS.
// Nothing per push allocates: times come on the model's number clock (ns after its epoch).
//
// Same contents as pushBounded(list, gap, limit): the list grows to 2 × limit, then keeps its
// newest `limit`.

import type { Gap } from './model-types.js';

export class GapList {
  private n = 0;
  /** Packet time on the number clock, gap, master-down and interval, in ns. */
  private readonly ts: Float64Array;
  private readonly gap: Float64Array;
  private readonly down: Float64Array;
  private readonly iv: Float64Array;
  private readonly router: string[];
  private view: Gap[] | undefined;

  constructor(
    private readonly limit: number,
    private readonly epoch: bigint,
  ) {
    const cap = 2 * limit + 1;
    this.ts = new Float64Array(cap);
    this.gap = new Float64Array(cap);
    this.down = new Float64Array(cap);
    this.iv = new Float64Array(cap);
    this.router = new Array<string>(cap).fill('');
  }

  get length(): number {
    return this.n;
  }

  push(tn: number, gapNs: number, router: string, downNs: number, intervalNs: number): void {
    let i = this.n;
    if (i === this.ts.length) {
      // Full (2 × limit + 1): keep the newest `limit`, as pushBounded does.
      const from = i - this.limit;
      for (const a of [this.ts, this.gap, this.down, this.iv]) a.copyWithin(0, from, i);
      for (let k = 0; k < this.limit; k++) this.router[k] = this.router[from + k]!;
      i = this.limit;
    }
    this.ts[i] = tn;
    this.gap[i] = gapNs;
    this.down[i] = downNs;
    this.iv[i] = intervalNs;
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
        ts: this.epoch + BigInt(this.ts[i]!),
        gapNs: BigInt(this.gap[i]!),
        router: this.router[i]!,
        downNs: BigInt(this.down[i]!),
        intervalNs: BigInt(this.iv[i]!),
      };
    }
    return (this.view = out);
  }
}
