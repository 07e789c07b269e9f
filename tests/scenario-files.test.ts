// Scenario files (tests/scenarios/*.json), trippy-style: the input events and the expected timeline
// and findings side by side in one data file, one test per file. A file describes adverts as
// series ({src, start, end, every}) or single packets ({src, at}), gratuitous ARPs ({garp: ip,
// mac, at}), and an optional final tick; `expect` lists the master, the transitions and exactly
// which findings (code:severity) must come out.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyze } from '../src/analysis/analyze.js';
import type { ArpPacket, Packet, VrrpPacket } from '../src/decode/packet.js';
import { Timeline } from '../src/model/timeline.js';

type Series = { src: string; start?: number; end?: number; every?: number; at?: number; prio?: number; cs?: number; v?: 2 | 3; vips?: string[]; auth?: string; vrid?: number; mac?: string };
type Garp = { garp: string; mac: string; at: number };
type Scenario = {
  description: string;
  events: (Series | Garp)[];
  tickTo?: number;
  expect: { master: string | null; transitions: [string | null, string, string][]; findings: string[] };
};

const DIR = fileURLToPath(new URL('../../tests/scenarios/', import.meta.url));
const at = (sec: number): bigint => BigInt(Math.round(sec * 1e6)) * 1000n;
const macOf = (src: string): string => `02:00:00:00:00:${(Number(src.split('.').pop()) % 256).toString(16).padStart(2, '0')}`;

function meta(ts: number) {
  return { ts: at(ts), input: 'scenario', ifName: 'eth0', ifIndex: 0, direction: 'unknown' as const, frame: 0, caplen: 60, origlen: 60, linktype: 1 };
}

function advert(s: Series, t: number): VrrpPacket {
  const version = s.v ?? 2;
  const cs = s.cs ?? 100;
  return {
    kind: 'vrrp',
    ...meta(t),
    l2: { src: s.mac ?? macOf(s.src), dst: '01:00:5e:00:00:12', vlans: [] },
    ip: { family: 4, src: s.src, dst: '224.0.0.18', ttl: 255, proto: 112, multicast: true },
    vrrp: {
      version,
      type: 1,
      vrid: s.vrid ?? 51,
      priority: s.prio ?? 100,
      count: (s.vips ?? ['192.168.2.1']).length,
      authType: version === 2 ? (s.auth ? 1 : 0) : undefined,
      authText: version === 2 ? s.auth : undefined,
      interval: version === 2 ? cs / 100 : cs,
      intervalUnit: version === 2 ? 's' : 'cs',
      intervalCs: cs,
      checksum: 0,
      checksumStatus: 'good',
      checksumVariant: version === 2 ? 'v2-message' : 'v3-pseudo-header',
      addresses: s.vips ?? ['192.168.2.1'],
      length: 20,
      virtualMac: false,
      viaAh: false,
    },
  };
}

function garp(g: Garp): ArpPacket {
  return {
    kind: 'arp',
    ...meta(g.at),
    l2: { src: g.mac, dst: 'ff:ff:ff:ff:ff:ff', vlans: [] },
    arp: { htype: 1, ptype: 0x800, hlen: 6, plen: 4, op: 1, senderMac: g.mac, senderIp: g.garp, targetMac: '00:00:00:00:00:00', targetIp: g.garp, gratuitous: true, announcement: true, probe: false },
  };
}

function expand(sc: Scenario): Packet[] {
  const out: Packet[] = [];
  for (const e of sc.events) {
    if ('garp' in e) out.push(garp(e));
    else if (e.at !== undefined) out.push(advert(e, e.at));
    else for (let t = e.start ?? 0; t <= (e.end ?? 0) + 1e-9; t += e.every ?? 1) out.push(advert(e, Math.round(t * 1e6) / 1e6));
  }
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
  const sc = JSON.parse(readFileSync(DIR + file, 'utf8')) as Scenario;
  test(`${file}: ${sc.description}`, () => {
    const t = new Timeline();
    for (const p of expand(sc)) t.apply({ kind: 'packet', segment: 'eth0', packet: p });
    if (sc.tickTo !== undefined) t.apply({ kind: 'tick', ts: at(sc.tickTo) });
    const v = [...t.vrids.values()].find((x) => x.vrid === 51)!;
    assert.equal(v.master ?? null, sc.expect.master, 'master at the end');
    assert.deepEqual(
      v.transitions.map((x) => [x.from ?? null, x.to, x.reason]),
      sc.expect.transitions,
      'transitions',
    );
    const got = analyze(t).map((f) => `${f.code}:${f.severity}`).sort();
    assert.deepEqual(got, [...sc.expect.findings].sort(), 'findings');
  });
}
