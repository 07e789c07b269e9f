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
import type { Packet } from '../src/decode/packet.js';
import { advert, at, garp, type AdvertSpec } from './helpers/synthetic-packets.js';
import { Timeline } from '../src/model/timeline.js';

type Series = AdvertSpec & { start?: number; end?: number; every?: number; at?: number };
type Garp = { garp: string; mac: string; at: number };
type Scenario = {
  description: string;
  events: (Series | Garp)[];
  tickTo?: number;
  expect: { master: string | null; transitions: [string | null, string, string][]; findings: string[] };
};

const DIR = fileURLToPath(new URL('../../tests/scenarios/', import.meta.url));
function expand(sc: Scenario): Packet[] {
  const out: Packet[] = [];
  for (const e of sc.events) {
    if ('garp' in e) out.push(garp(e.garp, e.mac, e.at));
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
