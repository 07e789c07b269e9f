// Segment names: VLAN tags are part of the segment, and a `tcpdump -i any` capture's interface
// indexes are named from what the operator gave (ip link output, keepalived's data dump, or the
// configured instance whose VRID and addresses match) — and the report says which.
// Captures: the lab's real recordings (node2-any.pcap is tcpdump -i any, SLL2, on node2: eth0 = 2,
// eth1 = 3); the VLAN capture is the lab's real eth0 capture with an 802.1Q tag put into each frame.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeCaptures } from '../src/cli/analyze-captures.js';
import type { Packet } from '../src/decode/packet.js';
import { linkInstances } from '../src/host/correlate.js';
import { loadBundle } from '../src/host/host-evidence.js';
import { IfindexNamer } from '../src/host/interface-namer.js';
import { parseKeepalivedConfText } from '../src/host/keepalived/config.js';
import { segmentOf } from '../src/model/segment.js';
import { advert, garp } from './helpers/synthetic-packets.js';
import { runCli } from './helpers/run-cli.js';

const FIX = fileURLToPath(new URL('../../tests/fixtures/', import.meta.url));
const LAB = join(FIX, 'lab');
const SGF = join(LAB, 'sync-group-firewall');
const ANY = join(SGF, 'node2-any.pcap');

const tagged = (p: Packet, vlans: number[]): Packet => ({ ...p, l2: { ...(p as { l2: { src: string; dst: string } }).l2, vlans } }) as Packet;
const sll2 = (p: Packet, index: number, ifName?: string): Packet => ({ ...p, linktype: 276, ifName, ifIndex: ifName === 'any' ? 0 : index, linkIfIndex: index }) as Packet;

test('a VLAN tag is part of the segment: eth0.100, stacked eth0.100.200, VLAN 0 is no VLAN', () => {
  const a = advert({ src: '192.168.2.11' }, 1);
  assert.equal(segmentOf(a, false), 'eth0');
  assert.equal(segmentOf(tagged(a, [100]), false), 'eth0.100');
  assert.equal(segmentOf(tagged(a, [100, 200]), false), 'eth0.100.200');
  assert.equal(segmentOf(tagged(a, [0]), false), 'eth0', 'a priority tag (VID 0) is untagged traffic');
  assert.equal(segmentOf(tagged({ ...a, input: 'node1' }, [100]), true), 'node1/eth0.100');
  assert.equal(segmentOf(tagged({ ...a, input: 'eth0' }, [100]), false), 'eth0.100', 'live: the input is the interface');
  const file = { ...a, ifName: undefined, input: 'cap.pcap' } as Packet;
  assert.equal(segmentOf(tagged(file, [100]), false), 'cap.pcap vlan 100', 'no interface name: say it is a VLAN of the file');
  assert.equal(segmentOf(tagged({ ...file, input: 'eth0' }, [100]), true), 'eth0.100', '-r eth0=cap.pcap');
  assert.equal(segmentOf(tagged(garp('192.168.2.1', '02:00:00:00:00:0b', 1), [100]), false), 'eth0.100');
});

test('-i any: the SLL2 index names the segment; a namer maps it; pcapng\'s one interface "any" is not a segment', () => {
  const a = advert({ src: '192.168.2.11' }, 1);
  assert.equal(segmentOf(sll2({ ...a, ifName: undefined } as Packet, 3), false), 'if3');
  assert.equal(segmentOf(sll2({ ...a, ifName: undefined } as Packet, 3), false, (i) => (i === 3 ? 'eth0' : undefined)), 'eth0');
  assert.equal(segmentOf(sll2(a, 3, 'any'), false), 'if3', 'dumpcap -i any writes one IDB called "any"');
  assert.equal(segmentOf(tagged(sll2(a, 3, 'any'), [100]), false, () => 'eth0'), 'eth0.100');
});

