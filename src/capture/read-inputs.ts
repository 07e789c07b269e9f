// Reads every `-r` input at once, decodes each frame, and hands the packets on in time order.
// Counts what was not ours to decode (unknown link types are reported once per input).

import { basename } from 'node:path';
import { decodeFrame, supportsLinkType } from '../decode/decode-frame.js';
import type { Packet } from '../decode/packet.js';
import { readCapture, type CaptureInput, type CaptureSummary } from './capture-source.js';
import type { Frame } from './frame.js';
import { linkTypeName } from './link-types.js';
import { TimeMerge } from './merge.js';
import type { Warn } from './record-parser.js';

export type InputReport = CaptureSummary & {
  readonly input: CaptureInput;
  /** The name packets from this input carry (label, else file name). */
  readonly name: string;
  unsupportedFrames: number;
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

/** `onFrame` sees every frame before it is decoded (for --bundle), with its input's name. */
export async function readInputs(inputs: readonly CaptureInput[], onPacket: (p: Packet) => void, warn: Warn, onFrame?: (f: Frame, name: string) => void): Promise<InputReport[]> {
  const merge = new TimeMerge<Packet>(inputs.length, onPacket);
  return Promise.all(
    inputs.map(async (input, i) => {
      const name = inputLabel(input);
      let unsupported = 0;
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
        if (p) merge.push(i, p);
        else if (!ltSupported) unsupported++;
      };
      const summary = await readCapture(input, sink, warn);
      merge.end(i);
      const report: InputReport = { ...summary, input, name, unsupportedFrames: unsupported };
      return report;
    }),
  );
}
