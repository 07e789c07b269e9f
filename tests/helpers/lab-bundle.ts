// A lab recording (tests/fixtures/lab/<scenario>/) written as a multi-node bundle, the way --ssh
// writes one: each node's per-interface captures, and — when asked — its keepalived configuration,
// dumps at their times, ruleset and log, its own addresses, its clock estimate.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BundleWriter } from '../../src/bundle/bundle-writer.js';
import { readCapture } from '../../src/capture/capture-source.js';
import { Direction } from '../../src/capture/frame.js';

export type LabBundleOptions = {
  /** Per node, the interfaces whose capture goes in (default: node1 and node2, eth0 and eth1). */
  readonly interfaces?: Readonly<Record<string, readonly string[]>>;
  /** Add each node's configuration, dumps, ruleset (`rules` may rewrite it) and log. */
  readonly evidence?: boolean;
  readonly rules?: (node: string, text: string) => string;
  readonly localAddresses?: Readonly<Record<string, readonly string[]>>;
  readonly clocks?: Readonly<Record<string, { readonly offsetNs: bigint; readonly uncertaintyNs: bigint }>>;
  /** Mark the frames a node sent itself as outgoing (tcpdump -i any does; the lab's pcaps do not say). */
  readonly markOwn?: boolean;
  /** Leave out frames after this time; end the bundle at `end` (default: its last frame). */
  readonly cut?: bigint;
  readonly end?: bigint;
};

type Scenario = { nodes: Record<string, { interfaces: Record<string, { mac: string }> }> };

export async function labBundle(lab: string, dir: string, o: LabBundleOptions = {}): Promise<BundleWriter> {
  const scenario = JSON.parse(readFileSync(join(lab, 'scenario.json'), 'utf8')) as Scenario;
  const b = new BundleWriter(dir, 'vrrpscope test');
  const plan = o.interfaces ?? { node1: ['eth0', 'eth1'], node2: ['eth0', 'eth1'] };
  let last = 0n;
  for (const [node, ifaces] of Object.entries(plan)) {
    b.node(node, `ssh root@${node}`);
    const own = new Set(Object.values(scenario.nodes[node]?.interfaces ?? {}).map((i) => i.mac));
    for (const iface of ifaces) {
      await readCapture({ label: iface, path: join(lab, `${node}-${iface}.pcap`) }, (f) => {
        const ts = f.timestampNs();
        if (o.cut !== undefined && ts > o.cut) return;
        if (o.markOwn) f.direction = own.has([...f.data().subarray(6, 12)].map((x) => x.toString(16).padStart(2, '0')).join(':')) ? Direction.out : Direction.in;
        if (ts > last) last = ts;
        b.frame(node, f, iface, ts);
      }, () => undefined);
    }
  }
  const end = o.end ?? last;
  for (const node of Object.keys(plan)) {
    if (o.evidence) {
      b.evidence(node, 'conf-main', '/etc/keepalived/keepalived.conf', '', 0n);
      b.evidence(node, 'conf', '/etc/keepalived/keepalived.conf', readFileSync(join(lab, `${node}.conf`), 'utf8'), 0n);
      for (const f of readdirSync(lab).filter((x) => x.startsWith(`${node}-json-`)).sort()) {
        b.evidence(node, 'json', 'keepalived.json', readFileSync(join(lab, f), 'utf8'), BigInt(f.slice(`${node}-json-`.length, -5)) * 1_000_000_000n);
      }
      const rules = readFileSync(join(lab, `${node}.iptables-save`), 'utf8');
      b.evidence(node, 'firewall', 'iptables-save.txt', o.rules ? o.rules(node, rules) : rules, end);
      b.evidence(node, 'log', 'keepalived.log', readFileSync(join(lab, `${node}.log`), 'utf8'), 0n);
    }
    const addrs = o.localAddresses?.[node];
    if (addrs) b.setHost(node, { localAddresses: addrs, windowS: null });
    const c = o.clocks?.[node];
    if (c) b.setClock(node, { ...c, samples: 4, at: end });
  }
  await b.finish(end);
  return b;
}
