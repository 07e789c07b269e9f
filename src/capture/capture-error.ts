// Damage in a capture file: always names the input and the byte offset (none when the file could
// not be opened at all: "at byte 0" says nothing there), and never carries a stack to the user (the
// CLI prints `message` only).

export class CaptureError extends Error {
  constructor(
    readonly input: string,
    readonly offset: number,
    readonly detail: string,
    /** false: the input could not be opened or read at all, so no offset means anything. */
    withOffset = true,
  ) {
    super(withOffset ? `${input}: ${detail} at byte ${offset}` : `${input}: ${detail}`);
    this.name = 'CaptureError';
  }
}
