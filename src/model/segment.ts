// Which segment (broadcast domain) a packet was seen on: the interface name the capture recorded
// (pcapng if_name, live capture), else the interface index from an SLL2 header (`-i any`) — named
// by the caller's namer when it knows the index (`ip link` output, keepalived's data dump, …),
// `if<N>` otherwise — else the input's name. A label given with `-r LABEL=FILE` names the segment,
// or prefixes the interface when the file has several.
//
// The VLAN IDs are part of the segment, as Linux names VLAN devices: frames tagged 100 seen on eth0
// are `eth0.100` (the same segment as a capture on the eth0.100 device itself, where the kernel has
// removed the tag), stacked tags `eth0.100.200` (outermost first). Tagged and untagged VRRP on one
// wire are different broadcast domains and never mix. VLAN 0 is a priority tag, not a VLAN. When no
// interface name is known (an unlabelled pcap file), the segment is `FILE vlan 100`.

import type { Packet } from '../decode/packet.js';
import { inert } from '../util/inert.js';

const SLL = 113;
const SLL2 = 276;

/** Names interface indexes; undefined leaves the index as `if<N>`. */
export type InterfaceNamer = (index: number, p: Packet) => string | undefined;

export function segmentOf(p: Packet, labelled: boolean, namer?: InterfaceNamer): string {
  const segment = base(p, labelled, namer);
  const tags = p.l2 === undefined ? undefined : p.l2.vlans;
  if (tags === undefined || tags.length === 0) return segment;
  const ids = tags.filter((t) => t !== 0);
  if (ids.length === 0) return segment;
  return named || labelled ? `${segment}.${ids.join('.')}` : `${segment} vlan ${ids.join('.')}`;
}

/** Whether the last `base` call found an interface name (kept out of its result: no object per packet). */
let named = false;

function base(p: Packet, labelled: boolean, namer: InterfaceNamer | undefined): string {
  // dumpcap / tshark -i any write one pcapng interface called "any": the SLL2 header says which one.
  const anyName = p.ifName === 'any' && (p.linktype === SLL2 || p.linktype === SLL);
  let iface: string | undefined;
  if (p.ifName && !anyName) iface = inertName(p.ifName);
  else if (p.linktype === SLL2) {
    const index = p.linkIfIndex ?? (anyName ? undefined : p.ifIndex);
    if (index !== undefined) iface = namer?.(index, p) ?? indexName(index);
  }
  named = iface !== undefined;
  if (iface === undefined) return anyName && !labelled ? 'any' : p.input;
  if (iface === p.input) return p.input;
  return labelled ? joined(p.input, iface) : iface;
}

// A segment's name is made for every packet, then compared and looked up by the model: made anew
// each time, it costs an allocation, its hash and full comparisons (on an `-i any` capture of
// adverts, 4 % of all the instructions). So the names are made once and handed out again.

/** `if<N>` for the indexes nobody named, by index (at most this many kept). */
const indexNames = new Map<number, string>();
const INDEX_NAMES = 4096;

function indexName(index: number): string {
  let name = indexNames.get(index);
  if (name === undefined) {
    name = `if${index}`;
    if (indexNames.size < INDEX_NAMES) indexNames.set(index, name);
  }
  return name;
}

/** The last `label/interface` name made. */
let joinedInput = '';
let joinedIface = '';
let joinedName = '';

function joined(input: string, iface: string): string {
  if (input !== joinedInput || iface !== joinedIface) {
    joinedInput = input;
    joinedIface = iface;
    joinedName = `${input}/${iface}`;
  }
  return joinedName;
}

/** The last interface name and its inert form: asked for every packet, and it rarely changes. */
let lastName = '';
let lastInert = '';

function inertName(name: string): string {
  if (name !== lastName) {
    lastName = name;
    lastInert = inert(name);
  }
  return lastInert;
}
