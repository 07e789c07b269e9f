// The VRRP-dense part of `npm run bench` (issue 11): vrrpscope's whole pipeline (decode, model,
// analysis, report) on captures that are nothing but adverts, next to `tcpdump -nn -r FILE vrrp` and
// `tshark -r FILE -Y vrrp` on the same files in the same run. Files are generated once and cached in
// bench/out/ (dense-*.pcap); `--regen` rebuilds them.

import { spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDenseCapture, type DenseLink, type DenseMeta } from './dense-capture.js';

/** Bump when the generated traffic changes. */
const DENSE_VERSION = 2;
export const DENSE_SIZES = [500_000, 2_000_000, 6_000_000] as const;
/** The 2 M file again as `tcpdump -i any` records it (SLL2, two interfaces): how captures are taken on a node. */
const ANY_ADVERTS = 2_000_000;

type Sample = { wall: number; cpu: number; rssKiB: number };
export type DenseRow = { file: string; adverts: number; command: string; bestWallS: number; advertsPerS: number; cpuS: number; peakRssKiB: number };

const devnull = openSync('/dev/null', 'w');

function has(c: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0;
}

function measure(out: string, cmd: string, args: string[]): Sample {
  const tf = join(out, '.time-dense');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', tf, cmd, ...args], { stdio: ['ignore', devnull, 'pipe'], maxBuffer: 16 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  // vrrpscope exits 1 or 2 when it has warning/critical findings: that is a result, not a failure.
  if (r.status === null || r.status > 2) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}): ${String(r.stderr).slice(0, 400)}`);
  const [user = NaN, sys = NaN, rss = NaN] = readFileSync(tf, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wall, cpu: user + sys, rssKiB: rss };
}

/** The dense files, generated when missing or stale. */
export function denseFiles(out: string, regen: boolean, log: (s: string) => void): { name: string; meta: DenseMeta; link: DenseLink }[] {
  const metaPath = join(out, 'dense-meta.json');
  let cached: Record<string, DenseMeta> = {};
  try {
    const m = JSON.parse(readFileSync(metaPath, 'utf8')) as { version: number; files: Record<string, DenseMeta> };
    if (m.version === DENSE_VERSION) cached = m.files;
  } catch {
    // none yet
  }
  const files: { name: string; meta: DenseMeta; link: DenseLink }[] = [];
  const wanted = [...DENSE_SIZES.map((n) => ({ n, link: 'ethernet' as DenseLink, name: `dense-${n / 1e6}M.pcap` })), { n: ANY_ADVERTS, link: 'sll2' as DenseLink, name: `dense-${ANY_ADVERTS / 1e6}M-any.pcap` }];
  for (const { n, link, name } of wanted) {
    let meta = regen ? undefined : cached[name];
    if (meta && !existsSync(join(out, name))) meta = undefined;
    if (!meta) {
      const t0 = Date.now();
      meta = writeDenseCapture(join(out, name + '.tmp'), n, undefined, link);
      renameSync(join(out, name + '.tmp'), join(out, name));
      log(`generated ${name}: ${meta.adverts.toLocaleString('en')} adverts, ${meta.garps} GARPs, ${meta.failovers} failovers, ${(meta.bytes / 1e6).toFixed(0)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      cached[name] = meta;
      writeFileSync(metaPath, JSON.stringify({ version: DENSE_VERSION, files: cached }, null, 2) + '\n');
    }
    files.push({ name, meta, link });
  }
  return files;
}

