// `npm run bench:html`: is the incident page fast and small for a day-long capture?
//
// Writes a classic pcap of one day on one segment (bench/out/day.pcap): a master advertising every
// second, a backup that takes over whenever the master falls silent (5 s every 15 minutes, then the
// master preempts back a minute later), one hour of flapping (a turn every 20 s), gratuitous ARPs
// at each takeover. Then times `vrrpscope -r day.pcap --report` against the same with `--html` and
// `--markdown` (best of 3), and prints the page's size and how many marks and bands it draws: the
// drawing is bounded, so the page costs little beyond the report and stays the same size however
// long the capture.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'bin', 'vrrpscope');
const DAY = 86_400;
const T0 = 1_795_000_000;

function checksum(b: Buffer, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Ethernet + IPv4 + VRRPv2 (VRID 51, one address 192.168.2.1, 1 s) from 192.168.2.<last>. */
function advert(last: number, prio: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 20);
  Buffer.from('01005e000012', 'hex').copy(f, 0);
  Buffer.from(`0200000000${last.toString(16).padStart(2, '0')}`, 'hex').copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  Buffer.from('45c0002800000000ff700000', 'hex').copy(f, 14);
  Buffer.from([192, 168, 2, last, 224, 0, 0, 18]).copy(f, 26);
  f.writeUInt16BE(checksum(f, 14, 34), 24);
  Buffer.from([0x21, 51, prio, 1, 0, 1, 0, 0, 192, 168, 2, 1]).copy(f, 34);
  f.writeUInt16BE(checksum(f, 34, 54), 40);
  return f;
}

/** A gratuitous ARP: 192.168.2.1 is at 02:00:00:00:00:<last>. */
function garp(last: number): Buffer {
  const mac = Buffer.from(`0200000000${last.toString(16).padStart(2, '0')}`, 'hex');
  const f = Buffer.alloc(42);
  Buffer.from('ffffffffffff', 'hex').copy(f, 0);
  mac.copy(f, 6);
  f.writeUInt16BE(0x0806, 12);
  Buffer.from('0001080006040001', 'hex').copy(f, 14);
  mac.copy(f, 22);
  Buffer.from([192, 168, 2, 1]).copy(f, 28);
  Buffer.from([192, 168, 2, 1]).copy(f, 38);
  return f;
}

function dayCapture(): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20);
  parts.push(head);
  const rec = (t: number, data: Buffer): void => {
    const h = Buffer.alloc(16);
    const sec = Math.floor(t);
    h.writeUInt32LE(T0 + sec, 0);
    h.writeUInt32LE(Math.round((t - sec) * 1e6), 4);
    h.writeUInt32LE(data.length, 8);
    h.writeUInt32LE(data.length, 12);
    parts.push(h, data);
  };
  let master = 11;
  for (let s = 0; s < DAY; s++) {
    const flapHour = s >= 50_000 && s < 53_600;
    const inQuarter = s % 900;
    // Who advertises this second: the master (11, prio 150) but for 5 s silences; then 12 (prio 100) for a minute.
    let who = inQuarter >= 600 && inQuarter < 605 ? 0 : inQuarter >= 605 && inQuarter < 665 ? 12 : 11;
    if (flapHour) who = Math.floor(s / 20) % 2 === 0 ? 11 : 12;
    if (who === 0) continue;
    if (who !== master) {
      rec(s + 0.001, garp(who));
      master = who;
    }
    rec(s, advert(who, who === 11 ? 150 : 100));
  }
  return Buffer.concat(parts);
}

function best(args: string[], rounds: number): number {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`vrrpscope ${args.join(' ')}: ${r.stderr}`);
    if (ms < min) min = ms;
  }
  return min;
}

mkdirSync(OUT, { recursive: true });
const cap = join(OUT, 'day.pcap');
writeFileSync(cap, dayCapture());
const html = join(OUT, 'day.html');
const md = join(OUT, 'day.md');
const report = best(['-r', cap, '--report'], 3);
const page = best(['-r', cap, '--html', html, '--markdown', md], 3);
const text = readFileSync(html, 'utf8');
const result = {
  capture: { bytes: statSync(cap).size, hours: DAY / 3600 },
  reportMs: Math.round(report),
  htmlAndMarkdownMs: Math.round(page),
  htmlBytes: statSync(html).size,
  markdownBytes: statSync(md).size,
  marksDrawn: (text.match(/<g class="mark /g) ?? []).length,
  bandsDrawn: (text.match(/<rect class="band master"/g) ?? []).length,
};
writeFileSync(join(OUT, 'incident-last-run.json'), JSON.stringify(result, null, 2) + '\n');
console.log(`day-long capture: ${(result.capture.bytes / 1e6).toFixed(1)} MB`);
console.log(`--report:               ${result.reportMs} ms`);
console.log(`--html + --markdown:    ${result.htmlAndMarkdownMs} ms (page ${(result.htmlBytes / 1024).toFixed(0)} KiB, ticket ${(result.markdownBytes / 1024).toFixed(0)} KiB)`);
console.log(`drawn: ${result.marksDrawn} marks, ${result.bandsDrawn} master bands`);
