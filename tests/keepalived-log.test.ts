// keepalived log lines → events, on what real keepalived 2.2.7 wrote: the lab's console logs (-l -D),
// and lab-2.2.7's same run in three more shapes: the raw syslog datagrams keepalived sent to /dev/log
// (node2-syslog.raw, captured by a tiny listener), the rsyslog file line made from them (host inserted,
// node2-syslog.log) and journal JSON objects built from them (node2-journal.json: no journald in the
// lab, so the documented fields MESSAGE, _PID, SYSLOG_IDENTIFIER, __REALTIME_TIMESTAMP were filled in).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type KeepalivedLogEvent, KeepalivedLogParser, parseKeepalivedLog, parseKeepalivedLogLine, splitLogLine } from '../src/host/keepalived/log.js';

const FIX = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));
const LAB = join(FIX, 'lab');
const KA = join(FIX, 'keepalived');
const read = (p: string): string => readFileSync(p, 'utf8');
const UTC = { utcOffsetMinutes: 0, referenceYear: 2026 };

function kinds(events: readonly KeepalivedLogEvent[], instance?: string): string[] {
  return events.filter((e) => instance === undefined || e.instance === instance).map((e) => e.kind);
}

test('every lab log line parses, with a time, and the classified kinds cover the known messages', () => {
  for (const dir of readdirSync(LAB)) {
    for (const f of readdirSync(join(LAB, dir)).filter((x) => /^node\d\.log$/.test(x))) {
      const text = read(join(LAB, dir, f));
      const events = parseKeepalivedLog(text, UTC);
      assert.equal(events.length, text.split('\n').filter((l) => l.trim() !== '').length, `${dir}/${f}`);
      for (const e of events) {
        assert.equal(e.shape, 'console', `${dir}/${f}: ${e.text}`);
        assert.ok(e.time !== undefined && e.time > 1795000000000000000n);
        // nothing keepalived says about adverts, states, auth, TTL or intervals may fall through to `other`
        if (e.kind === 'other') assert.doesNotMatch(e.text, /Entering|advertisement timeout|(lower|higher|same) priority|priority 0|0 priority|passwd|password|interval mismatch|TTL|Syncing/i, `${dir}/${f}`);
      }
    }
  }
});

test('scenario facts from the logs', () => {
  const log = (dir: string, node: string): KeepalivedLogEvent[] => parseKeepalivedLog(read(join(LAB, dir, `${node}.log`)), UTC);

  // the incident with a sync group: the backup never leaves BACKUP on eth0 but times out again and again
  const sg = log('sync-group-firewall', 'node2');
  assert.ok(kinds(sg, 'SERVICE').filter((k) => k === 'advert-timeout').length >= 5);
  assert.deepEqual(
    sg.filter((e) => e.kind === 'state').map((e) => e.kind === 'state' && [e.instance, e.from, e.to]),
    [
      ['SERVICE', 'INIT', 'BACKUP'],
      ['BACKEND', 'INIT', 'BACKUP'],
    ],
  );
  const sg1 = log('sync-group-firewall', 'node1');
  const sync = sg1.find((e) => e.kind === 'sync-group');
  assert.ok(sync && sync.kind === 'sync-group');
  assert.deepEqual([sync.group, sync.to, sync.instance], ['G1', 'MASTER', undefined]);

  // state `from` is tracked per instance
  const ff = [...log('failover-failback', 'node1'), ...log('failover-failback', 'node2')].filter((e) => e.kind === 'state');
  assert.ok(ff.some((e) => e.kind === 'state' && e.from === 'BACKUP' && e.to === 'MASTER'));
  assert.ok(ff.some((e) => e.kind === 'state' && e.from === 'MASTER' && e.to === 'BACKUP'));

  const auth = [...log('auth-mismatch', 'node1'), ...log('auth-mismatch', 'node2')];
  const a = auth.find((e) => e.kind === 'auth-error');
  assert.ok(a && a.kind === 'auth-error');
  assert.deepEqual([a.instance, a.reason], ['SERVICE', 'bad-password']);

  const im = [...log('interval-mismatch', 'node1'), ...log('interval-mismatch', 'node2')].find((e) => e.kind === 'interval-mismatch');
  assert.ok(im && im.kind === 'interval-mismatch');
  assert.deepEqual([im.instance, im.ours, im.theirs, im.adopted], ['SERVICE', 1, 2, false]);

  const lower = [...log('firewall-eth0-one-v2', 'node1'), ...log('lossy-eth0', 'node2')].find((e) => e.kind === 'lower-priority' && e.action === 'election');
  assert.ok(lower && lower.kind === 'lower-priority');
  assert.equal(lower.instance, 'SERVICE');
  assert.match(lower.peer ?? '', /^192\.168\.2\.1[12]$/);
  assert.equal(typeof lower.peerPriority, 'number');

  const vc = [...log('vrid-conflict', 'node1'), ...log('vrid-conflict', 'node3'), ...log('vrid-conflict-v2', 'node3')];
  assert.ok(vc.some((e) => e.kind === 'address-list-mismatch' && e.received === 1 && e.expected === 2));
  assert.ok(vc.some((e) => e.kind === 'auth-error' && e.instance === 'OTHER'));
});

