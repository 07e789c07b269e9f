// Golden test over every capture of the shared corpus: for each frame tshark lists in
// `<capture>.tshark.tsv` (VRRP, CARP, HSRP, ARP, NA, IP proto 112; see PROVENANCE.md) our decoded
// packet must carry the same values as tshark's fields, and every frame tshark does not list must
// decode to nothing (we do not invent packets).
//
// Where we deliberately differ from tshark, or where tcpdump and tshark disagree, the rule is
// written next to the comparison and in its assertion message:
//
// * Records whose captured length exceeds the file's snaplen (the fuzzed tcpdump-*-oobr files) are
//   kept whole, as tshark (wiretap) keeps them; tcpdump (libpcap) clamps them to the snaplen, so
//   tcpdump's text for those frames shows less. Likewise tcpdump-icmp-oobr-2-fr-badhdr's records with
//   orig len < caplen or orig len 0: tcpdump prints `[Invalid header…]` and skips them, tshark (and
//   we) decode them. We follow tshark: a damaged length field is not a reason to hide a packet.
// * An IPv4 packet with More Fragments set (tcpdump-vrrp-oobr-2) is a fragment: tshark does not
//   decode VRRP in it (`ip:data`), tcpdump does. We follow tshark: a VRRP message cut by
//   fragmentation is not a VRRP message (its checksum covers the whole message), so we report a
//   `malformed` packet ("IP fragment") with the IP header and no VRRP fields.
// * 802.1ad (QinQ) S-tags: tshark puts them in `ieee8021ad.id`, not among our columns (`vlan.id`), so
//   for those frames the VLAN list is checked against tcpdump's text (`vlan 48`).
// * VRRP with an unknown version (ndpi-fuzz-vrrp-badversion, version 7): tshark reads it with the v2
//   layout, tcpdump prints `VRRPv7, unknown type`. We produce a `malformed` packet whose `partial`
//   fields are read with the v2 layout, so they are compared with tshark's.
// * ARP with hardware type 19 (ATMARP, RFC 2225) has another layout; tshark decodes it as `atmarp`
//   (so it is not in the TSV) and tcpdump prints `[|arp]`. We produce nothing for it.
// * A truncated VRRP message keeps, in `partial`, each field it has (as tshark shows them) and a
//   checksum status whenever the whole message the IP header describes was captured.
// * VRRP auth strings: tshark shows the 8 bytes up to the first NUL; we keep all 8 minus trailing
//   NULs, so the comparison cuts ours at the first NUL too.
// * One checksum status differs on purpose: see KNOWN_DIFFERENCES below.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { Packet } from '../src/decode/packet.js';
import { corpusCaptures, corpusOrSkip, corpusPath, epochText, readAll, readTsv, type CopiedFrame, type TsvRow } from './helpers/corpus.js';

type Cols = Record<string, string>;

const STATUS = { bad: '0', good: '1', unknown: '' } as const;

function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

