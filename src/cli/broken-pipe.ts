// `vrrpscope … --packets | head -1`: the reader went away. Standard output (or error) then fails
// with EPIPE; that is the end of the run, not an error to print: the process stops quietly with
// status 141, as a tool killed by SIGPIPE does (128 + 13), so `set -o pipefail` still sees it.
// Live capture first stops its capture in order (the -w file is completed); replay just exits.

export const BROKEN_PIPE_STATUS = 141;

let broken = false;
let onBroken: (() => void) | undefined;

/** Installs the handlers once, before anything is written. */
export function guardPipes(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') {
        if (s !== process.stderr) process.stderr.write(`vrrpscope: cannot write the output: ${e.code ?? e.message}\n`);
        process.exit(2);
      }
      if (broken) return;
      broken = true;
      if (onBroken) onBroken();
      else process.exit(BROKEN_PIPE_STATUS);
    });
  }
}

/** Whether output has nowhere to go any more (writers stop writing). */
export function pipeBroken(): boolean {
  return broken;
}

/** Live: what to do instead of exiting at once (stop the capture, then exit BROKEN_PIPE_STATUS). */
export function whenPipeBreaks(fn: (() => void) | undefined): void {
  onBroken = fn;
}
