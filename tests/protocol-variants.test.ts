// Protocol shapes the public corpus lacks, built byte by byte: CARP on protocol 112 (told apart
// from VRRPv2), VRRPv2 whose 36 bytes could be mistaken for CARP, VRRP inside an IP
// Authentication Header (RFC 2338 auth type 2), VRRPv3 over IPv4 whose checksum leaves the
// pseudo-header out, and a priority-0 advert.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Frame } from '../src/capture/frame.js';
import { decodeFrame } from '../src/decode/decode-frame.js';
import type { Packet } from '../src/decode/packet.js';

function sum(b: number[], acc = 0): number {
  let s = acc;
  for (let i = 0; i < b.length; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}
const fill = (b: number[], at: number, s: number): void => {
  const ck = ~s & 0xffff;
  b[at] = ck >> 8;
  b[at + 1] = ck & 0xff;
};

const SRC = [192, 168, 2, 11];
const DST = [224, 0, 0, 18];

function ipv4(proto: number, payload: number[]): number[] {
  const ip = [0x45, 0xc0, 0, 20 + payload.length, 0, 1, 0, 0, 255, proto, 0, 0, ...SRC, ...DST];
  fill(ip, 10, sum(ip));
  return [...ip, ...payload];
}

function ether(payload: number[], srcMac = [0, 0, 0x5e, 0, 1, 51]): Uint8Array {
  return Uint8Array.from([1, 0, 0x5e, 0, 0, 0x12, ...srcMac, 0x08, 0x00, ...payload]);
}

function decode(bytes: Uint8Array): Packet | undefined {
  const f = new Frame();
  f.buf = bytes;
  f.offset = 0;
  f.caplen = bytes.length;
  f.origlen = bytes.length;
  f.linktype = 1;
  f.tsA = 1_800_000_000;
  f.tsB = 0;
  f.number = 1;
  return decodeFrame(f, 'test');
}

test('CARP on protocol 112 is decoded as CARP, not VRRP', () => {
  const carp = [0x21, 51, 100, 7, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42, ...new Array<number>(20).fill(0xab)];
  fill(carp, 6, sum(carp));
  const p = decode(ether(ipv4(112, carp)));
  assert.equal(p?.kind, 'carp');
  if (p?.kind !== 'carp') return;
  assert.deepEqual([p.carp.vhid, p.carp.advskew, p.carp.advbase, p.carp.demotion, p.carp.counter, p.carp.checksumStatus, p.carp.virtualMac], [51, 100, 1, 0, 42n, 'good', true]);
});

test('a 36-byte VRRPv2 advert with five addresses stays VRRP', () => {
  const v = [0x21, 51, 100, 5, 0, 1, 0, 0, ...[1, 2, 3, 4, 5].flatMap((i) => [192, 168, 2, i]), 0, 0, 0, 0, 0, 0, 0, 0];
  assert.equal(v.length, 36);
  fill(v, 6, sum(v));
  const p = decode(ether(ipv4(112, v)));
  assert.equal(p?.kind, 'vrrp');
  if (p?.kind === 'vrrp') assert.equal(p.vrrp.addresses.length, 5);
});

test('VRRP carried in an IP Authentication Header (protocol 51) is recognised as such', () => {
  const v = [0x21, 51, 100, 1, 2, 1, 0, 0, 192, 168, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0];
  fill(v, 6, sum(v));
  // AH: next header 112, payload length 4 (= (4+2)*4 = 24 bytes), reserved, SPI, sequence, 12-byte ICV.
  const ah = [112, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, ...new Array<number>(12).fill(0x5a)];
  const p = decode(ether(ipv4(51, [...ah, ...v])));
  assert.equal(p?.kind, 'vrrp');
  if (p?.kind !== 'vrrp') return;
  assert.equal(p.vrrp.viaAh, true);
  assert.equal(p.ip.proto, 51);
  assert.equal(p.vrrp.authType, 2);
  assert.equal(p.vrrp.checksumStatus, 'good');
});

test('VRRPv3/IPv4 checksums: with the pseudo-header, without it, and wrong under both', () => {
  const base = [0x31, 51, 100, 1, 0, 100, 0, 0, 192, 168, 2, 1];
  const pseudo = sum([...SRC, ...DST, 0, 112, 0, base.length]);
  const withPseudo = [...base];
  fill(withPseudo, 6, sum(withPseudo, pseudo));
  const messageOnly = [...base];
  fill(messageOnly, 6, sum(messageOnly));
  const bad = [...base];
  bad[6] = 0x12;
  bad[7] = 0x34;
  const got = [withPseudo, messageOnly, bad].map((v) => decode(ether(ipv4(112, v))));
  assert.deepEqual(
    got.map((p) => (p?.kind === 'vrrp' ? [p.vrrp.checksumStatus, p.vrrp.checksumVariant] : p?.kind)),
    [
      ['good', 'v3-pseudo-header'],
      ['good', 'v3-message-only'],
      ['bad', undefined],
    ],
  );
});

test('a cut-short advert has an unknown checksum, not a bad one; Ethernet padding is not VRRP', () => {
  const v = [0x21, 51, 0, 1, 0, 1, 0, 0, 192, 168, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0];
  fill(v, 6, sum(v));
  const framed = ether(ipv4(112, v));
  const padded = Uint8Array.from([...framed, 0, 0, 0, 0, 0, 0]);
  const p = decode(padded);
  assert.equal(p?.kind === 'vrrp' && p.vrrp.checksumStatus, 'good');
  assert.equal(p?.kind === 'vrrp' && p.vrrp.priority, 0);
  const cut = decode(framed.subarray(0, framed.length - 4));
  assert.equal(cut?.kind, 'vrrp', 'v2 auth none: the missing auth bytes do not matter');
  assert.equal(cut?.kind === 'vrrp' && cut.vrrp.checksumStatus, 'unknown');
});
