// A long read collects its garbage on a schedule (src/cli/heap-trim.ts): every half minute while
// it reads, once more before the analysis if it did so, never for a short read, never after stop().

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { heapTrim } from '../src/cli/heap-trim.js';

describe('heapTrim', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('does nothing without gc (node bin/vrrpscope, no --expose-gc)', () => {
    assert.equal(globalThis.gc, undefined, 'the tests run without --expose-gc: heapTrim() finds no gc');
    const t = heapTrim();
    mock.timers.tick(120_000);
    t.beforeAnalysis();
    t.stop();
  });

  it('a short read: no collection at all', () => {
    const gc = mock.fn();
    const t = heapTrim(gc);
    mock.timers.tick(29_999);
    t.beforeAnalysis();
    t.stop();
    assert.equal(gc.mock.callCount(), 0);
  });

  it('a long read: one collection every 30 s, one before the analysis, none after stop', () => {
    const gc = mock.fn();
    const t = heapTrim(gc);
    mock.timers.tick(30_000);
    assert.equal(gc.mock.callCount(), 1);
    mock.timers.tick(60_000);
    assert.equal(gc.mock.callCount(), 3);
    t.beforeAnalysis();
    assert.equal(gc.mock.callCount(), 4);
    t.stop();
    mock.timers.tick(120_000);
    assert.equal(gc.mock.callCount(), 4);
  });
});
