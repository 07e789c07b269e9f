// How well the times of different capture points agree. Nodes merged over ssh or read from a bundle
// had their clock offsets subtracted; ± each node's uncertainty remains. Times on one node's
// segments come from one clock, so their differences are exact; between two nodes' segments, and
// between a node's segment and the end of the input (the recording machine's clock), they are known
// only to within the uncertainties — an order inside that is no order at all.

export type NodeClock = {
  /** The node's name, as its segments start (`node2` for `node2/eth0`). */
  readonly node: string;
  /** ± this much against the recording machine's clock; 0 when nothing is known (capture files). */
  readonly uncertaintyNs: bigint;
};

export class NodeClocks {
  private readonly nodes: readonly NodeClock[];

  constructor(nodes: readonly NodeClock[] = []) {
    // Longest name first: `node1.a/eth0` belongs to `node1.a`, not to a node called `node1`.
    this.nodes = [...nodes].sort((a, b) => b.node.length - a.node.length);
  }

  /** The node whose capture a segment comes from; undefined for a capture of no known node. */
  nodeOf(segment: string): string | undefined {
    return this.clockOf(segment)?.node;
  }

  /** ± between this segment's times and the recording machine's clock (the end of the input). */
  uncertainty(segment: string): bigint {
    return this.clockOf(segment)?.uncertaintyNs ?? 0n;
  }

  private clockOf(segment: string): NodeClock | undefined {
    return this.nodes.find((n) => segment.startsWith(`${n.node}/`));
  }

  /** Whether two segments' times come from one clock: the same node, or no node known for either. */
  sameClock(a: string, b: string): boolean {
    return this.nodeOf(a) === this.nodeOf(b);
  }

  /** ± between times on two segments: nothing on one node, the sum of both nodes' uncertainties otherwise. */
  between(a: string, b: string): bigint {
    return this.sameClock(a, b) ? 0n : this.uncertainty(a) + this.uncertainty(b);
  }
}

/** "±1.2ms", "±400µs", "±2.5s": an uncertainty as findings word it. */
export function plusMinus(ns: bigint): string {
  if (ns < 1_000_000n) return `±${ns / 1000n}µs`;
  const s = Number(ns) / 1e9;
  return s < 1 ? `±${(s * 1000).toFixed(s < 0.01 ? 1 : 0)}ms` : `±${s.toFixed(s < 10 ? 1 : 0)}s`;
}
