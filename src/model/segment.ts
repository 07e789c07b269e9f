// Which segment (broadcast domain) a packet was seen on: the interface name the capture recorded
// (pcapng if_name, live capture), else the SLL2 interface index, else the input's name. A label
// given with `-r LABEL=FILE` names the segment, or prefixes the interface when the file has several.

import type { Packet } from '../decode/packet.js';
import { inert } from '../util/inert.js';

const SLL2 = 276;

export function segmentOf(p: Packet, labelled: boolean): string {
  const iface = p.ifName ? inert(p.ifName) : p.linktype === SLL2 && p.ifIndex !== undefined ? `if${p.ifIndex}` : undefined;
  if (iface === undefined || iface === p.input) return p.input;
  return labelled ? `${p.input}/${iface}` : iface;
}
