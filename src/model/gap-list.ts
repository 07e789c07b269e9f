// A virtual router's newest master gaps (one per master advert), without an object per gap: the
// values live in typed arrays and the Gap objects are made only when a view or rule reads the list.
// On a dense capture (255 VRIDs at 10 cs) a gap object per advert lived just long enough to be
// promoted to V8's old generation and die there, and that garbage, not the model, set the peak RSS.
// Nothing per push allocates: times come on the model's number clock (ns after its epoch).
//
// Same contents as pushBounded(list, gap, limit): the list grows to 2 × limit, then keeps its
// newest `limit`.

import type { Gap } from './model-types.js';

/** Numbers kept per gap: packet time on the number clock, gap, master-down and interval (ns). */
const F = 4;

export class GapList {
  private n = 0;
  /** One gap's numbers side by side (one cache line per push, not four: 255 VRIDs' lists do not fit in a core's cache). */
  private readonly v: Float64Array;
  private readonly router: string[];
  private view: Gap[] | undefined;

  constructor(
    private readonly limit: number,
    private readonly epoch: bigint,
  ) {
    const cap = 2 * limit + 1;
    this.v = new Float64Array(cap * F);
    this.router = new Array<string>(cap).fill('');
  }

  get length(): number {
    return this.n;
  }

  push(tn: number, gapNs: number, router: string, downNs: number, intervalNs: number): void {
    let i = this.n;
    if (i === this.router.length) {
      // Full (2 × limit + 1): keep the newest `limit`, as pushBounded does.
      const from = i - this.limit;
      this.v.copyWithin(0, from * F, i * F);
      for (let k = 0; k < this.limit; k++) this.router[k] = this.router[from + k]!;
      i = this.limit;
    }
    const at = i * F;
    this.v[at] = tn;
    this.v[at + 1] = gapNs;
    this.v[at + 2] = downNs;
    this.v[at + 3] = intervalNs;
    this.router[i] = router;
    this.n = i + 1;
    this.view = undefined;
  }

  /**
   * The gaps whose numbers (gap, master-down, interval, in ns) pass `keep`, oldest first: only those
   * become objects (a rule that looks for a few gaps among all of 255 VRIDs' makes no garbage).
   */
  select(keep: (gapNs: number, downNs: number, intervalNs: number) => boolean): Gap[] {
    const out: Gap[] = [];
    for (let i = 0; i < this.n; i++) {
      const at = i * F;
      if (keep(this.v[at + 1]!, this.v[at + 2]!, this.v[at + 3]!)) out.push(this.gap(i));
    }
    return out;
  }

  /** The gaps, oldest first (made once per change, shared by every reader until the next push). */
  list(): readonly Gap[] {
    if (this.view) return this.view;
    const out: Gap[] = new Array<Gap>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.gap(i);
    return (this.view = out);
  }

  /** Gap i as the object views and rules read. */
  private gap(i: number): Gap {
    const at = i * F;
    return { ts: this.epoch + BigInt(this.v[at]!), gapNs: BigInt(this.v[at + 1]!), router: this.router[i]!, downNs: BigInt(this.v[at + 2]!), intervalNs: BigInt(this.v[at + 3]!) };
  }
}