/** Runs the dense case; returns the printed lines and the rows for last-run.json. */
export function runDense(opts: { out: string; bin: string; rounds: number; regen: boolean; tshark: boolean; tcpdump: boolean; log: (s: string) => void }): { lines: string[]; rows: DenseRow[]; ratios: Record<string, number> } {
  const files = denseFiles(opts.out, opts.regen, opts.log);
  const tshark = opts.tshark && has('tshark');
  const tcpdump = opts.tcpdump && has('tcpdump');
  const jobs = (path: string): { key: string; cmd: string; args: string[] }[] => [
    { key: 'report', cmd: opts.bin, args: ['-r', path, '--report'] },
    { key: 'json', cmd: opts.bin, args: ['-r', path, '--json'] },
    ...(tcpdump ? [{ key: 'tcpdump', cmd: 'tcpdump', args: ['-nn', '-r', path, 'vrrp'] }] : []),
    ...(tshark ? [{ key: 'tshark', cmd: 'tshark', args: ['-r', path, '-Y', 'vrrp'] }] : []),
  ];
  const best = new Map<string, Sample>();
  for (let round = 1; round <= opts.rounds; round++) {
    const parts: string[] = [];
    for (const f of files) {
      const path = join(opts.out, f.name);
      spawnSync('cat', [path], { stdio: ['ignore', devnull, 'ignore'] });
      for (const j of jobs(path)) {
        const s = measure(opts.out, j.cmd, j.args);
        const k = `${f.name} ${j.key}`;
        const b = best.get(k);
        best.set(k, b === undefined ? s : { wall: Math.min(b.wall, s.wall), cpu: s.wall < b.wall ? s.cpu : b.cpu, rssKiB: Math.max(b.rssKiB, s.rssKiB) });
        parts.push(`${f.name.replace('.pcap', '')} ${j.key} ${s.wall.toFixed(2)}`);
      }
    }
    opts.log(`dense round ${round}/${opts.rounds}: ${parts.join('  ')}`);
  }
  const lines: string[] = ['', `VRRP-dense: ${files.length} captures, 255 VRIDs × 2 routers, VRRPv3 at 10 cs; *-any: as \`tcpdump -i any\` writes it (best of ${opts.rounds}; adverts/s include start-up)`];
  lines.push(`  ${'file'.padEnd(17)} ${'command'.padEnd(20)} ${'best'.padStart(8)} ${'adverts/s'.padStart(10)} ${'CPU'.padStart(8)} ${'peak RSS'.padStart(9)} ${'÷tcpdump'.padStart(9)} ${'÷tshark'.padStart(8)}`);
  const rows: DenseRow[] = [];
  const ratios: Record<string, number> = {};
  for (const f of files) {
    const path = join(opts.out, f.name);
    const td = best.get(`${f.name} tcpdump`);
    const ts = best.get(`${f.name} tshark`);
    for (const j of jobs(path)) {
      const s = best.get(`${f.name} ${j.key}`)!;
      const label = j.key === 'report' ? 'vrrpscope --report' : j.key === 'json' ? 'vrrpscope --json' : j.key === 'tcpdump' ? 'tcpdump -nn vrrp' : 'tshark -Y vrrp';
      const rate = f.meta.adverts / s.wall;
      rows.push({ file: f.name, adverts: f.meta.adverts, command: label, bestWallS: s.wall, advertsPerS: rate, cpuS: s.cpu, peakRssKiB: s.rssKiB });
      const vs = (o: Sample | undefined): string => (o && (j.key === 'report' || j.key === 'json') ? `${(o.wall / s.wall).toFixed(2)}×` : '');
      if (td && (j.key === 'report' || j.key === 'json')) ratios[`${f.name} ${j.key} speed-up vs tcpdump`] = td.wall / s.wall;
      if (ts && (j.key === 'report' || j.key === 'json')) ratios[`${f.name} ${j.key} speed-up vs tshark`] = ts.wall / s.wall;
      lines.push(`  ${f.name.padEnd(17)} ${label.padEnd(20)} ${s.wall.toFixed(3).padStart(7)}s ${((rate / 1e6).toFixed(2) + ' M').padStart(10)} ${s.cpu.toFixed(2).padStart(7)}s ${(s.rssKiB / 1024).toFixed(0).padStart(5)} MiB ${vs(td).padStart(9)} ${vs(ts).padStart(8)}`);
    }
  }
  const rss = (name: string): number => best.get(`${name} report`)?.rssKiB ?? NaN;
  // Flat memory is the Ethernet files' growth, smallest to largest.
  const sized = files.filter((f) => f.link === 'ethernet');
  const first = sized[0]!.name;
  const last = sized[sized.length - 1]!.name;
  ratios['dense RSS last/first'] = rss(last) / rss(first);
  lines.push(`  ÷tcpdump, ÷tshark: how many times faster vrrpscope is (target ≥ 3× and ≥ 10×, ≥ 2 M adverts/s)`);
  lines.push(`  peak RSS --report: ${first} ${(rss(first) / 1024).toFixed(0)} MiB, ${last} ${(rss(last) / 1024).toFixed(0)} MiB (${((rss(last) / rss(first) - 1) * 100).toFixed(1)} %; target within 10 % and < 150 MB)`);
  return { lines, rows, ratios };
}
