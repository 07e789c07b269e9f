// `--packets`: one line per VRRP/CARP/ARP/NA packet, in the spirit of `tcpdump -v`, with the
// segment it was seen on and flags for anything odd (`ttl 64!`, `bad checksum`).

import type { Packet } from '../decode/packet.js';
import { inert } from '../util/inert.js';
import { dateParts, isoTime } from './time-format.js';

/** `2014-03-05 21:55:06.745123`; never throws (time-format.ts). */
export function formatTime(ns: bigint): string {
  const p = dateParts(ns);
  return p ? `${p.date} ${p.time}.${p.micros}` : isoTime(ns);
}

const AUTH = ['none', 'simple', 'ah'];

export function formatPacket(p: Packet, segment: string): string {
  const head = `${formatTime(p.ts)} ${inert(segment)}${p.direction === 'out' ? ' out' : ''}`;
  switch (p.kind) {
    case 'vrrp': {
      const v = p.vrrp;
      const flags: string[] = [];
      if (p.ip.ttl !== 255) flags.push(`${p.ip.family === 4 ? 'ttl' : 'hlim'} ${p.ip.ttl}!`);
      if (v.checksumStatus === 'bad') flags.push('bad checksum');
      else if (v.checksumStatus === 'unknown') flags.push('checksum unknown');
      else if (v.checksumVariant === 'v3-message-only') flags.push('checksum without pseudo-header');
      if (!p.ip.multicast) flags.push('unicast');
      if (!v.virtualMac && p.l2.src !== undefined) flags.push(`src mac ${p.l2.src}`);
      if (v.viaAh) flags.push('in AH');
      if (v.priority === 0) flags.push('release');
      let auth = '';
      if (v.authType !== undefined) {
        auth = ` auth ${AUTH[v.authType] ?? v.authType}`;
        if (v.authText !== undefined) auth += ` "${inert(v.authText)}"`;
      }
      const intvl = v.intervalUnit === 's' ? `${v.interval}s` : `${v.interval}cs`;
      return `${head} ${p.ip.src} > ${p.ip.dst}: VRRPv${v.version} vrid ${v.vrid} prio ${v.priority} intvl ${intvl}${auth} addrs(${v.count}): ${v.addresses.join(',')}${flags.length ? ' [' + flags.join(', ') + ']' : ''}`;
    }
    case 'carp': {
      const c = p.carp;
      const flags: string[] = [];
      if (p.ip.ttl !== 255) flags.push(`ttl ${p.ip.ttl}!`);
      if (c.checksumStatus === 'bad') flags.push('bad checksum');
      return `${head} ${p.ip.src} > ${p.ip.dst}: CARPv${c.version} vhid ${c.vhid} advbase ${c.advbase} advskew ${c.advskew} demote ${c.demotion} counter ${c.counter}${flags.length ? ' [' + flags.join(', ') + ']' : ''}`;
    }
    case 'arp': {
      const a = p.arp;
      const sip = a.senderIp ?? '?';
      const tip = a.targetIp ?? '?';
      let what: string;
      if (a.gratuitous) what = `${a.announcement ? 'gratuitous ARP announcement' : a.op === 2 ? 'gratuitous ARP reply' : 'gratuitous ARP'} ${sip} is-at ${a.senderMac}`;
      else if (a.probe) what = `ARP probe who-has ${tip} tell ${a.senderMac}`;
      else if (a.op === 1) what = `ARP request who-has ${tip} tell ${sip}`;
      else if (a.op === 2) what = `ARP reply ${sip} is-at ${a.senderMac}`;
      else if (a.op === 3) what = `RARP request who-is ${a.targetMac} tell ${a.senderMac}`;
      else if (a.op === 4) what = `RARP reply ${a.targetMac} at ${tip}`;
      else what = `ARP op ${a.op} ${sip} (${a.senderMac}) > ${tip}`;
      return `${head} ${a.senderMac} > ${p.l2.dst ?? '?'}: ${what}`;
    }
    case 'na': {
      const n = p.na;
      const flags = `${n.router ? 'R' : ''}${n.solicited ? 'S' : ''}${n.override ? 'O' : ''}` || '-';
      const kind = n.solicited ? 'neighbor advert' : 'unsolicited neighbor advert';
      return `${head} ${p.ip.src} > ${p.ip.dst}: ${kind} tgt ${n.target} is-at ${n.targetMac ?? '?'} flags ${flags}${p.ip.ttl !== 255 ? ` [hlim ${p.ip.ttl}!]` : ''}`;
    }
    case 'malformed': {
      const src = p.ip ? `${p.ip.src} > ${p.ip.dst}: ` : '';
      return `${head} ${src}malformed ${p.protocol}: ${inert(p.reason)}`;
    }
  }
}
