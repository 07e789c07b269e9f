// keepalived's data dump (SIGUSR1 → keepalived.data) from real keepalived 2.2.7: the states it
// carries must be the ones the JSON dump signalled right beside it says, so that a keepalived
// without JSON support (stats + data) gives the correlation what a JSON dump would.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { addDataDump, addDump, emptyEvidence } from '../src/host/host-evidence.js';
import { isKeepalivedData, parseKeepalivedData, withStates } from '../src/host/keepalived/data-dump.js';
import { parseKeepalivedJson } from '../src/host/keepalived/json-dump.js';
import { parseKeepalivedStats } from '../src/host/keepalived/stats-dump.js';

const FIX = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));
const KA = join(FIX, 'keepalived', 'lab-2.2.7');
const read = (p: string): string => readFileSync(p, 'utf8');

const STATE_FIELDS = ['name', 'interface', 'vrid', 'state', 'stateName', 'wantState', 'wantStateName', 'basePriority', 'effectivePriority', 'advertInt', 'version', 'nopreempt', 'vips', 'lastTransitionNs', 'authType'] as const;
const pick = (o: object): Record<string, unknown> => Object.fromEntries(STATE_FIELDS.map((k) => [k, (o as Record<string, unknown>)[k]]));

test('the data dump gives the states the JSON dump taken beside it gives (node2, lab 2.2.7)', () => {
  const text = read(join(KA, 'node2-a.data'));
  assert.ok(isKeepalivedData(text));
  const data = parseKeepalivedData(text);
  const json = parseKeepalivedJson(read(join(KA, 'node2-a.json')));
  assert.deepEqual(data.dump.errors, []);
  assert.equal(data.dump.format, 'data');
  assert.deepEqual(data.dump.instances.map(pick), json.instances.map(pick));
  // BACKUP hearing a master: its priority is in the dump as in the JSON.
  assert.equal(data.dump.instances[0]!.masterPriority, json.instances[0]!.masterPriority);
  assert.deepEqual(data.sourceAddresses, ['192.168.2.12', '10.1.2.12']);
  // No counters, and the password is not kept.
  assert.equal(data.dump.instances[0]!.stats.advertRcvd, undefined);
  assert.ok(!JSON.stringify(data.dump.instances, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes('vrrp51'));
});

test('stats + data = the JSON dump: counters from the stats dump, states from the data dump', () => {
  const stats = parseKeepalivedStats(read(join(KA, 'node2-a.stats')));
  const data = parseKeepalivedData(read(join(KA, 'node2-a.data'))).dump;
  const json = parseKeepalivedJson(read(join(KA, 'node2-a.json')));
  const both = withStates(stats, data);
  assert.equal(both.format, 'stats');
  assert.deepEqual(both.instances.map(pick), json.instances.map(pick));
  for (const [i, inst] of both.instances.entries()) {
    const { other: _o, ...counters } = inst.stats;
    const { other: _j, ...want } = json.instances[i]!.stats;
    assert.deepEqual(counters, want, inst.name);
  }
});

test('addDataDump: advert sources and interface names always; states only for a stats dump just before it', () => {
  const text = read(join(KA, 'node2-a.data'));
  const stats = parseKeepalivedStats(read(join(KA, 'node2-a.stats')));
  const s = 1_000_000_000n;
  const ev = emptyEvidence();
  addDump(ev, { ts: 100n * s, dump: stats, source: 'a.stats' });
  addDump(ev, { ts: 110n * s, dump: stats, source: 'b.stats' });
  // 5 s after the last stats dump: too far to say they describe one moment.
  assert.deepEqual(addDataDump(ev, text, 'x.data', 115n * s), []);
  assert.deepEqual(ev.dumps.map((d) => d.dump.instances[0]!.stateName), [undefined, undefined]);
  assert.ok(ev.localAddresses.has('192.168.2.12'));
  assert.deepEqual([...ev.interfaceNames!.byIndex].map(([i, e]) => `${i}=${e.name}`), ['1=lo', '2=eth0', '3=eth1']);
  // Right after the second: that one (only) gets the states.
  addDataDump(ev, text, 'y.data', 110n * s + 400_000_000n);
  assert.deepEqual(ev.dumps.map((d) => d.dump.instances.map((i) => i.stateName ?? '-').join(',')), ['-,-', 'BACKUP,MASTER']);
  assert.equal(ev.dumps[1]!.source, 'b.stats + y.data');
  // Without a time (an offline file): names and addresses only.
  const off = emptyEvidence();
  addDump(off, { ts: 100n * s, dump: stats, source: 'a.stats' });
  addDataDump(off, text, 'z.data', undefined);
  assert.equal(off.dumps[0]!.dump.instances[0]!.stateName, undefined);
  assert.ok(off.localAddresses.has('10.1.2.12'));
});

test('other shapes keepalived writes: VMAC interface, VRRPv3 intervals, 1.x seconds-only transitions, no VIP count', () => {
  const text = [
    '------< VRRP Topology >------',
    ' VRRP Instance = V3',
    '   VRRP Version = 3',
    '   State = BACKUP',
    '   Master router = fe80::1',
    '   Master priority = 200',
    '   Master advert int = 0.50 sec',
    '   Wantstate = BACKUP',
    '   Last transition = 1500000000 (Fri Jul 14 02:40:00 2017)',
    '   Interface = vrrp.61, vmac on eth2, xmit base i/f',
    '   Using src_ip = (none)',
    '   Virtual Router ID = 61',
    '   Priority = 90',
    '   Advert interval = 500 milli-sec',
    '   Master advert interval = 500 milli-sec',
    '   Preempt = disabled',
    '   Preempt delay = 2.5 secs',
    '   Virtual IP :',
    '     2001:db8::61/64 dev vrrp.61 scope global',
    '   Virtual IP Excluded :',
    '     192.0.2.61/32 dev eth2 scope global',
    '------< Interfaces >------',
  ].join('\n');
  const d = parseKeepalivedData(text);
  const i = d.dump.instances[0]!;
  assert.deepEqual(
    { iface: i.interface, vmac: i.vmacInterface, v: i.version, st: i.stateName, adv: i.advertInt, madv: i.masterAdvertInt, pre: i.nopreempt, delay: i.preemptDelay, t: i.lastTransitionNs, vips: i.vips, ex: i.excludedVips, mp: i.masterPriority },
    { iface: 'eth2', vmac: 'vrrp.61', v: 3, st: 'BACKUP', adv: 0.5, madv: 0.5, pre: true, delay: 2.5, t: 1_500_000_000_000_000_000n, vips: ['2001:db8::61/64 dev vrrp.61 scope global'], ex: ['192.0.2.61/32 dev eth2 scope global'], mp: 200 },
  );
  assert.deepEqual(d.sourceAddresses, []);
  // keepalived_parent.data (the parent's) has no VRRP part: said, not guessed.
  const parent = parseKeepalivedData('------< Global definitions >------\n Router ID = x\n');
  assert.equal(parent.dump.instances.length, 0);
  assert.match(parent.dump.errors[0]!.message, /VRRP Topology/);
});
