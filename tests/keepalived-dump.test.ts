// keepalived's JSON and stats dumps, from real keepalived 2.2.7 runs (the lab's per-scenario JSON dumps
// and tests/fixtures/keepalived/lab-2.2.7, where JSON and stats were taken back to back).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COUNTER_KEYS, keepalivedStateName, parseKeepalivedJson } from '../src/host/keepalived/json-dump.js';
import { parseKeepalivedStats } from '../src/host/keepalived/stats-dump.js';

const FIX = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));
const LAB = join(FIX, 'lab');
const KA = join(FIX, 'keepalived', 'lab-2.2.7');
const read = (p: string): string => readFileSync(p, 'utf8');

test('every lab JSON dump parses without errors into named instances with states', () => {
  let n = 0;
  for (const dir of readdirSync(LAB)) {
    for (const f of readdirSync(join(LAB, dir))) {
      if (!/-json-\d+\.json$/.test(f)) continue;
      const d = parseKeepalivedJson(read(join(LAB, dir, f)));
      assert.deepEqual(d.errors, [], `${dir}/${f}`);
      assert.ok(d.instances.length >= 1);
      for (const i of d.instances) {
        assert.ok(['INIT', 'BACKUP', 'MASTER', 'FAULT'].includes(i.stateName ?? ''), `${dir}/${f} ${i.name} ${i.state}`);
        assert.equal(typeof i.stats.advertRcvd, 'number');
        assert.equal(typeof i.stats.advertSent, 'number');
        assert.deepEqual(i.stats.other, {}, 'keepalived 2.2.7 writes exactly the known counters');
      }
      n++;
    }
  }
  assert.ok(n >= 60, `${n} dumps`);
});

test('sync-group-firewall: the backup sits in BACKUP but wants MASTER on eth0, and hears nothing there', () => {
  const dir = join(LAB, 'sync-group-firewall');
  const dumps = readdirSync(dir)
    .filter((f) => f.startsWith('node2-json-'))
    .sort();
  const last = parseKeepalivedJson(read(join(dir, dumps[dumps.length - 1] as string)));
  const service = last.instances.find((i) => i.name === 'SERVICE');
  const backend = last.instances.find((i) => i.name === 'BACKEND');
  assert.ok(service && backend);
  assert.deepEqual([service.interface, service.vrid, service.stateName, service.wantStateName], ['eth0', 51, 'BACKUP', 'MASTER']);
  assert.equal(service.stats.advertRcvd, 0, 'the firewall drops every advert on eth0');
  assert.deepEqual([backend.interface, backend.vrid, backend.stateName, backend.wantStateName], ['eth1', 52, 'BACKUP', 'BACKUP']);
  assert.ok((backend.stats.advertRcvd ?? 0) > 10, 'eth1 hears the master');
  assert.equal(backend.masterPriority, 100);
  assert.equal(service.nopreempt, true);
  assert.equal(service.authTypeName, 'PASS');
  assert.equal(service.authData, 'vrrp51');
  assert.equal(service.vipSet, false);
  assert.deepEqual(service.vips, ['192.168.2.1/24 dev eth0 scope global', '192.168.2.2/24 dev eth0 scope global']);
  // last_transition 1795640444.844020 → ns, µs precision
  assert.equal(service.lastTransitionNs, 1795640444844020000n);
  assert.equal(service.raw['garp_delay'], 5, 'unmodelled fields are kept');
});

test('interval-mismatch: keepalived logs the mismatch but advert_interval_err stays 0 (do not trust it)', () => {
  for (const v of ['interval-mismatch', 'interval-mismatch-v2']) {
    const dir = join(LAB, v);
    const logs = ['node1.log', 'node2.log'].map((f) => read(join(dir, f))).join('\n');
    assert.match(logs, /advertisement interval mismatch/);
    for (const f of readdirSync(dir).filter((x) => x.includes('-json-'))) {
      for (const i of parseKeepalivedJson(read(join(dir, f))).instances) assert.equal(i.stats.advertIntervalErr, 0, `${v}/${f} ${i.name}`);
    }
  }
});

test('auth-mismatch dumps count authentication failures', () => {
  const dir = join(LAB, 'auth-mismatch');
  const total = readdirSync(dir)
    .filter((f) => f.includes('-json-'))
    .flatMap((f) => parseKeepalivedJson(read(join(dir, f))).instances)
    .reduce((s, i) => s + (i.stats.authFailure ?? 0), 0);
  assert.ok(total > 0);
});

