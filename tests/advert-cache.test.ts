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
function decodeAt(buf: Uint8Array, at: number, bytes: Uint8Array, n: number): Packet | undefined {
  buf.set(bytes, at);
  const f = new Frame();
  f.buf = buf;
  f.offset = at;
  f.caplen = f.origlen = bytes.length;
  f.linktype = 1;
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
