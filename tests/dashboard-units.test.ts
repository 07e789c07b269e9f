// The small pure pieces behind issue 12: one duration formatter, one segment shortening, masters
// with their priorities, the terminal's colours, the CLI's own words, and what the view-model
// derives while the model does not say it yet (claiming routers, cause/symptom, folded GARPs).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions, usageMessage, USAGE, UsageError } from '../src/cli/args.js';
import { terminalCaps } from '../src/cli/terminal-caps.js';
import { Timeline } from '../src/model/timeline.js';
import { analyze } from '../src/analysis/analyze.js';
import { shortSegment, vridLabeler, vridText, withPriority } from '../src/views/segment-name.js';
import { ageText, durationText, intervalText, seconds } from '../src/views/time-format.js';
import { commonPrefix, fitRouters, mastersText } from '../src/views/dashboard/vrid-table.js';
import { addressList, buildViewModel, findingKind } from '../src/views/dashboard/view-model.js';
import { wrapAtHyphens } from '../src/views/dashboard/event-log.js';
import { advert, garp, macOf } from './helpers/synthetic-packets.js';

test('durations: sub-second in ms, never "0.1s"; intervals in their unit', () => {
  assert.equal(durationText(0.05), '50ms');
  assert.equal(durationText(0.9996), '1.0s');
  assert.equal(durationText(3.61), '3.6s');
  assert.equal(durationText(0), '0ms');
  assert.equal(seconds(50_000_000n), '50ms');
  assert.equal(seconds(20_100_000_000n, 0), '20s');
  assert.equal(intervalText(5), '50ms');
  assert.equal(intervalText(100), '1s');
  assert.equal(intervalText(150), '1.5s');
  assert.equal(intervalText(1000), '10s');
  assert.equal(ageText(0.2), '200ms');
  assert.equal(ageText(650), '11m');
});

test('segment names: the extension goes first, then a label shrinks, then the middle; the VRID never', () => {
  assert.equal(shortSegment('eth0', 10), 'eth0');
  assert.equal(shortSegment('br0.pcap', 6), 'br0');
  assert.equal(shortSegment('node1/if2', 6), 'n1/if2');
  assert.equal(shortSegment('br0.pcapng/eth0', 8), 'br0/eth0');
  const cut = shortSegment('capture-of-the-web-bridge.pcap', 9);
  assert.equal(cut.length, 9);
  assert.match(cut, /^capt~idge$/);
  assert.equal(vridText({ segment: 'node1/if2', vrid: 60, family: 6 }, 11), 'n1/if2/60v6');
  const long = vridText({ segment: 'averyveryverylongname', vrid: 255, family: 4 }, 8);
  assert.equal(long.length, 8);
  assert.match(long, /^a\S*~\S*e\/255$/);
  // One table, one shortening: every row of a segment the same.
  const rows = [
    { segment: 'br0.pcap', vrid: 1, family: 4 },
    { segment: 'br0.pcap', vrid: 200, family: 6 },
  ];
  const l = vridLabeler(rows, 10);
  assert.equal(l(rows[0]!), 'br0/1');
  assert.equal(l(rows[1]!), 'br0/200v6');
});

test('masters keep their priorities whole; a split brain lists every master', () => {
  assert.equal(withPriority('fe80::5054:ff:fe12:3456', 200, 21), 'fe80::5~12:3456 (200)');
  const two = [
    { address: '192.168.2.12', priority: 100, local: false },
    { address: '192.168.2.11', priority: 100, local: false },
  ];
  assert.equal(mastersText(two, 24), '192.168.2.12+.11 (100)');
  assert.equal(mastersText([two[0]!, { ...two[1]!, priority: 90 }], 25), '192.168.2.12+.11 (100/90)');
  // Too narrow for both whole: the first address shrinks, the priorities do not.
  assert.match(mastersText([two[0]!, { ...two[1]!, priority: 90 }], 22), /~.*\+\.11 \(100\/90\)$/);
  assert.equal(commonPrefix(['fe80::5054:ff:fe12:3456', 'fe80::5054:ff:fe65:4321'], ':'), 'fe80::5054:ff:');
  const v6 = mastersText([{ address: 'fe80::5054:ff:fe12:3456', priority: 200, local: false }], 14);
  assert.match(v6, /\(200\)$/);
  assert.ok(v6.length <= 14);
  assert.equal(addressList(['192.168.2.2', '192.168.2.1']), '192.168.2.1, .2');
  // Backups: priorities stay whole too; what does not fit is counted.
  assert.equal(fitRouters(['fe80::5054:ff:fe12:3456 (200) silent'], 22), 'fe80~3456 (200) silent');
  assert.equal(fitRouters(['10.0.0.2 (90)', '10.0.0.3 (80)', '10.0.0.4 (70)'], 20), '10.0.0.2 (90) +2');
  assert.equal(fitRouters([], 10), '-');
});

test('terminal colours: trust *-256color and COLORTERM; 8 colours otherwise; none for NO_COLOR or vt100; dumb', () => {
  assert.equal(terminalCaps({ TERM: 'tmux-256color' }, 8).colors, 256);
  assert.equal(terminalCaps({ TERM: 'screen-256color' }, 8).colors, 256);
  assert.equal(terminalCaps({ TERM: 'xterm', COLORTERM: 'truecolor' }, 8).colors, 256);
  assert.equal(terminalCaps({ TERM: 'xterm' }, 8).colors, 8);
  assert.equal(terminalCaps({ TERM: 'linux' }, 8).colors, 8);
  assert.equal(terminalCaps({ TERM: 'vt100' }, -1).colors, 0);
  assert.equal(terminalCaps({ TERM: 'xterm-256color', NO_COLOR: '1' }, 256).colors, 0);
  assert.equal(terminalCaps({ TERM: 'dumb' }, undefined).dumb, true);
  assert.equal(terminalCaps({}, undefined).dumb, true);
  assert.equal(terminalCaps({ TERM: 'xterm' }, 8).dumb, false);
});