test('names made once and handed out again stay right: thousands of indexes, inputs and interfaces interleaved', () => {
  const a = { ...advert({ src: '192.168.2.11' }, 1), ifName: undefined } as Packet;
  // past the 4 096 names kept, and back to the first ones
  for (const i of [1, 2, 4095, 4096, 4097, 70000, 2 ** 32 - 1, 1, 4097]) assert.equal(segmentOf(sll2(a, i), false), `if${i}`);
  // -r node1=… -r node2=… merged: the label/interface pairs alternate packet by packet
  const pcapng = (input: string, ifName: string): Packet => ({ ...a, input, ifName }) as Packet;
  const seen: string[] = [];
  for (const [input, ifName] of [['node1', 'eth0'], ['node2', 'eth0'], ['node2', 'eth1'], ['node1', 'eth0'], ['node1', 'eth1'], ['node1', 'eth1']]) seen.push(segmentOf(pcapng(input!, ifName!), true));
  assert.deepEqual(seen, ['node1/eth0', 'node2/eth0', 'node2/eth1', 'node1/eth0', 'node1/eth1', 'node1/eth1']);
  assert.equal(segmentOf(sll2({ ...a, input: 'node2' } as Packet, 7), true), 'node2/if7');
  assert.equal(segmentOf(sll2({ ...a, input: 'node1' } as Packet, 7), true), 'node1/if7');
});

test('the namer learns an index from the one configured instance whose VRID and VIPs match, never from an ambiguous one', () => {
  const conf = parseKeepalivedConfText(
    ['A eth0 51 192.168.2.1', 'B eth1 52 10.1.2.1', 'C eth2 53 10.9.9.1', 'D eth3 53 10.9.9.1'].map((l) => {
      const [n, i, v, ip] = l.split(' ');
      return `vrrp_instance ${n} {\n  interface ${i}\n  virtual_router_id ${v}\n  virtual_ipaddress {\n    ${ip}/24\n  }\n}\n`;
    }).join(''),
    't.conf',
  );
  const namer = new IfindexNamer(undefined, conf.instances);
  const at = (p: Packet, i: number): string => segmentOf(sll2({ ...p, ifName: undefined } as Packet, i), false, namer.namer);
  assert.equal(at(garp('10.1.2.1', '02:00:00:00:00:0c', 1), 3), 'eth1', 'a gratuitous ARP for a VIP of exactly one instance');
  assert.equal(at(advert({ src: '192.168.2.11' }, 1), 2), 'eth0');
  assert.equal(at(advert({ src: '192.168.2.11', vips: ['192.168.2.1', '192.168.2.9'] }, 1), 7), 'if7', 'an address the instance does not have');
  assert.equal(at(advert({ src: '10.9.9.11', vrid: 53, vips: ['10.9.9.1'] }, 1), 5), 'if5', 'two instances (eth2, eth3) fit: no guess');
  assert.equal(at(advert({ src: '192.168.2.11' }, 1), 9), 'if9', 'eth0 already has index 2');
  assert.equal(at(advert({ src: '192.168.2.11' }, 2), 2), 'eth0', 'sticky');
  assert.deepEqual(namer.mappings().map((m) => [m.index, m.name, m.source]), [
    [2, 'eth0', 'keepalived-instance'],
    [3, 'eth1', 'keepalived-instance'],
  ]);
  assert.deepEqual(namer.unnamed(), [5, 7, 9]);
});

async function any(host?: ReturnType<typeof loadBundle>) {
  return analyzeCaptures([{ label: undefined, path: ANY }], { warn: (m) => assert.fail(m), ...(host ? { host } : {}) });
}
const segments = (a: Awaited<ReturnType<typeof any>>): string[] => [...new Set([...a.timeline.vrids.values()].map((v) => v.segment))].sort();

test('node2-any.pcap alone: segments if2/if3 (nothing names them)', async () => {
  assert.deepEqual(segments(await any()), ['if2', 'if3']);
});

