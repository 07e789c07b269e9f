// What every capture-format parser offers the chunk driver: parse as many whole records as the
// buffer holds, say how far it got, and complain about whatever is left at the end.

import type { Frame } from './frame.js';

export type FrameSink = (frame: Frame) => void;
/**
 * Frames the reader's caller would drop at a glance: given the frame's bytes (buf[offset,
 * offset + caplen)) and link type, true means count and number it but do not deliver it.
 */
export type FrameFilter = (buf: Uint8Array, offset: number, caplen: number, linktype: number) => boolean;
export type Warn = (message: string) => void;

export interface RecordParser {
  /** Parse records in buf[start, end); `base` is the input offset of buf[0]. Returns the first unparsed index. */
  parse(buf: Uint8Array, start: number, end: number, base: number): number;
  /** Called at end of input with the count of unparsed bytes left over. Throws CaptureError when damaged. */
  finish(leftover: number, base: number): void;
  /** Frames counted but not delivered, for the FrameFilter that said so. */
  readonly skipped: number;
}