test('CLI: a bare FILE is -r FILE; parseArgs speaks as vrrpscope; --help fits 80 columns', () => {
  assert.deepEqual(parseOptions(['some.pcap']).inputs, [{ label: undefined, path: 'some.pcap' }]);
  assert.deepEqual(parseOptions(['-r', 'a.pcap', 'b.pcap']).inputs.map((i) => i.path), ['a.pcap', 'b.pcap']);
  assert.equal(usageMessage("Option '-r, --read <value>' argument missing"), '--read needs a value');
  assert.equal(usageMessage("Option '--report' does not take an argument"), '--report takes no value');
  assert.equal(usageMessage("Unknown option '--bogus'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--bogus\"'"), "unknown option '--bogus'");
  assert.throws(() => parseOptions(['--report=1']), (e: unknown) => e instanceof UsageError && e.message === '--report takes no value');
  for (const line of USAGE.split('\n')) assert.ok(line.length <= 80, `help line of ${line.length}: ${line}`);
});

test('findings: cause or symptom from the code until the analysis says (kind)', () => {
  assert.equal(findingKind({ code: 'check-firewall', severity: 'critical' }), 'cause');
  assert.equal(findingKind({ code: 'adverts-dropped-on-host', severity: 'critical' }), 'cause');
  assert.equal(findingKind({ code: 'split-brain', severity: 'critical' }), 'symptom');
  assert.equal(findingKind({ code: 'master-change', severity: 'info' }), 'info');
  assert.equal(findingKind({ code: 'split-brain', severity: 'critical', kind: 'cause' }), 'cause');
});

test('view-model: claiming routers, problems first, causes first, a takeover with its GARPs, a global banner', () => {
  const t = new Timeline();
  const T0 = 1_800_000_000;
  for (let s = 0; s < 20; s++) {
    t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src: '10.0.1.11', vrid: 1, vips: ['10.0.1.1'] }, T0 + s) });
    t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src: '10.0.9.11', vrid: 9, vips: ['10.0.9.1', '10.0.9.2'] }, T0 + s + 0.1) });
    if (s >= 10) t.apply({ kind: 'packet', segment: 'eth0', packet: advert({ src: '10.0.9.12', vrid: 9, vips: ['10.0.9.1', '10.0.9.2'] }, T0 + s + 0.6) });
  }
  for (const ip of ['10.0.9.1', '10.0.9.2']) for (let i = 0; i < 5; i++) t.apply({ kind: 'packet', segment: 'eth0', packet: garp(ip, macOf('10.0.9.12'), T0 + 10.6 + i * 0.001) });
  const findings = analyze(t);
  const ui = { selectedKey: undefined, filter: '', windowS: undefined, detail: false, order: 'problems' as const };
  const replay = { mode: 'replay' as const, paused: false, speed: undefined, loading: false, position: t.now, end: t.now };
  const vm = buildViewModel(t, findings, { label: 'x', dropped: 0 }, replay, ui);
  assert.equal(vm.rows[0]!.vrid, 9, 'the split VRID first');
  assert.deepEqual(vm.rows[0]!.masters.map((m) => m.address).sort(), ['10.0.9.11', '10.0.9.12']);
  assert.deepEqual(vm.rows[0]!.backups, [], 'a router that advertises is never a backup');
  assert.equal(vm.banner.severity, 'critical');
  const kinds = vm.findings.map((f) => f.kind);
  assert.deepEqual([...kinds].sort((a, b) => ['cause', 'symptom', 'info'].indexOf(a) - ['cause', 'symptom', 'info'].indexOf(b)), kinds, 'causes, then symptoms, then info');
  const takeover = vm.events.find((e) => e.kind === 'master' && e.text.includes('took over'));
  assert.match(takeover?.text ?? '', /10\.0\.9\.12 took over from 10\.0\.9\.11 .*: 5 GARPs for 10\.0\.9\.1, \.2/);
  assert.ok(!vm.events.some((e) => e.kind === 'garp' && e.where === 'eth0' && e.text.startsWith('10.0.9.')), 'the burst folded into the takeover');
  const stable = buildViewModel(t, findings, { label: 'x', dropped: 0 }, replay, { ...ui, order: 'stable' });
  assert.equal(stable.rows[0]!.vrid, 1);
  const filtered = buildViewModel(t, findings, { label: 'x', dropped: 0 }, replay, { ...ui, filter: '10.0.1.' });
  assert.deepEqual(filtered.rows.map((r) => r.vrid), [1]);
  assert.ok(filtered.findings.every((f) => f.where !== 'eth0/9'));
  assert.ok(filtered.events.every((e) => !e.text.includes('10.0.9.')));
  assert.equal(filtered.banner.severity, 'critical', 'the banner ignores the filter');
});

test('event lines wrap after a hyphen rather than in a word', () => {
  const lines = wrapAtHyphens('a took over (takeover-while-master-advertising): 5 GARPs', 24, '  ');
  assert.ok(lines.every((l) => l.length <= 24));
  const joined = lines.map((l, i) => (i ? l.trimStart() : l)).reduce((a, l) => (a.endsWith('-') ? a + l : `${a} ${l}`));
  assert.equal(joined, 'a took over (takeover-while-master-advertising): 5 GARPs');
});
