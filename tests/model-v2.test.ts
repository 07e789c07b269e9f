// The rebuilt model's mechanics, one at a time, on hand-made packets: partitions per VRID, roles,
// split-brain outcomes, silences, delivery, foreign announcers of a virtual IP, evidence order.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../src/analysis/analyze.js';
import { claimingRouters, Timeline } from '../src/model/timeline.js';
import type { Packet } from '../src/decode/packet.js';
import type { VridState } from '../src/model/model-types.js';
import { advert, at, garp, type AdvertSpec } from './helpers/synthetic-packets.js';

type Ev = AdvertSpec & { t: number };
const series = (s: AdvertSpec, from: number, to: number, every = 1): Ev[] => {
  const out: Ev[] = [];
  for (let t = from; t <= to + 1e-9; t += every) out.push({ ...s, t: Math.round(t * 1e6) / 1e6 });
  return out;
};

function run(evs: (Ev | Packet)[], tickTo?: number): Timeline {
  const pk = evs.map((e) => ('kind' in e ? e : advert(e, e.t))).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const t = new Timeline();
  for (const p of pk) t.apply({ kind: 'packet', segment: 'eth0', packet: p });
  if (tickTo !== undefined) t.apply({ kind: 'tick', ts: at(tickTo) });
  return t;
}

const parts = (t: Timeline, vrid = 51): VridState[] => [...t.vrids.values()].filter((v) => v.vrid === vrid);

