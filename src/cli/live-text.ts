// What local live capture and --ssh share in the text modes: the model fed with packets and
// ticks, --json streaming transitions and each finding when it first appears (looked for once a
// second), --packets printing lines, and the wait for --duration or a signal.

import type { Finding } from '../analysis/finding.js';
import type { Packet } from '../decode/packet.js';
import { AdvertLedger } from '../host/advert-ledger.js';
import type { HostSet } from '../host/host-evidence.js';
import { Timeline } from '../model/timeline.js';
import { jsonFinding, jsonLine, jsonTransition } from '../views/json-output.js';
import { formatPacket } from '../views/packet-line.js';
import { withHost } from './host-analysis.js';

export type TextMode = 'report' | 'json' | 'packets';

export type TextFeed = {
  readonly timeline: Timeline;
  readonly ledger: AdvertLedger;
  packet(p: Packet, segment: string): void;
  tick(ts: bigint): void;
  /** Call on every heartbeat; `everyBeats` heartbeats make a second. */
  beat(n: number): void;
};

export function textFeed(mode: TextMode, out: (line: string) => void, host: () => HostSet | undefined, wantsLedger: () => boolean, everyBeats: number): TextFeed {
  const timeline = new Timeline();
  const ledger = new AdvertLedger();
  const streamed = new Set<string>();
  const drain = (): void => {
    if (mode === 'json') for (const { vrid, t } of timeline.newTransitions) out(jsonLine(jsonTransition(vrid, t)));
    if (timeline.newTransitions.length > 0) timeline.newTransitions.length = 0;
  };
  return {
    timeline,
    ledger,
    packet(p, segment) {
      if (mode === 'packets') return out(formatPacket(p, segment));
      if (wantsLedger()) ledger.add(p, segment);
      timeline.apply({ kind: 'packet', segment, packet: p });
      drain();
    },
    tick(ts) {
      // A lagged tick may be older than the newest packet; the clock never goes back.
      if (mode === 'packets' || timeline.first === undefined || ts <= timeline.now) return;
      timeline.apply({ kind: 'tick', ts });
      drain();
    },
    beat(n) {
      if (mode !== 'json' || n % everyBeats !== 0 || timeline.first === undefined) return;
      for (const f of withHost(timeline, ledger, host())) {
        const key = findingKey(f);
        if (streamed.has(key)) continue;
        streamed.add(key);
        out(jsonLine(jsonFinding(f)));
      }
    },
  };
}

function findingKey(f: Finding): string {
  return `${f.code}|${f.segment ?? ''}|${f.vrid ?? ''}|${f.family ?? ''}`;
}

/** Resolves at --duration or the first SIGINT/SIGTERM/SIGHUP. */
export function untilEnd(durationMs: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(s, done);
      if (timer) clearTimeout(timer);
      resolve();
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, done);
    const timer = durationMs !== undefined ? setTimeout(done, durationMs) : undefined;
  });
}
