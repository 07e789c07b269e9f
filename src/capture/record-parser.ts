// What every capture-format parser offers the chunk driver: parse as many whole records as the
// buffer holds, say how far it got, and complain about whatever is left at the end.

import type { Frame } from './frame.js';

export type FrameSink = (frame: Frame) => void;
export type Warn = (message: string) => void;

export interface RecordParser {
  /** Parse records in buf[start, end); `base` is the input offset of buf[0]. Returns the first unparsed index. */
  parse(buf: Uint8Array, start: number, end: number, base: number): number;
  /** Called at end of input with the count of unparsed bytes left over. Throws CaptureError when damaged. */
  finish(leftover: number, base: number): void;
}
