// Merges the packets of several inputs by timestamp (`-r a.pcap -r b.pcapng`). A packet is let
// through once every input that is still open has something queued, so the output is in time order
// as long as each input is; an input that stays silent holds the others back until it ends.

export class TimeMerge<T extends { readonly ts: bigint }> {
  private readonly queues: T[][];
  private readonly heads: number[];
  private readonly open: boolean[];

  constructor(
    count: number,
    private readonly out: (item: T) => void,
  ) {
    this.queues = Array.from({ length: count }, () => []);
    this.heads = new Array<number>(count).fill(0);
    this.open = new Array<boolean>(count).fill(true);
  }

  push(source: number, item: T): void {
    if (this.queues.length === 1) return this.out(item);
    this.queues[source]!.push(item);
    this.drain();
  }

  end(source: number): void {
    this.open[source] = false;
    this.drain();
  }

  private drain(): void {
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
