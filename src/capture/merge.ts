// Merges the packets of several inputs by timestamp (`-r a.pcap -r b.pcapng`). A packet is let
// through once every input that is still open has something queued, so the output is in time order
// as long as each input is; an input that stays silent holds the others back until it ends.
//
// Memory stays flat whatever the inputs: an input may run at most `lookahead` packets ahead of the
// merged output. Its reader asks `room(i)` between chunks and, when the input is that far ahead,
// waits until the queue has drained to half of it. Rotated files (`-r a -r b`, b starting where a
// ends) so keep a few thousand packets of b in memory, not all of it. No deadlock: an input is held
// back only while its queue is not empty, and with every open queue non-empty the merge moves on.

export class TimeMerge<T extends { readonly ts: bigint }> {
  private readonly queues: T[][];
  private readonly heads: number[];
  private readonly open: boolean[];
  private readonly waiting: ((() => void) | undefined)[];
  /** The most packets one input had queued at any time (for tests and the bench). */
  peakQueued = 0;

  constructor(
    count: number,
    private readonly out: (item: T) => void,
    private readonly lookahead = 4096,
  ) {
    this.queues = Array.from({ length: count }, () => []);
    this.heads = new Array<number>(count).fill(0);
    this.open = new Array<boolean>(count).fill(true);
    this.waiting = new Array<(() => void) | undefined>(count).fill(undefined);
  }

  push(source: number, item: T): void {
    if (this.queues.length === 1) return this.out(item);
    const q = this.queues[source]!;
    q.push(item);
    const n = q.length - this.heads[source]!;
    if (n > this.peakQueued) this.peakQueued = n;
    this.drain();
  }

  /** Undefined when `source` may read on; else a promise that resolves once it may. */
  room(source: number): Promise<void> | undefined {
    if (this.queues.length === 1 || this.queued(source) < this.lookahead) return undefined;
    return new Promise<void>((resolve) => {
      this.waiting[source] = resolve;
    });
  }

  end(source: number): void {
    this.open[source] = false;
    this.drain();
  }

  private queued(source: number): number {
    return this.queues[source]!.length - this.heads[source]!;
  }

  private drain(): void {
    this.emit();
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i];
      if (w && this.queued(i) <= this.lookahead / 2) {
        this.waiting[i] = undefined;
        w();
      }
    }
  }

  private emit(): void {
    for (;;) {
      let best = -1;
      let bestTs = 0n;
      for (let i = 0; i < this.queues.length; i++) {
        const q = this.queues[i]!;
        const h = this.heads[i]!;
        if (h >= q.length) {
          if (this.open[i]) return; // must wait: this input may still send something earlier
          continue;
        }
        const ts = q[h]!.ts;
        if (best < 0 || ts < bestTs) {
          best = i;
          bestTs = ts;
        }
      }
      if (best < 0) return;
      const q = this.queues[best]!;
      const item = q[this.heads[best]!]!;
      this.heads[best]!++;
      if (this.heads[best]! > 1024 && this.heads[best]! * 2 > q.length) {
        q.splice(0, this.heads[best]!);
        this.heads[best] = 0;
      }
      this.out(item);
    }
  }
}
