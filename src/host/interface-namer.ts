// Names the interface indexes of an `-i any` capture (SLL2) while it is read, from what the
// operator gave: a map from `ip link` / `ip addr` output or keepalived's data dump (exact), else the
// keepalived configuration — an advert whose VRID and virtual addresses belong to exactly one
// configured instance arrived on that instance's interface (a gratuitous ARP / NA for a VIP of
// exactly one instance likewise). Every name used is remembered with how it was found, so the
// report can say which mapping it rests on.

import type { Packet } from '../decode/packet.js';
import type { InterfaceNamer } from '../model/segment.js';
import type { InterfaceNames } from './interface-names.js';
import { describeInterfaceNames, validInterfaceName } from './interface-names.js';

/** What the namer needs of a configured instance. */
export type NamerInstance = {
  readonly name: string;
  readonly interface: string | undefined;
  readonly vrid: number | undefined;
  readonly family: 4 | 6;
  readonly virtualAddresses: readonly { readonly address: string }[];
};

export type IfindexMapping = {
  readonly index: number;
  readonly name: string;
  /** 'keepalived-data' | 'ip-json' | 'ip-text' (a file), or 'keepalived-instance' (the one configured or dumped instance that matches). */
  readonly source: InterfaceNames['source'] | 'keepalived-instance';
  /** One plain sentence: where the name came from. */
  readonly how: string;
};

export class IfindexNamer {
  private readonly learned = new Map<number, IfindexMapping>();
  private readonly used = new Map<number, IfindexMapping>();
  private readonly unmapped = new Set<number>();

  constructor(
    private readonly names: InterfaceNames | undefined,
    private readonly instances: readonly NamerInstance[] = [],
  ) {}

  /** The function segmentOf takes. */
  readonly namer: InterfaceNamer = (index, p) => this.name(index, p);

  name(index: number, p: Packet): string | undefined {
    const seen = this.used.get(index);
    if (seen !== undefined) return seen.name;
    const e = this.names?.byIndex.get(index);
    if (e !== undefined && this.names !== undefined) {
      const how = `if${index} is ${e.name} in the ${sourceWords(this.names.source)}${this.names.file !== undefined ? ` ${this.names.file}` : ''}`;
      return this.use({ index, name: e.name, source: this.names.source, how });
    }
    const m = this.learned.get(index) ?? this.learn(index, p);
    if (m !== undefined) return this.use(m);
    this.unmapped.add(index);
    return undefined;
  }

  /** Whether it can learn names from instances (else a pre-read of the capture is of no use). */
  learns(): boolean {
    return this.names === undefined && this.instances.some((i) => i.interface !== undefined && i.vrid !== undefined);
  }

  /** After a pre-read: keep what was learned, forget which names were used and which indexes seen. */
  settle(): void {
    this.used.clear();
    this.unmapped.clear();
  }

  /** The mappings used so far, by index. */
  mappings(): IfindexMapping[] {
    return [...this.used.values()].sort((a, b) => a.index - b.index);
  }

  /** Indexes seen that nothing named (they stay `if<N>`). */
  unnamed(): number[] {
    return [...this.unmapped].filter((i) => !this.used.has(i)).sort((a, b) => a - b);
  }

  /** The file's whole map in one line, for the report. */
  describeFile(): string | undefined {
    return this.names !== undefined ? describeInterfaceNames(this.names) : undefined;
  }

  private use(m: IfindexMapping): string {
    this.used.set(m.index, m);
    this.unmapped.delete(m.index);
    return m.name;
  }

  private learn(index: number, p: Packet): IfindexMapping | undefined {
    let hits: NamerInstance[] = [];
    let why = '';
    if (p.kind === 'vrrp') {
      const addrs = p.vrrp.addresses;
      if (addrs.length === 0) return undefined;
      hits = this.instances.filter((i) => i.vrid === p.vrrp.vrid && i.family === p.ip.family && addrs.every((a) => i.virtualAddresses.some((v) => v.address === a)));
      why = `adverts for VRID ${p.vrrp.vrid} (${addrs.join(', ')})`;
    } else if (p.kind === 'arp' && p.arp.gratuitous && p.arp.senderIp !== undefined) {
      const ip = p.arp.senderIp;
      hits = this.instances.filter((i) => i.virtualAddresses.some((v) => v.address === ip));
      why = `gratuitous ARP for ${ip}`;
    } else if (p.kind === 'na') {
      const ip = p.na.target;
      hits = this.instances.filter((i) => i.virtualAddresses.some((v) => v.address === ip));
      why = `a neighbour advert for ${ip}`;
    } else return undefined;
    const names = [...new Set(hits.map((i) => i.interface).filter((n): n is string => n !== undefined && validInterfaceName(n)))];
    if (names.length !== 1) return undefined;
    const name = names[0]!;
    // An interface has one index: a second index with the same instance is not this interface.
    if ([...this.used.values()].some((m) => m.name === name && m.index !== index)) return undefined;
    const inst = hits.filter((i) => i.interface === name).map((i) => i.name);
    const m: IfindexMapping = { index, name, source: 'keepalived-instance', how: `if${index} is taken to be ${name}: ${why} arrived on it, and only keepalived instance ${inst.join(', ')} (interface ${name}) has them` };
    this.learned.set(index, m);
    return m;
  }
}

function sourceWords(s: InterfaceNames['source']): string {
  return s === 'keepalived-data' ? 'keepalived data dump' : s === 'ip-json' ? '`ip -j` output' : '`ip` output';
}
