// The model's fast paths and its shared list budget (issue 11): adverts whose decoded records are
// shared (as the decoder's advert cache hands them on) must give exactly the model that fresh
// records give, and many VRIDs failing over all day must not grow the model without end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DecodedAdvert } from '../src/decode/advert-cache.js';
import type { VrrpPacket } from '../src/decode/packet.js';
import { Limits } from '../src/model/model-types.js';
import { Timeline } from '../src/model/timeline.js';
import { advert, type AdvertSpec } from './helpers/synthetic-packets.js';

/** Adverts of `vrids` VRIDs, two routers each, the master resigning (priority 0) now and then. */
function* flapping(vrids: number, rounds: number): Generator<{ spec: AdvertSpec; t: number }> {
  for (let round = 0; round < rounds; round++) {
    for (let v = 1; v <= vrids; v++) {
      const master = Math.floor(round / 4) % 2;
      const src = `10.2.${v}.${2 + master}`;
      const prio = round % 4 === 3 ? 0 : master === 0 ? 150 : 100;
      yield { spec: { src, vrid: v, prio, v: 3, cs: 100, vips: [`10.2.${v}.1`] }, t: round + v / 1000 };
    }
  }
}

/** The model, fed with fresh records per advert or with one record per distinct advert (as the decoder shares them). */
function model(vrids: number, rounds: number, shared: boolean, also?: Timeline): Timeline {
  const tl = new Timeline();
  const records = new Map<string, VrrpPacket>();
  for (const { spec, t } of flapping(vrids, rounds)) {
    let p = advert(spec, t);
    if (shared) {
      const k = JSON.stringify(spec);
      // As the decoder does: one DecodedAdvert per distinct advert, on every repeat (the model notes its place there).
      const first = records.get(k);
      if (first) p = { ...p, l2: first.l2, ip: first.ip, vrrp: first.vrrp, shared: first.shared };
      else records.set(k, (p = { ...p, shared: new DecodedAdvert(p.l2, p.ip, p.vrrp) }));
    }
    tl.apply({ kind: 'packet', segment: 'eth0', packet: p });
    // A second model in the same process, on another segment name, fed the same shared records.
    also?.apply({ kind: 'packet', segment: 'eth1', packet: p });
  }
  return tl;
}

function summary(tl: Timeline): unknown {
  return [...tl.vrids.values()].map((v) => ({
    key: v.key,
    master: v.master,
    changes: v.changes,
    adverts: v.adverts,
    transitions: v.transitions.map((t) => [t.ts, t.from, t.to, t.reason, t.evidence]),
    history: v.history.map((h) => [h.start, h.end, h.master, h.reason]),
    gaps: v.gaps.map((g) => [g.ts, g.gapNs, g.router, g.downNs, g.intervalNs]),
    histogram: v.gapHistogram,
    maxGap: v.maxGapNs,
    late: [v.lateGaps, v.overDownGaps],
    noMaster: v.noMaster.length,
    routers: [...v.routers.values()].map((r) => [r.address, r.priority, r.adverts, r.role, r.roles.length, r.delivery, r.lastAdvert, r.priorityChanges.length]),
  }));
}

test('shared decoded records give exactly the model fresh records give', () => {
  const fresh = model(6, 400, false);
  const shared = model(6, 400, true);
  assert.ok([...fresh.vrids.values()].every((v) => v.changes >= 30), 'the input flaps');
  assert.deepEqual(summary(shared), summary(fresh));
  // Two models taking turns with the same shared records: each keeps its own notes on them.
  const other = new Timeline();
  const one = model(6, 400, true, other);
  assert.deepEqual(summary(one), summary(fresh));
  assert.deepEqual(summary(other), (summary(fresh) as { key: string }[]).map((v) => ({ ...v, key: v.key.replace(/^eth0/, 'eth1') })));
});

test('a few VRIDs keep deep histories; hundreds share one budget, and their counts stay whole', () => {
  const few = model(4, 6000, true);
  for (const v of few.vrids.values()) {
    assert.ok(v.transitions.length >= Limits.history, `${v.key}: ${v.transitions.length} transitions kept`);
    assert.ok(v.changes > 2 * Limits.history, `${v.key}: ${v.changes} changes`);
  }
  const many = model(300, 1600, true);
  assert.equal(many.vrids.size, 300);
  for (const v of many.vrids.values()) {
    // 4096 / 300 → 13, floored at 16 per VRID; a list never holds more than its cap.
    assert.equal(v.history.length, 16, `${v.key}: ${v.history.length} master intervals kept`);
    assert.equal(v.transitions.length, 16, `${v.key}: the newest 16 master changes kept`);
    assert.ok(v.changes >= 300, `${v.key}: every change counted (${v.changes})`);
    assert.equal(v.dropped.transitions, v.changes - 16, `${v.key}: what was let go of is counted`);
    // 4096 / 600 routers → 6, floored at 8.
    for (const r of v.routers.values()) assert.ok(r.roles.length <= 8, `${r.address}: ${r.roles.length} role changes kept`);
  }
});
