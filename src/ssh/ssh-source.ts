// Several nodes over ssh as one live source: each node's frames, already on our clock, wait in a
// short reorder buffer and reach the model in time order, named by node (`node1/eth0`); the model's
// clock ticks behind the newest moment every node could still deliver for. A lost node holds
// nobody back: its frames simply stop, and it is shown as lost until it is back.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from '../capture/frame.js';
import { clockNow, makeAnchor, type ClockAnchor } from '../capture/live-filter.js';
import { PcapngWriter } from '../capture/pcapng-writer.js';
import { decodeFrame, supportsLinkType } from '../decode/decode-frame.js';
import type { Packet } from '../decode/packet.js';
import { segmentOf } from '../model/segment.js';
import { DEFAULT_CONF_PATH } from '../host/keepalived/config.js';
import type { HostEvidence } from '../host/host-evidence.js';
import type { BundleWriter } from '../bundle/bundle-writer.js';
import { type ClockOffset } from './clock-offset.js';

/** `clk -12ms/3ms` (offset / uncertainty), ASCII: the header is drawn on any terminal. */
function headerOffset(o: ClockOffset): string {
  const ms = (ns: bigint): string => {
    const v = Number(ns) / 1e6;
    return Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(2)}s` : Math.abs(v) >= 10 ? `${v.toFixed(0)}ms` : `${v.toFixed(1)}ms`;
  };
  return `clk ${o.offsetNs >= 0n ? '+' : ''}${ms(o.offsetNs)}/${ms(o.uncertaintyNs)}`;
}
import { SshNode, type NodeState } from './ssh-node.js';
import type { SshOptions } from './remote-commands.js';
import type { SshTarget } from './ssh-target.js';

export type SshArgs = {
  readonly targets: readonly SshTarget[];
  readonly ssh: SshOptions;
  /** keepalived's configuration and log on the nodes (--keepalived-conf / --keepalived-log). */
  readonly confPath: string | undefined;
  readonly logFile: string | undefined;
  readonly intervalS: number;
  /** -w FILE: everything, one pcapng, interfaces named node/iface. */
  readonly write: string | undefined;
  readonly bundle: BundleWriter | undefined;
  /** Test hook (VRRPSCOPE_TEST_CLOCK_SKEW=node=seconds,…): a node's clock made wrong on purpose. */
  readonly skew: ReadonlyMap<string, bigint>;
};

export type SshSink = {
  packet(p: Packet, segment: string): void;
  tick(ts: bigint): void;
  beat?(n: number): void;
  node?(n: SshNode, state: NodeState, message: string | undefined, ts: bigint): void;
  /** Where warnings go once attached (the dashboard keeps them until the screen is gone). */
  warn?(message: string): void;
};

export type SshSource = {
  readonly nodes: readonly SshNode[];
  readonly anchor: ClockAnchor;
  /** Each node's host evidence (scoped to its segments). */
  readonly hosts: readonly HostEvidence[];
  /** One line for a header: nodes, clock offsets, who is lost. */
  status(): string;
  stop(): Promise<bigint>;
};

export const TICKS_PER_SECOND = 4;
/** Frames wait this long (plus the worst clock uncertainty) so the nodes' streams interleave in order. */
const HOLD_NS = 1_000_000_000n;
const MAX_HOLD_NS = 5_000_000_000n;

type Held = { readonly p: Packet; readonly segment: string };

/**
 * A sink to attach later: the dashboard starts after the nodes are connected (prompts first), so
 * what comes in between is kept and handed over on attach.
 */
export class SshRelay implements SshSink {
  private target: SshSink | undefined;
  private early: (() => void)[] = [];
  attach(t: SshSink): void {
    this.target = t;
    for (const f of this.early.splice(0)) f();
  }
  packet(p: Packet, segment: string): void {
    if (this.target) this.target.packet(p, segment);
    else this.early.push(() => this.target!.packet(p, segment));
  }
  tick(ts: bigint): void {
    if (this.target) this.target.tick(ts);
    else this.early.push(() => this.target!.tick(ts));
  }
  beat(n: number): void {
    this.target?.beat?.(n);
  }
  node(n: SshNode, state: NodeState, message: string | undefined, ts: bigint): void {
    this.target?.node?.(n, state, message, ts);
  }
  /** A warning: on stderr until a target that takes warnings is attached. */
  warnLine(message: string): void {
    if (this.target?.warn) this.target.warn(message);
    else process.stderr.write(`vrrpscope: ${message}\n`);
  }
}

/** `node2=3.5,node1=-1` → ns per node (the test hook). */
export function parseSkew(s: string | undefined): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const part of (s ?? '').split(',')) {
    const m = /^([^=]+)=(-?\d+(?:\.\d+)?)$/.exec(part.trim());
    if (m) out.set(m[1]!, BigInt(Math.round(Number(m[2]) * 1e9)));
  }
  return out;
}

export async function startSsh(args: SshArgs, sink: SshSink, warn: (m: string) => void): Promise<SshSource> {
  const anchor = makeAnchor();
  const clock = (): bigint => clockNow(anchor);
  const socketDir = mkdtempSync(join(tmpdir(), 'vrrpscope-ssh-'));
  const writer = args.write !== undefined ? new PcapngWriter(args.write, 'vrrpscope (ssh capture)') : undefined;
  let held: Held[] = [];
  let released = 0n;
  const unsupported = new Set<string>();
  const nodes: SshNode[] = [];
  const started = { value: false };
  const onFrame = (n: SshNode, f: Frame, iface: string, ts: bigint): void => {
    writer?.write(f, `${n.label}/${iface}`, ts);
    args.bundle?.frame(n.label, f, iface, ts);
    if (!supportsLinkType(f.linktype)) {
      if (!unsupported.has(`${n.label}|${f.linktype}`)) warn(`${n.label}/${iface}: link type ${f.linktype} is not supported; its frames are skipped`);
      unsupported.add(`${n.label}|${f.linktype}`);
      return;
    }
    const raw = decodeFrame(f, n.label);
    if (!raw) return;
    // The node's time (its clock offset applied): not the numbers the decoder made from the frame.
    const p: Packet = { ...raw, ts, tsSec: undefined, tsNsec: undefined, ifName: iface };
    // node/iface, plus the VLAN tags a per-interface capture keeps (node2/eth0.100).
    const segment = segmentOf(p, true);
    if (ts <= released) sink.packet(p, segment); // late: on its way in at once (the model keeps its clock)
    else held.push({ p, segment });
  };
  for (const [i, t] of args.targets.entries()) {
    nodes.push(
      new SshNode(
        t,
        { ssh: args.ssh, socketDir, confPath: args.confPath ?? DEFAULT_CONF_PATH, logFile: args.logFile, intervalS: args.intervalS, clock, skewNs: args.skew.get(t.label) ?? 0n },
        {
          frame: onFrame,
          state: (n, s, m) => {
            if (started.value) sink.node?.(n, s, m, clock());
          },
          evidence: (n, kind, name, text, ts) => args.bundle?.evidence(n.label, kind, name, text, ts),
          warn,
        },
        i,
      ),
    );
  }
  // One node after the other, in the open: a host-key question or a password prompt is answered
  // on the terminal before anything else is drawn.
  const problems: string[] = [];
  for (const n of nodes) {
    const p = await n.connect(true);
    if (p !== undefined) problems.push(p);
  }
  if (problems.length === nodes.length) {
    await Promise.all(nodes.map((n) => n.stop()));
    writer?.close(clock(), new Map());
    rmSync(socketDir, { recursive: true, force: true });
    throw new Error(problems.join('; '));
  }
  for (const p of problems) warn(`${p}; trying again in the background`);
  started.value = true;
  for (const n of nodes) sink.node?.(n, n.state, n.message, clock());

  const worstUncertainty = (): bigint => {
    let w = 0n;
    for (const n of nodes) if (n.state === 'up' && n.offset && n.offset.uncertaintyNs > w) w = n.offset.uncertaintyNs;
    return w;
  };
  const release = (upTo: bigint): void => {
    if (held.length > 0) {
      held.sort((a, b) => (a.p.ts < b.p.ts ? -1 : a.p.ts > b.p.ts ? 1 : 0));
      let i = 0;
      while (i < held.length && held[i]!.p.ts <= upTo) {
        sink.packet(held[i]!.p, held[i]!.segment);
        i++;
      }
      held = i === held.length ? [] : held.slice(i);
    }
    if (upTo > released) {
      released = upTo;
      sink.tick(upTo);
    }
  };
  let beats = 0;
  const timer = setInterval(
    () => {
      const hold = HOLD_NS + worstUncertainty();
      release(clock() - (hold > MAX_HOLD_NS ? MAX_HOLD_NS : hold));
      sink.beat?.(beats++);
    },
    Math.round(1000 / TICKS_PER_SECOND),
  );
  let stopping: Promise<bigint> | undefined;
  return {
    nodes,
    anchor,
    hosts: nodes.map((n) => n.evidence),
    status: () =>
      nodes
        .map((n) => `${n.label}${n.state === 'up' ? (n.offset ? ` ${headerOffset(n.offset)}` : '') : n.state === 'lost' ? ' LOST' : ' connecting'}`)
        .join(', '),
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await Promise.all(nodes.map((n) => n.stop()));
        const end = clock();
        release(end);
        writer?.close(end, new Map());
        rmSync(socketDir, { recursive: true, force: true });
        return end;
      })();
      return stopping;
    },
  };
}