/** tshark shows a FT_STRING up to its first NUL; bytes ≥ 0x80 that are not UTF-8 become U+FFFD. */
function tsharkString(latin1: string): string {
  const cut = latin1.indexOf('\0');
  const s = cut >= 0 ? latin1.slice(0, cut) : latin1;
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

/** Our packet rendered into tshark's column names (only the columns we have an opinion on). */
function ourColumns(p: Packet): Cols {
  const c: Cols = {};
  if (p.l2) {
    c['l2.src'] = p.l2.src ?? '';
    c['l2.dst'] = p.l2.dst ?? '';
    c['vlan.id'] = p.l2.vlans.join(',');
  }
  if (p.kind !== 'arp' && p.ip) {
    const v4 = p.ip.family === 4;
    c[v4 ? 'ip.src' : 'ipv6.src'] = p.ip.src;
    c[v4 ? 'ip.dst' : 'ipv6.dst'] = p.ip.dst;
    c[v4 ? 'ip.ttl' : 'ipv6.hlim'] = String(p.ip.ttl);
  }
  const vrrp = (v: Readonly<Record<string, unknown>>, family: 4 | 6 | undefined): void => {
    const num = (k: string, col: string): void => {
      if (typeof v[k] === 'number') c[col] = String(v[k]);
    };
    num('version', 'vrrp.version');
    num('type', 'vrrp.type');
    num('vrid', 'vrrp.virt_rtr_id');
    num('priority', 'vrrp.prio');
    num('count', 'vrrp.addr_count');
    num('authType', 'vrrp.auth_type');
    if (typeof v['interval'] === 'number') c[v['version'] === 3 ? 'vrrp.short_adver_int' : 'vrrp.adver_int'] = String(v['interval']);
    if (typeof v['checksum'] === 'number') c['vrrp.checksum'] = hex4(v['checksum']);
    if (typeof v['checksumStatus'] === 'string') c['vrrp.checksum.status'] = STATUS[v['checksumStatus'] as keyof typeof STATUS];
    if (Array.isArray(v['addresses'])) c[v['version'] === 3 && family === 6 ? 'vrrp.ipv6_addr' : 'vrrp.ip_addr'] = (v['addresses'] as string[]).join(',');
    if (typeof v['authText'] === 'string') c['vrrp.auth_string'] = tsharkString(v['authText']);
  };
  const arp = (a: Readonly<Record<string, unknown>>): void => {
    if (typeof a['htype'] === 'number') c['arp.hw.type'] = String(a['htype']);
    if (typeof a['hlen'] === 'number') c['arp.hw.size'] = String(a['hlen']);
    if (typeof a['op'] === 'number') c['arp.opcode'] = String(a['op']);
    // tshark shows hardware addresses as MACs only for Ethernet / IEEE 802 (hw type 1 or 6) with
    // length 6 (its ARP_HW_IS_ETHER); anything else is a plain byte string (`arp.src.hw`).
    const ether = (a['htype'] === 1 || a['htype'] === 6) && a['hlen'] === 6;
    if (typeof a['senderMac'] === 'string') {
      if (ether) c['arp.src.hw_mac'] = a['senderMac'];
      else c['arp.src.hw'] = a['senderMac'].replaceAll(':', '');
    }
    if (typeof a['targetMac'] === 'string' && ether) c['arp.dst.hw_mac'] = a['targetMac'];
    if (typeof a['senderIp'] === 'string') c['arp.src.proto_ipv4'] = a['senderIp'];
    if (typeof a['targetIp'] === 'string') c['arp.dst.proto_ipv4'] = a['targetIp'];
    // tshark adds these booleans only when true.
    if (typeof a['gratuitous'] === 'boolean') c['arp.isgratuitous'] = a['gratuitous'] ? '1' : '';
    if (typeof a['announcement'] === 'boolean') c['arp.isannouncement'] = a['announcement'] ? '1' : '';
    if (typeof a['probe'] === 'boolean') c['arp.isprobe'] = a['probe'] ? '1' : '';
  };
  const na = (n: Readonly<Record<string, unknown>>): void => {
    c['icmpv6.type'] = '136';
    for (const [k, col] of [
      ['router', 'icmpv6.nd.na.flag.r'],
      ['solicited', 'icmpv6.nd.na.flag.s'],
      ['override', 'icmpv6.nd.na.flag.o'],
    ] as const) {
      if (typeof n[k] === 'boolean') c[col] = n[k] ? '1' : '0';
    }
    if (typeof n['target'] === 'string') c['icmpv6.nd.na.target_address'] = n['target'];
    if ('targetMac' in n) c['icmpv6.opt.linkaddr'] = typeof n['targetMac'] === 'string' ? n['targetMac'] : '';
  };
  switch (p.kind) {
    case 'vrrp':
      vrrp(p.vrrp, p.ip.family);
      break;
    case 'arp':
      arp(p.arp);
      break;
    case 'na':
      na(p.na);
      break;
    case 'carp':
      break;
    case 'malformed':
      if (p.protocol === 'vrrp') vrrp(p.partial, p.ip?.family);
      else if (p.protocol === 'arp') arp(p.partial);
      else if (p.protocol === 'na') na(p.partial);
      break;
  }
  return c;
}

/** What kind of packet tshark's row says this frame is. */
function tsharkKind(r: TsvRow): 'vrrp' | 'carp' | 'hsrp' | 'arp' | 'na' | 'proto112' | 'other' {
  const protos = r['frame.protocols']!.split(':');
  if (protos.includes('hsrp')) return 'hsrp';
  if (protos.includes('vrrp')) return 'vrrp';
  if (protos.includes('carp')) return 'carp';
  if (protos.includes('arp')) return 'arp';
  if (r['icmpv6.type']!.split(',').includes('136')) return 'na';
  if (r['ip.proto']!.split(',').includes('112') || r['ipv6.nxt']!.split(',').includes('112')) return 'proto112';
  return 'other';
}

/**
 * Deliberate differences, one per frame and column: what we produce instead of tshark's value, and
 * why. The test fails if one is no longer hit, so the list cannot rot.
 */
const KNOWN_DIFFERENCES: Record<string, { readonly ours: string; readonly why: string }> = {
  'tcpdump-icmp-oobr-2-fr-badhdr.pcap#1#vrrp.checksum.status': {
    ours: '',
    why:
      'the IP header says the VRRP message is 40 bytes but the frame holds 31 of them (a bogus record: orig len 34 < caplen 64). ' +
      'tshark checksums the 31 bytes it has and says bad; we say unknown, because a message cut short cannot be verified ' +
      '(the checksum covers all 40 bytes). tcpdump skips the record as an invalid header.',
  },
};

/** Columns compared when tshark shows them; each maps to the same key in ourColumns. */
const COMPARED = [
  'ip.src',
  'ipv6.src',
  'ip.dst',
  'ipv6.dst',
  'ip.ttl',
  'ipv6.hlim',
  'vrrp.version',
  'vrrp.type',
  'vrrp.virt_rtr_id',
  'vrrp.prio',
  'vrrp.addr_count',
  'vrrp.auth_type',
  'vrrp.adver_int',
  'vrrp.short_adver_int',
  'vrrp.checksum',
  'vrrp.checksum.status',
  'vrrp.ip_addr',
  'vrrp.ipv6_addr',
  'vrrp.auth_string',
  'arp.hw.type',
  'arp.hw.size',
  'arp.opcode',
  'arp.src.hw',
  'arp.src.hw_mac',
  'arp.src.proto_ipv4',
  'arp.dst.hw_mac',
  'arp.dst.proto_ipv4',
  'arp.isgratuitous',
  'arp.isannouncement',
  'arp.isprobe',
  'icmpv6.nd.na.flag.r',
  'icmpv6.nd.na.flag.s',
  'icmpv6.nd.na.flag.o',
  'icmpv6.nd.na.target_address',
  'icmpv6.opt.linkaddr',
] as const;

const knownHit = new Set<string>();

function compareRow(file: string, pcapng: boolean, r: TsvRow, f: CopiedFrame | undefined, problems: string[]): void {
  const n = r['frame.number']!;
  const where = `${file} frame ${n}`;
  if (!f) {
    problems.push(`${where}: tshark lists it, our reader has no such frame`);
    return;
  }
  const kind = tsharkKind(r);
  // Frame-level values, for every row.
  const meta: [string, string, string][] = [
    ['frame.time_epoch', r['frame.time_epoch']!, epochText(f.ts)],
    ['frame.len', r['frame.len']!, String(f.origlen)],
    ['frame.cap_len', r['frame.cap_len']!, String(f.caplen)],
  ];
  const tIf = r['frame.interface_name']!;
  // tshark prints 'unknown' for a pcapng interface without if_name and '' for classic pcap (the '-'
  // in ndpi-hsrp2-ipv6-vlan.pcapng is the IDB's literal if_name "-", written by Wireshark on Windows).
  meta.push(['frame.interface_name', tIf === 'unknown' ? '' : tIf, f.ifName ?? '']);
  for (const [col, want, got] of meta) if (want !== got) problems.push(`${where}: ${col} tshark ${JSON.stringify(want)}, ours ${JSON.stringify(got)}`);
  if (pcapng && tIf === '') problems.push(`${where}: pcapng row without frame.interface_name`);

  const p = f.packet;
  if (kind === 'hsrp' || kind === 'other') {
    // We do not decode HSRP (UDP 1985/2029), nor whatever else matched the filter: no packet at all.
    if (p !== undefined) problems.push(`${where}: tshark says ${r['frame.protocols']}, we produced a ${p.kind} packet (HSRP is not ours to decode)`);
    return;
  }
  if (!p) {
    problems.push(`${where}: tshark decodes ${kind} (${r['frame.protocols']}), we produced nothing`);
    return;
  }
  if (kind === 'proto112') {
    // IP proto 112 that tshark does not decode as VRRP: in this corpus only the IP fragments of
    // tcpdump-vrrp-oobr-2. tcpdump decodes VRRP in them; we follow tshark (see the file comment).
    if (p.kind !== 'malformed' || !/fragment/i.test(p.reason)) problems.push(`${where}: tshark sees IP proto 112 as ${r['frame.protocols']} (not VRRP); expected a malformed "IP fragment" packet, got ${p.kind}${p.kind === 'malformed' ? ` (${p.reason})` : ''} [we follow tshark, not tcpdump, for VRRP in IP fragments]`);
  } else if (p.kind !== kind && !(p.kind === 'malformed' && p.protocol === kind)) {
    problems.push(`${where}: tshark decodes ${kind}, we produced ${p.kind}${p.kind === 'malformed' ? ` ${p.protocol} (${p.reason})` : ''}`);
    return;
  }
  const ours = ourColumns(p);
  // Link layer: the MACs the VRRP/ARP logic uses. For 802.1ah the customer (inner) MACs, for SLL the
  // sender's address (no destination), otherwise the Ethernet header.
  const csrc = r['ieee8021ah.csrc']!;
  const wantSrc = csrc !== '' ? csrc : r['sll.src.eth'] !== '' ? r['sll.src.eth']! : r['eth.src']!;
  const wantDst = csrc !== '' ? r['ieee8021ah.cdst']! : r['eth.dst']!;
  if (ours['l2.src'] !== undefined) {
    if (ours['l2.src'] !== wantSrc) problems.push(`${where}: source MAC tshark ${wantSrc}, ours ${ours['l2.src']}`);
    if (ours['l2.dst'] !== wantDst) problems.push(`${where}: destination MAC tshark ${wantDst}, ours ${ours['l2.dst']}`);
  }
  if (ours['vlan.id'] !== undefined) {
    if (r['frame.protocols']!.includes('ieee8021ad')) {
      // tshark shows QinQ S-tags as ieee8021ad.id, not in our columns: tcpdump prints "vlan 48".
      if (ours['vlan.id'] !== '48') problems.push(`${where}: 802.1ad S-VID: tcpdump says vlan 48, ours ${ours['vlan.id']}`);
    } else if (ours['vlan.id'] !== r['vlan.id']) problems.push(`${where}: vlan.id tshark ${r['vlan.id']}, ours ${ours['vlan.id']}`);
  }
  const malformed = p.kind === 'malformed';
  for (const col of COMPARED) {
    const want = r[col]!;
    const got = ours[col];
    if (got === undefined) {
      // A decoded packet must have every field tshark shows. A malformed one may stop earlier than
      // tshark in its protocol's fields (tshark shows what it could read, and so do we, but not
      // always the same amount), never in the IP header.
      const protocolField = col.startsWith('vrrp.') || col.startsWith('arp.') || col.startsWith('icmpv6.');
      if (want !== '' && (!malformed || !protocolField)) problems.push(`${where}: ${col} tshark ${JSON.stringify(want)}, ours missing`);
      continue;
    }
    const known = KNOWN_DIFFERENCES[`${file}#${n}#${col}`];
    if (known && got === known.ours && got !== want) {
      knownHit.add(`${file}#${n}#${col}`);
      continue;
    }
    if (got !== want) problems.push(`${where}: ${col} tshark ${JSON.stringify(want)}, ours ${JSON.stringify(got)}${malformed ? ` (malformed ${p.protocol}: ${p.reason})` : ''}`);
  }
}

test('corpus golden: every tshark-listed frame matches our decode, and nothing else decodes', async (t) => {
  if (!corpusOrSkip(t)) return;
  const captures = corpusCaptures();
  assert.ok(captures.length >= 27, `expected the 27 corpus captures, found ${captures.length}`);
  let rowsChecked = 0;
  const kinds: Record<string, number> = {};
  for (const file of captures) {
    await t.test(file, async () => {
      const tsvPath = corpusPath(file) + '.tshark.tsv';
      assert.ok(existsSync(tsvPath), `${file}: no tshark TSV beside it`);
      const rows = readTsv(tsvPath);
      const { frames, summary } = await readAll(corpusPath(file), file);
      assert.equal(summary.error, undefined, `${file}: reader error ${summary.error?.message}`);
      const byNumber = new Map(frames.map((f) => [f.number, f]));
      const listed = new Set<number>();
      const problems: string[] = [];
      for (const r of rows) {
        const n = Number(r['frame.number']);
        listed.add(n);
        kinds[tsharkKind(r)] = (kinds[tsharkKind(r)] ?? 0) + 1;
        compareRow(file, summary.format === 'pcapng', r, byNumber.get(n), problems);
        rowsChecked++;
      }
      for (const f of frames) {
        if (listed.has(f.number) || !f.packet) continue;
        problems.push(`${file} frame ${f.number}: not VRRP/CARP/ARP/NA/proto-112 for tshark, but we produced ${f.packet.kind}${f.packet.kind === 'malformed' ? ` (${f.packet.reason})` : ''}`);
      }
      assert.deepEqual(problems.slice(0, 40), [], `${problems.length} differences from tshark in ${file}`);
    });
  }
  assert.deepEqual([...knownHit].sort(), Object.keys(KNOWN_DIFFERENCES).sort(), 'every documented difference from tshark is still a difference');
  // The corpus is what it says in PROVENANCE.md: guard against silently checking nothing.
  assert.ok(rowsChecked >= 2750, `only ${rowsChecked} tshark rows checked`);
  assert.ok((kinds['vrrp'] ?? 0) >= 180 && (kinds['arp'] ?? 0) >= 2300 && (kinds['na'] ?? 0) >= 2 && (kinds['hsrp'] ?? 0) >= 190, `row kinds ${JSON.stringify(kinds)}`);
});