test('stats dump and JSON dump taken back to back agree (keepalived 2.2.7, lab-2.2.7 fixtures)', () => {
  for (const tag of ['node1-a', 'node2-a', 'node2-b']) {
    const s = parseKeepalivedStats(read(join(KA, `${tag}.stats`)));
    const j = parseKeepalivedJson(read(join(KA, `${tag}.json`)));
    assert.deepEqual(s.errors, [], tag);
    assert.deepEqual(j.errors, [], tag);
    assert.equal(s.format, 'stats');
    assert.deepEqual(
      s.instances.map((i) => i.name),
      j.instances.map((i) => i.name),
    );
    for (const si of s.instances) {
      const ji = j.instances.find((i) => i.name === si.name);
      assert.ok(ji);
      for (const k of Object.values(COUNTER_KEYS)) {
        const a: number | undefined = si.stats[k];
        const b: number | undefined = ji.stats[k];
        assert.equal(typeof a, 'number', `${tag} ${si.name} ${k}`);
        // the three signals arrive within a millisecond; an advert may slip in between
        if (k === 'advertRcvd' || k === 'advertSent') assert.ok(Math.abs((a ?? 0) - (b ?? 0)) <= 1, `${tag} ${si.name} ${k} ${a} vs ${b}`);
        else assert.equal(a, b, `${tag} ${si.name} ${k}`);
      }
      assert.equal(si.stateName, undefined, 'the stats dump has no state');
      assert.deepEqual(si.stats.other, {});
    }
  }
  // node2 with the wrong BACKEND password: both masters; SERVICE took over after node1 stopped (priority 0 seen)
  const later = parseKeepalivedJson(read(join(KA, 'node2-b.json')));
  const backend = later.instances.find((i) => i.name === 'BACKEND');
  const service = later.instances.find((i) => i.name === 'SERVICE');
  assert.deepEqual([backend?.stateName, backend?.stats.authFailure], ['MASTER', 2]);
  assert.deepEqual([service?.stateName, service?.stats.priZeroRcvd, service?.stats.becomeMaster], ['MASTER', 1, 1]);
});

test('state numbers follow keepalived’s vrrp.h', () => {
  assert.deepEqual([0, 1, 2, 3, 97, 98, 42, undefined].map(keepalivedStateName), ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'DELETED', 'STOP', 'UNKNOWN', undefined]);
});

test('tolerant JSON: half-written, wrong shapes, unknown and missing fields', () => {
  const full = read(join(KA, 'node2-a.json'));
  for (const cut of [0, 1, 100, full.trimEnd().length - 1]) {
    const d = parseKeepalivedJson(full.slice(0, cut));
    assert.deepEqual(d.instances, []);
    assert.match(d.errors[0]?.message ?? '', /^not valid JSON/);
  }
  assert.match(parseKeepalivedJson('{"a":1}').errors[0]?.message ?? '', /array/);
  const d = parseKeepalivedJson(
    JSON.stringify([
      { data: { iname: 'X', state: 2, wantstate: '2', future_field: [1], vrid: 9 }, stats: { advert_rcvd: 5, new_counter: 7, auth_failure: 'many' } },
      { data: { state: 1 } },
      7,
      { stats: {} },
    ]),
  );
  assert.equal(d.instances.length, 1);
  const x = d.instances[0];
  assert.ok(x);
  assert.deepEqual([x.name, x.stateName, x.wantState, x.vrid, x.interface, x.stats.advertRcvd, x.stats.advertSent, x.stats.authFailure], ['X', 'MASTER', undefined, 9, undefined, 5, undefined, undefined]);
  assert.deepEqual(x.stats.other, { new_counter: 7, auth_failure: 'many' });
  assert.deepEqual(x.raw['future_field'], [1]);
  assert.deepEqual(
    d.errors.map((e) => e.index),
    [1, 2, 3],
  );
});

test('tolerant stats: unknown sections kept, junk lines reported, sections by indentation', () => {
  const text = [
    'VRRP Instance: A',
    '  Advertisements:',
    '    Received: 3',
    '    Sent: 4',
    '  Became master: 1',
    '  Packet Errors:',
    '    Invalid Type: 5',
    '  Authentication Errors:',
    '    Invalid Type: 6',
    '  Authentication Extension Errors:',
    '    Replay: 2',
    '  Released master: 9',
    'garbage line',
    'VRRP Instance: B',
    '  Priority Zero:',
    '    Received: x',
  ].join('\n');
  const d = parseKeepalivedStats(text);
  const a = d.instances[0];
  const b = d.instances[1];
  assert.ok(a && b);
  assert.deepEqual(
    [a.stats.advertRcvd, a.stats.advertSent, a.stats.becomeMaster, a.stats.invalidTypeRcvd, a.stats.invalidAuthtype, a.stats.releaseMaster, a.stats.authFailure],
    [3, 4, 1, 5, 6, 9, undefined],
  );
  assert.deepEqual(a.stats.other, { 'Authentication Extension Errors/Replay': 2 });
  assert.equal(b.stats.priZeroRcvd, undefined);
  assert.deepEqual(
    d.errors.map((e) => e.line),
    [13, 16],
  );
});