for (const [how, bundle, source, says] of [
  ['the configured instances', { conf: join(SGF, 'node2.conf') }, 'keepalived-instance', /if2 is taken to be eth0: adverts for VRID 51 \(192\.168\.2\.1, 192\.168\.2\.2\) arrived on it, and only keepalived instance SERVICE \(interface eth0\) has them/],
  ['keepalived\'s JSON dump (no configuration)', { json: [`${join(SGF, 'node2-json-1795640469.json')}@1795640469`] }, 'keepalived-instance', /if3 is taken to be eth1: adverts for VRID 52 \(10\.1\.2\.1\) arrived on it, and only keepalived instance BACKEND \(interface eth1\) has them/],
  ['`ip -j link` output (--ip-link)', { interfaces: join(FIX, 'host', 'lab-node2.ip-j-link.json') }, 'ip-json', /if2 is eth0 in the `ip -j` output .*lab-node2\.ip-j-link\.json/],
  ['`ip addr` output (--ip-link)', { interfaces: join(FIX, 'host', 'lab-node2.ip-addr.txt') }, 'ip-text', /if3 is eth1 in the `ip` output/],
  ['keepalived\'s data dump (--keepalived-json keepalived.data)', { json: [join(FIX, 'keepalived', 'lab-2.2.7', 'node2-a.data')] }, 'keepalived-data', /if2 is eth0 in the keepalived data dump/],
] as const) {
  test(`node2-any.pcap named from ${how}; the report says which mapping`, async () => {
    const host = loadBundle(bundle);
    assert.deepEqual(host.problems, []);
    const a = await any(host);
    assert.deepEqual(segments(a), ['eth0', 'eth1']);
    assert.deepEqual(host.namer?.mappings().map((m) => [m.index, m.name, m.source]), [
      [2, 'eth0', source],
      [3, 'eth1', source],
    ]);
    const info = a.findings.find((f) => f.code === 'interface-names');
    assert.ok(info, JSON.stringify(a.findings.map((f) => f.code)));
    assert.equal(info.severity, 'info');
    assert.equal(info.message, 'this capture names interfaces by index only (tcpdump -i any): if2 = eth0, if3 = eth1');
    assert.ok(info.evidence.some((e) => says.test(e)), info.evidence.join('\n'));
  });
}

test('node2-any.pcap with node2\'s whole bundle: the drop is on eth0, named, and no advice says if2', async () => {
  const d = SGF;
  const host = loadBundle({ conf: join(d, 'node2.conf'), json: ['1795640445', '1795640450', '1795640455', '1795640461', '1795640467', '1795640469'].map((t) => `${join(d, `node2-json-${t}.json`)}@${t}`), log: join(d, 'node2.log'), firewall: [join(d, 'node2.iptables-save')] });
  const a = await any(host);
  const f = a.findings.find((x) => x.code === 'adverts-dropped-on-host');
  assert.ok(f, JSON.stringify(a.findings.map((x) => x.code)));
  assert.equal(f.segment, 'eth0');
  assert.match(f.message, /reach eth0 on node2 but keepalived never gets them .*iptables filter INPUT rule 1 `-A INPUT -i eth0 -p vrrp -j DROP`/);
  assert.ok(f.evidence.some((e) => /^if2 is taken to be eth0: adverts for VRID 51/.test(e)), f.evidence.join('\n'));
  for (const x of a.findings) assert.ok(!x.advice.some((l) => /\bif\d\b/.test(l)), `${x.code}: ${x.advice.join(' | ')}`);
  assert.deepEqual(linkInstances(a.timeline, host).map((l) => [l.name, l.vrid.segment]).sort(), [['BACKEND', 'eth1'], ['SERVICE', 'eth0']]);
});

test('wire only, -i any: the firewall advice never pastes `-i if2`; it prints how to find the name', async () => {
  const a = await analyzeCaptures([{ label: undefined, path: join(LAB, 'firewall-eth0-one', 'node2-any.pcap') }], { warn: () => undefined });
  // node2 is deaf on eth0 and took over; node1 yielded to it: one-way VRRP, the firewall of node2.
  const f = a.findings.find((x) => x.code === 'one-way-vrrp');
  assert.ok(f, JSON.stringify(a.findings.map((x) => x.code)));
  assert.equal(f.segment, 'if2');
  assert.ok(!f.advice.some((l) => /-i if2|"if2"|on if2 proto/.test(l)), f.advice.join('\n'));
  assert.ok(f.advice[0]!.includes(`ip -o link | awk -F': ' '$1 == 2 { sub(/@.*/, "", $2); print $2 }'`), f.advice.join("\n"));
  assert.ok(f.advice.some((l) => l.includes('iptables -I INPUT -i <interface> -p vrrp -j ACCEPT')));
  assert.ok(f.advice.some((l) => l.includes('iifname <interface> meta l4proto vrrp accept')), 'unquoted: the shell refuses it as it is');
});

test('--ip-link on the command line: accepted in the offline bundle, named in --json', async () => {
  const r = runCli(['-r', ANY, '--ip-link', join(FIX, 'host', 'lab-node2.ip-j-link.json'), '--json']);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type?: string; code?: string; message?: string; segment?: string });
  assert.ok(lines.some((l) => l.code === 'interface-names' && /if2 = eth0, if3 = eth1/.test(l.message ?? '')), r.stdout.slice(0, 800));
  const bad = runCli(['-r', ANY, '--ip-link', join(FIX, 'host', 'generate.sh'), '--report']);
  assert.match(bad.stderr, /generate\.sh: not `ip -j link`, `ip addr` output or a keepalived data dump/);
  assert.ok(!/\n\s+at /.test(bad.stderr), 'one line, no stack trace');
});

