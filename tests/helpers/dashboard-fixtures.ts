// The view-models the dashboard's golden screens are drawn from, built once through the real model
// and analysis and then frozen in tests/golden/dashboard/view-model.json (UPDATE_GOLDEN_VM=1), so a
// change to the model does not move the widgets' goldens, and a change to a widget shows alone.
//
// - main / detail: the bundled incident (split brain on eth0, firewall cause), at its end.
// - many: twenty VRIDs on one segment named after its file (`br0.pcap`), one of them split.
// - ipv6: a VRRPv3 IPv6 VRID with a long link-local master, a 50 ms interval, a labelled segment
//   (`node1/if2`), a clean failover; and the stream header of a capture piped in.

import { readInputs } from '../../src/capture/read-inputs.js';
import { analyze } from '../../src/analysis/analyze.js';
import type { VrrpPacket, ArpPacket } from '../../src/decode/packet.js';
import { segmentOf } from '../../src/model/segment.js';
import { Timeline } from '../../src/model/timeline.js';
import { buildViewModel, type DashboardViewModel, type ReplayInfo, type UiState } from '../../src/views/dashboard/view-model.js';
import { advert, at, garp, macOf } from './synthetic-packets.js';

const ui = (over: Partial<UiState> = {}): UiState => ({ selectedKey: undefined, filter: '', windowS: undefined, detail: false, order: 'problems', ...over });
const atEnd = (t: Timeline): ReplayInfo => ({ mode: 'replay', paused: false, speed: undefined, loading: false, position: t.now, end: t.now });

export async function demoTimeline(path: string): Promise<Timeline> {
  const t = new Timeline();
  await readInputs([{ label: undefined, path }], (p) => t.apply({ kind: 'packet', segment: segmentOf(p, false), packet: p }), () => undefined);
  return t;
}

/** Twenty healthy VRIDs on `br0.pcap`, VRID 17 of them in a split brain for the last 30 s. */
export function manyTimeline(): Timeline {
  const t = new Timeline();
  const T0 = 1_800_000_000;
  const seg = 'br0.pcap';
  for (let s = 0; s < 60; s++) {
    for (let vrid = 1; vrid <= 20; vrid++) {
      const vips = [`10.20.${vrid}.1`];
      t.apply({ kind: 'packet', segment: seg, packet: advert({ src: `10.20.${vrid}.11`, vrid, vips, prio: 150 }, T0 + s + vrid / 100) });
      if (vrid === 17 && s >= 30) t.apply({ kind: 'packet', segment: seg, packet: advert({ src: `10.20.${vrid}.12`, vrid, vips, prio: 100 }, T0 + s + 0.5) });
    }
    if (s === 30) t.apply({ kind: 'packet', segment: seg, packet: garp('10.20.17.1', macOf('10.20.17.12'), T0 + s + 0.51) });
  }
  return t;
}

function advert6(src: string, vrid: number, prio: number, cs: number, vip: string, t: number): VrrpPacket {
  const a = advert({ src: '0.0.0.1', vrid, prio, cs, v: 3, vips: [vip] }, t);
  return { ...a, l2: { ...a.l2, src: `02:00:00:00:06:${prio.toString(16).padStart(2, '0')}`, dst: '33:33:00:00:00:12' }, ip: { ...a.ip, family: 6, src, dst: 'ff02::12' } } as VrrpPacket;
}

function na(target: string, mac: string, t: number): ArpPacket {
  // A GARP stands in for the unsolicited NA: the fold into the takeover is what is drawn.
  return garp(target, mac, t);
}

/** IPv6 VRRPv3 on `node1/if2` with a 50 ms interval; the master fails over cleanly at 20 s. */
export function ipv6Timeline(): Timeline {
  const t = new Timeline();
  const T0 = 1_800_000_000;
  const seg = 'node1/if2';
  const a = 'fe80::5054:ff:fe12:3456';
  const b = 'fe80::5054:ff:fe65:4321';
  for (let ms = 0; ms < 30_000; ms += 50) {
    const s = T0 + ms / 1000;
    if (ms < 20_000) t.apply({ kind: 'packet', segment: seg, packet: advert6(a, 60, 200, 5, '2001:db8:60::1', s) });
    else if (ms >= 20_200) t.apply({ kind: 'packet', segment: seg, packet: advert6(b, 60, 100, 5, '2001:db8:60::1', s) });
    if (ms % 1000 === 0) t.apply({ kind: 'packet', segment: 'node1/if3', packet: advert({ src: '192.168.7.2', vrid: 7, vips: ['192.168.7.1', '192.168.7.3'], prio: 120 }, s) });
  }
  for (let i = 0; i < 5; i++) t.apply({ kind: 'packet', segment: seg, packet: na('2001:db8:60::1', '02:00:00:00:06:64', T0 + 20.2 + i * 0.001) });
  t.apply({ kind: 'tick', ts: at(T0 + 30) });
  return t;
}

export async function fixtureViewModels(demoPath: string): Promise<Record<string, DashboardViewModel>> {
  const demo = await demoTimeline(demoPath);
  const df = analyze(demo);
  const src = { label: 'demo: incident-firewall-eth0.pcapng', dropped: 0 };
  const main = buildViewModel(demo, df, src, atEnd(demo), ui());
  const detail = buildViewModel(demo, df, src, atEnd(demo), ui({ selectedKey: main.rows[0]!.key, detail: true }));
  const many = manyTimeline();
  const mf = analyze(many);
  const manyVm = buildViewModel(many, mf, { label: 'br0.pcap', dropped: 0, instances: new Map([[[...many.vrids.values()].find((v) => v.vrid === 17)!.key, 'VI_17 (G_WEB) MASTER']]) }, atEnd(many), ui());
  const six = ipv6Timeline();
  const sf = analyze(six);
  const stream: ReplayInfo = { mode: 'stream', paused: false, speed: undefined, loading: true, position: six.now, end: six.now, stream: { lastPacketAgoS: 7.4, closed: false, wallClock: true } };
  const ipv6 = buildViewModel(six, sf, { label: 'stdin', dropped: 0 }, stream, ui());
  const ipv6Detail = buildViewModel(six, sf, { label: 'stdin', dropped: 0 }, stream, ui({ selectedKey: ipv6.rows.find((r) => r.family === 6)!.key, detail: true }));
  const filtered = buildViewModel(demo, df, src, atEnd(demo), ui({ filter: 'eth1' }));
  const manyStable = buildViewModel(many, mf, { label: 'br0.pcap', dropped: 0 }, atEnd(many), ui({ order: 'stable' }));
  return { main, detail, filtered, many: manyVm, manyStable, ipv6, ipv6Detail };
}