test('the same run as console log, raw syslog, syslog file and journal JSON gives the same events', () => {
  const dir = join(KA, 'lab-2.2.7');
  const raw = parseKeepalivedLog(read(join(dir, 'node2-syslog.raw')), UTC);
  const file = parseKeepalivedLog(read(join(dir, 'node2-syslog.log')), UTC);
  const journal = parseKeepalivedLog(read(join(dir, 'node2-journal.json')), UTC);
  const strip = (e: KeepalivedLogEvent): unknown => ({ ...e, shape: undefined, host: undefined, time: e.time === undefined ? undefined : e.time / 1_000_000_000n });
  assert.equal(raw.length, 42);
  assert.deepEqual(file.map(strip), raw.map(strip));
  assert.deepEqual(journal.map(strip), raw.map(strip));
  assert.deepEqual([raw[0]?.shape, file[0]?.shape, journal[0]?.shape], ['syslog-raw', 'syslog', 'journal']);
  assert.deepEqual([file[0]?.host, file[0]?.process, file[0]?.pid, journal[0]?.host], ['node2', 'Keepalived_vrrp', 25494, 'node2']);
  assert.equal(file[0]?.time, 1795641000000000000n); // Nov 25 21:10:00 2026 UTC
  assert.equal(journal[1]?.time, 1795641000000001000n); // µs → ns

  // the console log of the same process carries the same VRRP events (plus startup and config messages)
  const consoleEv = parseKeepalivedLog(read(join(dir, 'node2-console.log')), UTC);
  const vrrpKinds = (ev: KeepalivedLogEvent[]): string[] => ev.filter((e) => e.kind !== 'other' && e.kind !== 'config-error').map((e) => `${e.instance}:${e.kind}`);
  assert.deepEqual(vrrpKinds(consoleEv).slice(-vrrpKinds(raw).length), vrrpKinds(raw));
  const cfg = consoleEv.find((e) => e.kind === 'config-error');
  assert.ok(cfg && cfg.kind === 'config-error');
  assert.deepEqual([cfg.file, cfg.line, cfg.instance], ['/run/vsk-lab/w/n2/keepalived.conf', 23, 'SERVICE']);
});

test('keepalived -t config errors (with and without a file name) become config-error events', () => {
  const ev = parseKeepalivedLog(read(join(KA, 'nasty', 'keepalived-t.txt')), UTC).filter((e) => e.kind === 'config-error');
  assert.ok(ev.length >= 20);
  assert.ok(ev.some((e) => e.kind === 'config-error' && e.file === undefined && e.line === 16));
  assert.ok(ev.some((e) => e.kind === 'config-error' && e.file === 'sub/b-2.inc' && e.line === 3));
  assert.ok(ev.some((e) => e.kind === 'config-error' && e.instance === 'VI_DB' && e.line === 64));
});

