// Damage in a capture file: always names the input and the byte offset, and never carries a stack
// to the user (the CLI prints `message` only).

export class CaptureError extends Error {
  constructor(
    readonly input: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${input}: ${detail} at byte ${offset}`);
    this.name = 'CaptureError';
  }
}
