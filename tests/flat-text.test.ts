// flatText copies a text exactly (it only changes how V8 holds it: one piece instead of a rope).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flatText } from '../src/util/flat-text.js';

describe('flatText', () => {
  it('is the same text for ASCII, other scripts, controls, lone surrogates and the empty string', () => {
    const n = String(Date.now() % 1000);
    for (const s of [`after ${n}.7 s of silence`, `10.0.0.${n} — ${n}…`, 'a\u0000b\u001b[31m\u009b', `x${'\ud800'}y${'\udfff'}`, '', 'ü'.normalize('NFD')]) {
      const f = flatText(s);
      assert.equal(f, s);
      assert.equal(f.length, s.length);
    }
  });
});