test('line shapes: timestamps, zones, years, other programs', () => {
  // keepalived's own -g log file format (logger.c: "%a %b %d %T.<ns> %Y: ")
  const lf = splitLogLine('Wed Nov 05 21:00:44.123456789 2026: (X) Entering MASTER STATE', UTC);
  assert.deepEqual([lf?.shape, lf?.time, lf?.text], ['logfile', BigInt(Date.UTC(2026, 10, 5, 21, 0, 44)) * 1_000_000n + 123456789n, '(X) Entering MASTER STATE']);
  // console %c pads the day with a space
  assert.equal(splitLogLine('Thu Nov  5 01:02:03 2026: hi', UTC)?.time, BigInt(Date.UTC(2026, 10, 5, 1, 2, 3)) * 1_000_000n);
  // local time offset
  assert.equal(splitLogLine('Nov 25 21:00:00 h Keepalived_vrrp[1]: x', { utcOffsetMinutes: 60, referenceYear: 2026 })?.time, BigInt(Date.UTC(2026, 10, 25, 20, 0, 0)) * 1_000_000n);
  assert.equal(splitLogLine('Nov 25 21:00:00 h Keepalived_vrrp[1]: x', { utcOffsetMinutes: 0, referenceYear: 2024 })?.time, BigInt(Date.UTC(2024, 10, 25, 21, 0, 0)) * 1_000_000n);
  // ISO (rsyslog) and short-iso (journalctl) with zones
  const iso = splitLogLine('2026-11-25T21:00:00.5+01:00 node2 Keepalived_vrrp[7]: (S) Receive advertisement timeout');
  assert.deepEqual([iso?.shape, iso?.time, iso?.host, iso?.pid], ['syslog-iso', BigInt(Date.UTC(2026, 10, 25, 20, 0, 0)) * 1_000_000n + 500_000_000n, 'node2', 7]);
  assert.equal(splitLogLine('2026-11-25T21:00:00+0000 node2 Keepalived_vrrp[7]: x')?.time, BigInt(Date.UTC(2026, 10, 25, 21, 0, 0)) * 1_000_000n);
  // bare message
  const bare = parseKeepalivedLogLine('(SERVICE) Entering FAULT STATE');
  assert.deepEqual([bare?.shape, bare?.time, bare?.kind, bare?.instance], ['bare', undefined, 'state', 'SERVICE']);
  // other programs are skipped by default, kept on request
  assert.equal(parseKeepalivedLogLine('Nov 25 21:00:00 h sshd[9]: Accepted publickey', UTC), undefined);
  assert.equal(parseKeepalivedLogLine('Nov 25 21:00:00 h sshd[9]: Accepted publickey', { ...UTC, onlyKeepalived: false })?.kind, 'other');
  assert.equal(parseKeepalivedLogLine('{"MESSAGE":"x","SYSLOG_IDENTIFIER":"systemd"}'), undefined);
  // journald's byte-array MESSAGE
  const bytes = [...Buffer.from('(S) Entering BACKUP STATE')];
  const j = parseKeepalivedLogLine(JSON.stringify({ MESSAGE: bytes, SYSLOG_IDENTIFIER: 'Keepalived_vrrp', _PID: '3', __REALTIME_TIMESTAMP: '1700000000000001' }));
  assert.deepEqual([j?.kind, j?.instance, j?.pid, j?.time], ['state', 'S', 3, 1700000000000001000n]);
  // junk never throws
  for (const junk of ['{', '{"MESSAGE": 5}', '<>', '\u0000\u0001', 'Nov 99 99:99:99 x', '()', '( ) x']) assert.doesNotThrow(() => parseKeepalivedLogLine(junk));
});