test('routers that reject each other are separate virtual routers on one VRID, each with its own master', () => {
  const t = run([...series({ src: '10.0.0.1', v: 2 }, 0, 20), ...series({ src: '10.0.0.2', v: 3 }, 0.5, 20.5)]);
  const ps = parts(t);
  assert.equal(ps.length, 2);
  assert.deepEqual(ps.map((p) => p.master), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(ps.map((p) => p.label), ['v2', 'v3']);
  assert.ok(ps.every((p) => p.splitBrains.length === 0 && p.transitions.length === 0), 'no split brain, no change of master inside either');
  const f = analyze(t);
  assert.deepEqual(f.filter((x) => x.severity !== 'info').map((x) => x.code), ['version-mismatch']);
  assert.equal(f[0]!.severity, 'critical', 'both held the VIPs');
  assert.match(f[0]!.message, /10\.0\.0\.1 sends VRRPv2, but 10\.0\.0\.2 sends VRRPv3 — each drops the other's adverts, so both act as master/);
});

test('a VRID shared by two clusters (no address in common) is a conflict, and the fix is another VRID', () => {
  const t = run([...series({ src: '10.0.0.1', vips: ['192.168.2.1'] }, 0, 20), ...series({ src: '10.0.0.9', vips: ['192.168.2.50'] }, 5, 20)]);
  const f = analyze(t).filter((x) => x.severity !== 'info');
  assert.deepEqual(f.map((x) => x.code), ['vrid-conflict']);
  assert.match(f[0]!.message, /two clusters/);
  assert.match(f[0]!.advice.join(' '), /Change virtual_router_id of one cluster — e\.g\. the one of 10\.0\.0\.9/);
  assert.ok(!f[0]!.advice.some((a) => /^Make the configurations agree/i.test(a)), 'never "make the configurations agree"');
});

test('VRRPv3 routers with different intervals still hear each other (RFC 5798 §6.4.2): one virtual router', () => {
  const t = run([...series({ src: '10.0.0.1', v: 3, cs: 100 }, 0, 10), ...series({ src: '10.0.0.2', v: 3, cs: 50 }, 0.2, 0.2)]);
  assert.equal(parts(t).length, 1);
});

test('a preempted master is a backup, not a silent master; the reason names both priorities', () => {
  const t = run([...series({ src: '10.0.0.1', prio: 100 }, 0, 10), ...series({ src: '10.0.0.2', prio: 150 }, 10.3, 30)], 30);
  const v = parts(t)[0]!;
  assert.deepEqual(v.transitions.map((x) => [x.reason, x.evidence]), [['preemption', 'priority 150 > 100']]);
  assert.equal(v.routers.get('10.0.0.1')!.role, 'backup');
  assert.equal(v.silences.length, 0);
  assert.deepEqual(analyze(t).filter((x) => x.severity !== 'info'), [], 'a preemption is planned');
});

test('a "preemption" after which the old master keeps advertising was a takeover by a router that did not hear it', () => {
  const t = run([...series({ src: '10.0.0.1', prio: 100 }, 0, 30), ...series({ src: '10.0.0.2', prio: 150 }, 10.3, 30)], 30);
  const v = parts(t)[0]!;
  assert.equal(v.transitions[0]!.reason, 'takeover-while-master-advertising');
  assert.deepEqual(claimingRouters(v).map((r) => r.address).sort(), ['10.0.0.1', '10.0.0.2'], 'two masters now');
});

test('a worse router that claims while the master advertises does not become the master: a split brain, then it yields', () => {
  const t = run([...series({ src: '10.0.0.2', prio: 110 }, 0, 30), ...series({ src: '10.0.0.1', prio: 100 }, 10.5, 20.5)], 30);
  const v = parts(t)[0]!;
  assert.equal(v.master, '10.0.0.2');
  assert.equal(v.transitions.length, 0, 'no change of master');
  const e = v.splitBrains[0]!;
  assert.deepEqual(e.outcome && [e.outcome.kind, e.outcome.loser, e.outcome.winner, e.outcome.why], ['yield', '10.0.0.1', '10.0.0.2', 'priority 100 < 110']);
  assert.equal(v.routers.get('10.0.0.1')!.role, 'backup');
});

test('a master that stops without priority 0 is gone, with a silence and an outage; one that resigns is resigned', () => {
  const gone = parts(run(series({ src: '10.0.0.1' }, 0, 10), 20))[0]!;
  assert.equal(gone.routers.get('10.0.0.1')!.role, 'gone');
  assert.equal(gone.silences.length, 1);
  assert.equal(gone.noMaster.length, 1);
  const resigned = parts(run([...series({ src: '10.0.0.1' }, 0, 10), { src: '10.0.0.1', prio: 0, t: 10.5 }], 20))[0]!;
  assert.equal(resigned.routers.get('10.0.0.1')!.role, 'resigned');
  assert.equal(resigned.silences.length, 0);
});

test('delivery: scattered missing adverts are counted against the interval; a single long gap is not loss', () => {
  const lossy: Ev[] = series({ src: '10.0.0.1' }, 0, 60).filter((_e, i) => i % 3 !== 1);
  const r = parts(run(lossy))[0]!.routers.get('10.0.0.1')!;
  assert.equal(r.delivery.received, 41);
  assert.equal(r.delivery.missing, 20);
  const stalled = parts(run([...series({ src: '10.0.0.1' }, 0, 20), ...series({ src: '10.0.0.1' }, 26, 40)]))[0]!.routers.get('10.0.0.1')!;
  assert.equal(stalled.delivery.lossGaps - stalled.delivery.longGaps, 0);
  const f = analyze(run(lossy));
  assert.equal(f[0]!.code, 'advert-loss');
  assert.match(f[0]!.message, /10\.0\.0\.1's adverts on eth0 reach this capture point only in part: 41 of 61 \(33 % lost\)/);
});

test('a virtual IP announced by a MAC that is no router of its VRID is an address conflict; one announcement is enough', () => {
  const t = run([...series({ src: '10.0.0.1', vips: ['192.168.2.1'] }, 0, 10), garp('192.168.2.1', '02:00:00:00:00:01', 1), garp('192.168.2.1', '02:aa:bb:cc:dd:ee', 5)]);
  const f = analyze(t).filter((x) => x.severity !== 'info');
  assert.deepEqual(f.map((x) => x.code), ['vip-conflict']);
  assert.match(f[0]!.message, /192\.168\.2\.1 on eth0 was announced by 02:aa:bb:cc:dd:ee, which is no router of VRID 51 on eth0/);
  // The virtual MAC is the router's own.
  const own = run([...series({ src: '10.0.0.1', vips: ['192.168.2.1'] }, 0, 10), garp('192.168.2.1', '00:00:5e:00:01:33', 5)]);
  assert.deepEqual(analyze(own).filter((x) => x.severity !== 'info'), []);
});

test('priority swinging back and forth with preemption is a tracker, not flapping', () => {
  const evs: Ev[] = [];
  for (let t = 0; t <= 60; t++) {
    const low = Math.floor(t / 10) % 2 === 1;
    if (!low || t % 10 < 1) evs.push({ src: '10.0.0.1', prio: low ? 50 : 110, t });
    if (low && t % 10 >= 1) evs.push({ src: '10.0.0.2', prio: 100, t: t + 0.5 });
  }
  const f = analyze(run(evs, 61));
  const serious = f.filter((x) => x.severity !== 'info');
  assert.equal(serious[0]?.code, 'priority-oscillation', JSON.stringify(serious.map((x) => x.code)));
  assert.ok(!serious.some((x) => x.code === 'flapping'), 'planned changes are no flaps');
  assert.match(serious[0]!.message, /swings between 50 and 110/);
});

test('symptoms name their cause and come after it', () => {
  // Both masters steady, neither yields: check-firewall (cause), split-brain (symptom).
  const t = run([...series({ src: '10.0.0.1' }, 0, 30), ...series({ src: '10.0.0.2' }, 0.4, 30.4)], 31);
  const f = analyze(t);
  const i = f.findIndex((x) => x.code === 'check-firewall');
  const j = f.findIndex((x) => x.code === 'split-brain');
  assert.ok(i >= 0 && j > i);
  assert.equal(f[j]!.causedBy, 'check-firewall');
  assert.equal(f[j]!.kind, 'symptom');
});
