// Issue 11's day-long replay: the live load of 255 VRIDs × 10 adverts a second (2 550 a second,
// 220 M adverts in 24 hours of packet time, ~17 GB of pcap) streamed through a FIFO into
// `vrrpscope -r FIFO --report`, never written to disk. The reader's resident set is sampled at every
// hour of packet time: memory that stays flat for a day is bounded by the model, not by the input.
//
//   npm run bench -- --day [--hours N]      (results in bench/out/last-run-day.json)

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DENSE_VRIDS, writeDenseCapture } from './dense-capture.js';

const PER_SECOND = DENSE_VRIDS * 10;

export type DaySample = { hour: number; adverts: number; rssKiB: number; hwmKiB: number };

function status(pid: number): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

export async function runDay(opts: { out: string; bin: string; hours: number; log: (s: string) => void }): Promise<{ lines: string[]; samples: DaySample[]; seconds: number; peakKiB: number }> {
  const fifo = join(opts.out, 'day.fifo');
  if (existsSync(fifo)) rmSync(fifo);
  execFileSync('mkfifo', [fifo]);
  const timeFile = join(opts.out, '.time-day');
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, opts.bin, '-r', fifo, '--report'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // The node process under /usr/bin/time: the one whose RSS counts.
  const nodePid = (): number | undefined => {
    try {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      return kids.find((k) => k > 0);
    } catch {
      return undefined;
    }
  };
  const samples: DaySample[] = [];
  const adverts = Math.round(opts.hours * 3600 * PER_SECOND);
  let nextHour = 1;
  const t0 = Date.now();
  // Blocks on the FIFO as the reader takes it: the generator goes at vrrpscope's pace.
  writeDenseCapture(fifo, adverts, (n, sec) => {
    if (sec < nextHour * 3600) return;
    const pid = nodePid();
    const s = pid !== undefined ? status(pid) : { rss: NaN, hwm: NaN };
    samples.push({ hour: nextHour, adverts: n, rssKiB: s.rss, hwmKiB: s.hwm });
    opts.log(`day replay: hour ${nextHour}: ${(n / 1e6).toFixed(1)} M adverts, RSS ${(s.rss / 1024).toFixed(0)} MiB, peak ${(s.hwm / 1024).toFixed(0)} MiB, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    nextHour++;
  });
  const code = await exited;
  rmSync(fifo, { force: true });
  const seconds = (Date.now() - t0) / 1000;
  if (code === null || code > 2) throw new Error(`vrrpscope -r FIFO failed (status ${code}): ${stderr.slice(0, 400)}`);
  const peakKiB = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  const first = samples[0];
  const lines = [
    '',
    `Day replay: ${opts.hours} h of packet time, ${(adverts / 1e6).toFixed(0)} M adverts (255 VRIDs × 10/s) through a FIFO, ${seconds.toFixed(0)} s (${(adverts / seconds / 1e6).toFixed(2)} M adverts/s)`,
    `  peak RSS after hour 1: ${first ? (first.hwmKiB / 1024).toFixed(0) : '?'} MiB; after the last: ${(peakKiB / 1024).toFixed(0)} MiB${first ? ` (${((peakKiB / first.hwmKiB - 1) * 100).toFixed(1)} %)` : ''}`,
    `  RSS by hour (MiB): ${samples.map((s) => (s.rssKiB / 1024).toFixed(0)).join(' ')}`,
  ];
  writeFileSync(join(opts.out, 'last-run-day.json'), JSON.stringify({ date: new Date().toISOString(), hours: opts.hours, adverts, seconds, peakKiB, samples }, null, 2) + '\n');
  return { lines, samples, seconds, peakKiB };
}
