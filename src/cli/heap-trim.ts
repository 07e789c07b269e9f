// A long read's resident set follows the model, not V8's appetite. Objects that live a few
// seconds (master changes, episodes, the records of a changed advert) outlive two scavenges and
// reach the old generation, where V8 lets them pile up until its own limit, which it then sets
// from the heap it sees: a day of 255 VRIDs failing over grew by 10 MiB that way, with a model of
// constant size. A full collection every half minute of a long read, and one more before the
// analysis (whose findings then fill the room it made, rather than new pages), keeps the old
// generation near what is live, for some 20 ms in 30 s. Live capture, `--ssh` and the dashboard,
// which may run for days, collect on the same schedule. It needs `--expose-gc`, which the
// launcher passes; without it (`node bin/vrrpscope`, tests) nothing is done.

const EVERY_MS = 30_000;

export type HeapTrim = {
  /** The input is over: collect once more if it lasted long enough to have been trimmed. */
  readonly beforeAnalysis: () => void;
  readonly stop: () => void;
};

export function heapTrim(gc: (() => void) | undefined = globalThis.gc): HeapTrim {
  if (!gc) return { beforeAnalysis: () => undefined, stop: () => undefined };
  let trimmed = false;
  const timer = setInterval(() => {
    trimmed = true;
    gc();
  }, EVERY_MS);
  timer.unref();
  return {
    beforeAnalysis: () => {
      if (trimmed) gc();
    },
    stop: () => clearInterval(timer),
  };
}
