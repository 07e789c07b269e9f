// Reads every `-r` input at once, decodes each frame, and hands the packets on in time order.
// Counts what was not ours to decode (unknown link types are reported once per input).

import { basename } from 'node:path';
import { ignoredAtAGlance } from '../decode/at-a-glance.js';
import { decodeFrame, supportsLinkType } from '../decode/decode-frame.js';
import type { Packet } from '../decode/packet.js';
import { readCapture, type CaptureInput, type CaptureSummary } from './capture-source.js';
import { TS_END_NS, TS_MIN_NS, type Frame } from './frame.js';
import { linkTypeName } from './link-types.js';
import { TimeMerge } from './merge.js';
import type { Warn } from './record-parser.js';
import { limit } from '../util/limits.js';
import { isoTime } from '../views/time-format.js';

export type InputReport = CaptureSummary & {
  readonly input: CaptureInput;
  /** The name packets from this input carry (label, else file name). */
  readonly name: string;
  unsupportedFrames: number;
  /** Packets skipped because their time cannot be a date (before 1970 or after 9999). */
  badTimes: number;
};

/** `-r eth0=FILE` → label eth0; a plain path has none. A path that merely contains '=' still works when it exists. */
export function parseInputArg(arg: string, exists: (p: string) => boolean): CaptureInput {
  const eq = arg.indexOf('=');
  if (eq > 0 && !exists(arg)) return { label: arg.slice(0, eq), path: arg.slice(eq + 1) };
  return { label: undefined, path: arg };
}

export function inputLabel(input: CaptureInput): string {
  return input.label ?? (input.path === '-' ? 'stdin' : basename(input.path));
}

/** File reads while merging: ~800 small packets at most per read, so the look-ahead holds. */
const MERGE_CHUNK = 64 * 1024;

/**
 * Reads every input, in time order across them. `signal` stops all reading (Ctrl-C): every input
 * then reports what it delivered, and the packets already read are still merged and handed on.
 * `onFrame` sees every frame before it is decoded (for --bundle), with its input's name; without
 * it, the frames decodeFrame would drop at a glance are counted in the parser and go no further.
 */
export async function readInputs(inputs: readonly CaptureInput[], onPacket: (p: Packet) => void, warn: Warn, signal?: AbortSignal, onFrame?: (f: Frame, name: string) => void): Promise<InputReport[]> {
  const merge = new TimeMerge<Packet>(inputs.length, onPacket, limit('merge-lookahead'));
  return Promise.all(
    inputs.map(async (input, i) => {
      const name = inputLabel(input);
      let unsupported = 0;
      let badTimes = 0;
      let lastLt = -1;
      let ltSupported = true; // supportsLinkType(lastLt), asked once per change of link type
      const sink = (f: Frame): void => {
        onFrame?.(f, name);
        if (f.linktype !== lastLt) {
          lastLt = f.linktype;
          ltSupported = supportsLinkType(lastLt);
          if (!ltSupported) warn(`${name}: link type ${linkTypeName(lastLt)} is not supported; its frames are counted and skipped`);
        }
        const p = decodeFrame(f, name);
        if (p === undefined) {
          if (!ltSupported) unsupported++;
        } else if (!plausible(p) && (p.ts < TS_MIN_NS || p.ts >= TS_END_NS)) {
          if (badTimes++ === 0) warn(`${name}: packet ${f.number} at byte ${f.fileOffset} is stamped ${timeText(p.ts)}, outside 1970 … 9999 (a damaged timestamp or if_tsoffset); such packets are counted and skipped`);
        } else merge.push(i, p);
      };
      const summary = await readCapture(input, sink, warn, { pause: () => merge.room(i), signal, chunkBytes: inputs.length > 1 ? MERGE_CHUNK : undefined, skip: onFrame ? undefined : ignoredAtAGlance });
      merge.end(i);
      const report: InputReport = { ...summary, input, name, unsupportedFrames: unsupported, badTimes };
      return report;
    }),
  );
}

/** Seconds well inside 1970 … 9999 by the numbers alone (an advert's time, without making its BigInt). */
const PLAUSIBLE_END_SEC = Number(TS_END_NS / 1_000_000_000n) - 10;

function plausible(p: Packet): boolean {
  const s = p.tsSec;
  const n = p.tsNsec;
  return s !== undefined && n !== undefined && s >= 1 && s < PLAUSIBLE_END_SEC && n >= 0 && n < 1_000_000_000;
}

/** A time that may be far outside what a Date can hold, in words. */
function timeText(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  return sec > -8_640_000_000_000n && sec < 8_640_000_000_000n ? isoTime(ns) : `${sec} s from 1970`;
}
