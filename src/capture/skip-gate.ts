// Asks a FrameFilter only while it pays. On a sparse capture the filter spares most frames the
// trip through the sink; on one that is nearly all VRRP it spares none and costs its few reads
// per frame (about 1.5 % of a dense run). So after a chunk in which it spared fewer than one frame
// in RATIO, it is asked in one chunk out of REPROBE only, until it pays again. Skipping is only
// ever a shortcut: a frame the filter is not asked about goes to the sink, which drops it.

import type { FrameFilter } from './record-parser.js';

const RATIO = 8;
const REPROBE = 8;
/** A chunk with fewer frames than this says nothing either way. */
const MIN_ASKED = 64;

export class SkipGate {
  private open = true;
  private closedFor = 0;

  constructor(private readonly filter: FrameFilter | undefined) {}

  /** The filter to ask in the chunk about to be parsed, or undefined to ask none. */
  begin(): FrameFilter | undefined {
    if (this.filter === undefined) return undefined;
    if (this.open) return this.filter;
    return ++this.closedFor % REPROBE === 0 ? this.filter : undefined;
  }

  /** After a chunk parsed with the filter: `asked` frames were put to it, `spared` of them skipped. */
  end(asked: number, spared: number): void {
    if (asked < MIN_ASKED) return;
    this.open = spared * RATIO >= asked;
    this.closedFor = 0;
  }
}