test('messages keepalived 2.2 and 1.x write, beyond what the lab produced', () => {
  const cases: [string, Partial<Record<string, unknown>>][] = [
    ['(VI_1) entering FAULT state (interface eth0 down)', { kind: 'state', to: 'FAULT', reason: 'interface eth0 down' }],
    ['(VI_1) Entering FAULT STATE (init)', { kind: 'state', to: 'FAULT', from: 'INIT' }],
    ['(VI_1) received a 2 auth, expecting 1!', { kind: 'auth-error', reason: 'type-mismatch' }],
    ['(VI_1) Invalid auth type: 7', { kind: 'auth-error', reason: 'invalid-type' }],
    ['(VI_1) invalid TTL/HL. Received 64 and expect 255', { kind: 'ttl-error', ttl: 64, expected: '255' }],
    ['(VI_1) TTL/HL 1 not in range 250 - 255', { kind: 'ttl-error', ttl: 1, expected: '250-255' }],
    ['(VI_1) Master received advert from 10.0.0.2 with same priority 100 but higher IP address than ours', { kind: 'higher-priority', samePriorityHigherIp: true, peer: '10.0.0.2' }],
    ['(VI_1) Master received priority 0 message', { kind: 'priority-zero', direction: 'received' }],
    ['(VI_1) advertisement interval updated from 1000ms to 3000ms by master', { kind: 'interval-mismatch', ours: 1, theirs: 3, adopted: true }],
    ['(VI_1) expected 2 VIPs but received 1', { kind: 'address-list-mismatch', expected: 2, received: 1 }],
    ['VRRP_Group(VG_1): Syncing VI_2 to FAULT state', { kind: 'sync-group', group: 'VG_1', to: 'FAULT', instance: 'VI_2' }],
    ['VRRP_Group(VG_1) Syncing instances to BACKUP state', { kind: 'sync-group', group: 'VG_1', to: 'BACKUP' }],
    // keepalived 1.x (e.g. CentOS 7's 1.3.5)
    ['VRRP_Instance(VI_1) Entering MASTER STATE', { kind: 'state', to: 'MASTER', instance: 'VI_1' }],
    ['VRRP_Instance(VI_1) Transition to MASTER STATE', { kind: 'other', instance: 'VI_1' }],
    ['VRRP_Instance(VI_1) Received advert with higher priority 150, ours 100', { kind: 'higher-priority', peerPriority: 150, ourPriority: 100 }],
    ['VRRP_Instance(VI_1) Received advert with lower priority 50, ours 100, forcing new election', { kind: 'lower-priority', action: 'election' }],
    ['VRRP_Instance(VI_1) advertissement interval mismatch mine=1 rcved=3', { kind: 'interval-mismatch', ours: 1, theirs: 3 }],
    ['VRRP_Instance(VI_1) Now in FAULT state', { kind: 'state', to: 'FAULT' }],
    ['bad password in advert', { kind: 'auth-error', reason: 'bad-password' }],
    ['(VI_1) authentication type mismatch', { kind: 'auth-error', reason: 'type-mismatch' }],
  ];
  for (const [line, want] of cases) {
    const e = parseKeepalivedLogLine(line) as unknown as Record<string, unknown> | undefined;
    assert.ok(e, line);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(e[k], v, `${line}: ${k}`);
  }
});

test('a follow-mode parser remembers states across lines', () => {
  const p = new KeepalivedLogParser(UTC);
  const a = p.parseLine('(A) Entering BACKUP STATE (init)');
  const b = p.parseLine('(A) Entering MASTER STATE');
  const c = p.parseLine('(B) Entering MASTER STATE');
  assert.deepEqual(
    [a, b, c].map((e) => e?.kind === 'state' && [e.from, e.to]),
    [
      ['INIT', 'BACKUP'],
      ['BACKUP', 'MASTER'],
      [undefined, 'MASTER'],
    ],
  );
  assert.equal(p.parseLine('   '), undefined);
});
