// The decoder shares the records of an advert that repeats one byte for byte (issue 11's fast
// path): it must give exactly what a full decode gives, never a stale record — not when only the
// IPv4 identification changed, not when anything else did, not when the reader reuses its buffer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame } from '../src/capture/frame.js';
import { decodeFrame } from '../src/decode/decode-frame.js';
import type { Packet, VrrpPacket } from '../src/decode/packet.js';
import { advertFrame } from './helpers/vrrp-frames.js';

/** Decodes `bytes` placed at `at` in a shared buffer, as a reader hands frames on. */
function decodeAt(buf: Uint8Array, at: number, bytes: Uint8Array, n: number, linktype = 1): Packet | undefined {
  buf.set(bytes, at);
  const f = new Frame();
  f.buf = buf;
  f.offset = at;
  f.caplen = f.origlen = bytes.length;
  f.linktype = linktype;
  f.tsA = 1_700_000_000 + n;
  f.number = n;
  return decodeFrame(f, 'test');
}

function vrrp(p: Packet | undefined): VrrpPacket {
  assert.ok(p && p.kind === 'vrrp', `not an advert: ${p?.kind}`);
  return p;
}

/** Sets the IPv4 identification and fixes the header checksum (what keepalived changes per advert). */
function withIpId(frame: Uint8Array, id: number): Uint8Array {
  const f = Uint8Array.from(frame);
  f[18] = id >> 8;
  f[19] = id & 0xff;
  f[24] = f[25] = 0;
  let s = 0;
  for (let i = 14; i < 34; i += 2) s += (f[i]! << 8) | f[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  s = ~s & 0xffff;
  f[24] = s >> 8;
  f[25] = s & 0xff;
  return f;
}

test('an advert that differs only in the IPv4 identification shares the decoded records', () => {
  const buf = new Uint8Array(4096);
  const base = advertFrame({ src: '10.9.0.2', vrid: 77, prio: 150, vips: ['10.9.0.1'], v: 3, cs: 100 });
  const a = vrrp(decodeAt(buf, 0, withIpId(base, 1), 1));
  const b = vrrp(decodeAt(buf, 0, withIpId(base, 2), 2));
  assert.equal(b.vrrp, a.vrrp);
  assert.equal(b.ip, a.ip);
  assert.equal(b.l2, a.l2);
  // Per-packet fields are the packet's own.
  assert.notEqual(b.ts, a.ts);
  assert.equal(b.frame, 2);
});

test('any other change is decoded afresh, whatever the buffer held before', () => {
  const buf = new Uint8Array(4096);
  const at = 100;
  const first = withIpId(advertFrame({ src: '10.9.1.2', vrid: 78, prio: 150, vips: ['10.9.1.1'], v: 3, cs: 100 }), 5);
  const a = vrrp(decodeAt(buf, at, first, 1));
  // The same place in the reader's buffer now holds another priority (and a right checksum).
  const lower = withIpId(advertFrame({ src: '10.9.1.2', vrid: 78, prio: 90, vips: ['10.9.1.1'], v: 3, cs: 100 }), 6);
  const b = vrrp(decodeAt(buf, at, lower, 2));
  assert.equal(b.vrrp.priority, 90);
  assert.notEqual(b.vrrp, a.vrrp);
  // The first advert again: its own priority, though the buffer was overwritten in between.
  const c = vrrp(decodeAt(buf, at, withIpId(first, 7), 3));
  assert.equal(c.vrrp.priority, 150);
  // A damaged checksum is seen as such (the cache never hides a byte of the VRRP message).
  const bad = withIpId(first, 8);
  bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x01;
  const d = vrrp(decodeAt(buf, at, bad, 4));
  assert.equal(d.vrrp.checksumStatus, 'bad');
  assert.deepEqual(d.vrrp.addresses, ['10.9.1.0']);
  // A TTL other than 255 is another IP record.
  const ttl = withIpId(first, 9);
  ttl[22] = 64;
  const e = vrrp(decodeAt(buf, at, withIpId(ttl, 9), 5));
  assert.equal(e.ip.ttl, 64);
  assert.equal(vrrp(decodeAt(buf, at, withIpId(first, 10), 6)).ip.ttl, 255);
});

test('IPv6 adverts are shared only when every byte repeats', () => {
  const buf = new Uint8Array(4096);
  const f = advertFrame({ src: 'fe80::2', vrid: 79, prio: 120, vips: ['2001:db8::1'] });
  const a = vrrp(decodeAt(buf, 0, f, 1));
  const b = vrrp(decodeAt(buf, 0, f, 2));
  assert.equal(b.vrrp, a.vrrp);
  const g = advertFrame({ src: 'fe80::2', vrid: 79, prio: 120, vips: ['2001:db8::2'] });
  const c = vrrp(decodeAt(buf, 0, g, 3));
  assert.deepEqual(c.vrrp.addresses, ['2001:db8::2']);
});

test('shared or not, every advert of a long run decodes as a full decode would', () => {
  // Many routers, IDs counting up, priorities now and then changing: compare with decoding each
  // frame in a buffer of its own at a fresh offset (the cache cannot help there less than here).
  const buf = new Uint8Array(1 << 16);
  for (let n = 1; n <= 3000; n++) {
    const vrid = 1 + (n % 40);
    const prio = n % 97 === 0 ? 50 : 100 + (vrid % 2);
    const frame = withIpId(advertFrame({ src: `10.8.${vrid}.${2 + (n % 2)}`, vrid, prio, vips: [`10.8.${vrid}.1`], v: 3, cs: 100 }), n & 0xffff);
    const p = vrrp(decodeAt(buf, (n * 64) % 60_000, frame, n));
    assert.equal(p.vrrp.priority, prio);
    assert.equal(p.vrrp.vrid, vrid);
    assert.equal(p.ip.src, `10.8.${vrid}.${2 + (n % 2)}`);
    assert.equal(p.vrrp.checksumStatus, 'good');
  }
});

/** An Ethernet frame as `tcpdump -i any` writes it: the SLL2 header (protocol, interface index, packet type, source MAC), then the IP packet. */
function sll2(ether: Uint8Array, ifindex: number, pkttype = 0): Uint8Array {
  const f = new Uint8Array(20 + ether.length - 14);
  f[0] = ether[12]!;
  f[1] = ether[13]!;
  new DataView(f.buffer).setUint32(4, ifindex);
  f[9] = 1; // ARPHRD_ETHER
  f[10] = pkttype;
  f[11] = 6;
  f.set(ether.subarray(6, 12), 12);
  f.set(ether.subarray(14), 20);
  return f;
}

test('-i any (SLL2): a repeat on the same interface shares the records; another interface or direction is its own', () => {
  const buf = new Uint8Array(4096);
  const base = advertFrame({ src: '10.9.2.2', vrid: 80, prio: 150, vips: ['10.9.2.1'], v: 3, cs: 100 });
  const on = (id: number, ifindex: number, pkttype = 0, n = id): VrrpPacket => vrrp(decodeAt(buf, 64, sll2(withIpId(base, id), ifindex, pkttype), n, 276));
  const a = on(1, 2);
  const b = on(2, 2);
  assert.equal(b.vrrp, a.vrrp);
  assert.equal(b.l2, a.l2);
  assert.equal(b.linkIfIndex, 2);
  assert.equal(b.direction, 'in');
  const mac = [...base.subarray(6, 12)].map((x) => x.toString(16).padStart(2, '0')).join(':');
  assert.equal(b.l2.src, mac, 'the source MAC from the cooked header');
  const c = on(3, 3);
  assert.equal(c.linkIfIndex, 3);
  assert.notEqual(c.vrrp, a.vrrp, 'another interface: decoded afresh');
  assert.equal(on(4, 2).vrrp, a.vrrp, 'and back on the first one: shared again');
  const out = on(5, 2, 4);
  assert.equal(out.direction, 'out', 'PACKET_OUTGOING: sent by the capturing host');
  assert.notEqual(out.vrrp, a.vrrp);
  assert.equal(on(6, 2, 4).direction, 'out');
  assert.equal(on(7, 0xfffffff0).linkIfIndex, 0xfffffff0, 'the index is unsigned');
  // A changed priority behind the same header is never a stale share.
  const lower = vrrp(decodeAt(buf, 64, sll2(withIpId(advertFrame({ src: '10.9.2.2', vrid: 80, prio: 90, vips: ['10.9.2.1'], v: 3, cs: 100 }), 8), 2), 8, 276));
  assert.equal(lower.vrrp.priority, 90);
  assert.equal(on(9, 2).vrrp.priority, 150);
});

/** The frame with one 802.1Q tag after the MAC addresses (VRRP on a VLAN, captured on the trunk). */
function dot1q(ether: Uint8Array, vid: number): Uint8Array {
  const f = new Uint8Array(ether.length + 4);
  f.set(ether.subarray(0, 12));
  f.set([0x81, 0x00, vid >> 8, vid & 0xff], 12);
  f.set(ether.subarray(12), 16);
  return f;
}

test('one 802.1Q tag: a repeat on the same VLAN shares the records; another VLAN is its own', () => {
  const buf = new Uint8Array(4096);
  const base = advertFrame({ src: '10.9.3.2', vrid: 81, prio: 150, vips: ['10.9.3.1'], v: 3, cs: 100 });
  const on = (id: number, vid: number, frame = base): VrrpPacket => vrrp(decodeAt(buf, 128, dot1q(withIpId(frame, id), vid), id));
  const a = on(1, 100);
  assert.deepEqual(a.l2.vlans, [100]);
  const b = on(2, 100);
  assert.equal(b.vrrp, a.vrrp);
  assert.equal(b.l2, a.l2);
  const c = on(3, 200);
  assert.deepEqual(c.l2.vlans, [200], 'another VLAN: decoded afresh');
  assert.notEqual(c.vrrp, a.vrrp);
  assert.equal(on(4, 100).l2, a.l2, 'and back: shared again');
  assert.deepEqual(on(5, 100 | 0x2000).l2.vlans, [100], 'the priority bits are not the VLAN, but another tag is another frame');
  const lower = on(6, 100, advertFrame({ src: '10.9.3.2', vrid: 81, prio: 90, vips: ['10.9.3.1'], v: 3, cs: 100 }));
  assert.equal(lower.vrrp.priority, 90);
  assert.equal(on(7, 100).vrrp.priority, 150);
});

/** The frame as plain `tcpdump -i any` writes it (Linux cooked v1): packet type, ARPHRD, address, protocol. */
function sll(ether: Uint8Array, pkttype = 0): Uint8Array {
  const f = new Uint8Array(16 + ether.length - 14);
  f[1] = pkttype;
  f[3] = 1; // ARPHRD_ETHER
  f[5] = 6;
  f.set(ether.subarray(6, 12), 6);
  f.set(ether.subarray(12), 14);
  return f;
}

test('-i any (Linux cooked v1): a repeat shares the records; the other direction is its own', () => {
  const buf = new Uint8Array(4096);
  const base = advertFrame({ src: '10.9.4.2', vrid: 82, prio: 150, vips: ['10.9.4.1'], v: 3, cs: 100 });
  const on = (id: number, pkttype = 0, frame = base): VrrpPacket => vrrp(decodeAt(buf, 32, sll(withIpId(frame, id), pkttype), id, 113));
  const a = on(1);
  const b = on(2);
  assert.equal(b.vrrp, a.vrrp);
  assert.equal(b.direction, 'in');
  const out = on(3, 4);
  assert.equal(out.direction, 'out', 'PACKET_OUTGOING');
  assert.notEqual(out.vrrp, a.vrrp);
  assert.equal(on(4, 4).direction, 'out');
  assert.equal(on(5).vrrp, a.vrrp);
  assert.equal(on(6, 0, advertFrame({ src: '10.9.4.2', vrid: 82, prio: 90, vips: ['10.9.4.1'], v: 3, cs: 100 })).vrrp.priority, 90);
  assert.equal(on(7).vrrp.priority, 150);
});