/** The pcap with an 802.1Q tag (TPID 0x8100, VID `vid`) after each frame's MAC addresses. */
function tagPcap(pcap: Buffer, vid: number): Buffer {
  assert.equal(pcap.readUInt32LE(0), 0xa1b2c3d4, 'little-endian microsecond pcap');
  assert.equal(pcap.readUInt32LE(20), 1, 'Ethernet');
  const parts: Buffer[] = [pcap.subarray(0, 24)];
  for (let at = 24; at + 16 <= pcap.length; ) {
    const incl = pcap.readUInt32LE(at + 8);
    const hdr = Buffer.from(pcap.subarray(at, at + 16));
    hdr.writeUInt32LE(incl + 4, 8);
    hdr.writeUInt32LE(pcap.readUInt32LE(at + 12) + 4, 12);
    const frame = pcap.subarray(at + 16, at + 16 + incl);
    const tag = Buffer.from([0x81, 0x00, (vid >> 8) & 0x0f, vid & 0xff]);
    parts.push(hdr, frame.subarray(0, 12), tag, frame.subarray(12));
    at += 16 + incl;
  }
  return Buffer.concat(parts);
}

test('tagged and untagged VRRP on one wire never mix; an instance on eth0.100 links to the tagged segment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsh-vlan-'));
  try {
    const plain = join(LAB, 'healthy', 'node1-eth0.pcap');
    const tagged100 = join(dir, 'node1-eth0-vlan100.pcap');
    writeFileSync(tagged100, tagPcap(readFileSync(plain), 100));
    const inputs = [
      { label: 'eth0', path: plain },
      { label: 'eth0', path: tagged100 },
    ];
    const wire = await analyzeCaptures(inputs, { warn: (m) => assert.fail(m) });
    const vrids = [...wire.timeline.vrids.values()];
    assert.deepEqual(vrids.map((v) => `${v.segment}/${v.vrid}`).sort(), ['eth0.100/51', 'eth0/51']);
    const one = vrids.find((v) => v.segment === 'eth0')!;
    const two = vrids.find((v) => v.segment === 'eth0.100')!;
    assert.equal(one.adverts, two.adverts, 'each segment holds its own copy of the adverts, none doubled');
    assert.deepEqual(wire.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code} ${f.message}`), [], 'two healthy VLANs, no conflict');
    const conf = readFileSync(join(LAB, 'healthy', 'node1.conf'), 'utf8').replace(/interface eth0\b/g, 'interface eth0.100').replace(/dev eth0\b/g, 'dev eth0.100');
    const host = loadBundle({});
    host.config = parseKeepalivedConfText(conf, 'node1.conf');
    const a = await analyzeCaptures(inputs, { warn: (m) => assert.fail(m), host });
    assert.ok(a.instances.some((l) => l.name === 'SERVICE' && l.vrid.segment === 'eth0.100'), JSON.stringify(a.instances.map((l) => [l.name, l.vrid.segment])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every lab -i any capture, named from node2\'s configuration alone: only eth0 and eth1, nothing left as if<N>', async () => {
  const { readdirSync, existsSync } = await import('node:fs');
  let n = 0;
  for (const dir of readdirSync(LAB).sort()) {
    const d = join(LAB, dir);
    if (!existsSync(join(d, 'node2-any.pcap'))) continue;
    const host = loadBundle({ conf: join(d, 'node2.conf') });
    const a = await analyzeCaptures([{ label: undefined, path: join(d, 'node2-any.pcap') }], { warn: () => undefined, host });
    // vrid-conflict-v2: the other cluster's adverts on index 2 come before node2's own; the file is
    // read once ahead to learn the names, so they are on eth0 too.
    // A VLAN on eth0 is a segment of its own (eth0.100), named from eth0 as well.
    assert.deepEqual(segments(a).filter((x) => !/^eth0\.\d+$/.test(x)), ['eth0', 'eth1'], dir);
    assert.ok(!a.findings.some((f) => /^if\d/.test(f.segment ?? '')), dir);
    n++;
  }
  assert.ok(n >= 10, `${n} -i any captures`);
});
