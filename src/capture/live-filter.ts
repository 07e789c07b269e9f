// The kernel (BPF) filter for live capture, and the time and wire format shared by the capture
// worker (capture-worker.ts) and the parent (live-capture.ts).
//
// Only what vrrpscope decodes passes the kernel: VRRP over IPv4 and IPv6 (protocol 112), VRRP in
// AH (protocol 51 to 224.0.0.18, RFC 2338 §5.3.6.2 authentication), ARP (gratuitous ARP for the
// virtual IPs) and ICMPv6 neighbour advertisements (type 136, IPv6 virtual IPs), each also inside
// an 802.1Q tag. `vlan` shifts the offsets of what follows it, hence the repeated expression.

export const PLAIN_FILTER = 'vrrp or ip6 proto 112 or (ip proto 51 and dst host 224.0.0.18) or arp or (icmp6 and ip6[40] == 136)';

export const LIVE_FILTER = `${PLAIN_FILTER} or (vlan and (${PLAIN_FILTER}))`;

/**
 * Kernel ring buffer per interface (libpcap's default is 2 MiB). cap asks for a 65535-byte snapshot,
 * so on an interface with receive offload (veth, most NICs) libpcap makes every ring slot 64 KiB:
 * 32 MiB is about 500 frames, 20 ms at 25 000 adverts/s — enough in the live benchmark
 * (docs/performance.md); without offload, at MTU 1500, it is about 20 000 frames. -B changes it.
 */
export const DEFAULT_BUFFER_BYTES = 32 * 1024 * 1024;

/**
 * One frame as the worker writes it to the parent: a 16-byte header, then the bytes.
 *   u32 caplen | u16 linktype | u16 flags (reserved) | u32 seconds | u32 nanoseconds   (little-endian)
 */
export const FRAME_HEADER = 16;

/** The live clock: CLOCK_MONOTONIC (process.hrtime) anchored once to wall time. Every process of one
 *  run shares the anchor, so timestamps from several interfaces agree with each other. */
export type ClockAnchor = { readonly wallNs: bigint; readonly monoNs: bigint };

export function makeAnchor(): ClockAnchor {
  const monoNs = process.hrtime.bigint();
  const wallNs = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  return { wallNs, monoNs };
}

export function clockNow(a: ClockAnchor): bigint {
  return a.wallNs + (process.hrtime.bigint() - a.monoNs);
}

/** Messages from a worker to the parent (IPC channel). */
export type WorkerMessage =
  | { readonly type: 'open'; readonly linktype: number; readonly stats: boolean }
  /**
   * Counters since the worker started: `received` passed the kernel filter, `dropped` the kernel
   * dropped (ring full), `queueDropped` the worker dropped (its queue to the parent full), `sent`
   * frames it handed on to the parent (the parent counts what it read against it).
   */
  | { readonly type: 'stats'; readonly received: number | null; readonly dropped: number | null; readonly queueDropped: number; readonly sent: number }
  | { readonly type: 'error'; readonly code: 'permission' | 'no-device' | 'down' | 'other'; readonly message: string };

/** Parameters the parent hands a worker (JSON in argv[2]). */
export type WorkerParams = {
  readonly iface: string;
  readonly filter: string;
  readonly bufferBytes: number;
  readonly anchor: { readonly wallNs: string; readonly monoNs: string };
  /** Drop root to this user after the handle is open (-Z). */
  readonly user: string | undefined;
  /** Bytes of frames that may wait for the parent; frames beyond are dropped and counted (limit live-queue). */
  readonly maxQueued: number;
};

/** cap's link-type names → LINKTYPE_* numbers. */
export function linkTypeOfCap(name: string): number {
  switch (name) {
    case 'ETHERNET':
      return 1;
    case 'NULL':
      return 0;
    case 'RAW':
      return 101;
    case 'LINKTYPE_LINUX_SLL':
      return 113;
    case 'IEEE802_11_RADIO':
      return 127;
    default: {
      const m = /(\d+)/.exec(name);
      return m ? Number(m[1]) : 65535;
    }
  }
}
