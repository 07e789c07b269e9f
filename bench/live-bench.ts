// `npm run bench:live` (root): live capture under load, and idle.
//
// Load: a capture of 255 VRIDs × 100 adverts/s (VRRPv3, 1 cs interval; one second of traffic,
// 25 500 frames) is replayed by tcpreplay onto one end of a veth pair in a namespace (vsl-bench),
// looped for DURATION_S at 25 500 frames/s, while `vrrpscope -i cap0 --json` captures on the other
// end. Reports frames sent (tcpreplay) vs seen (vrrpscope), the kernel's drops (PACKET_STATISTICS)
// and the CPU share of vrrpscope's processes (main + capture worker, all threads, from the
// scheduler's accounting in /proc/PID/task/*/schedstat) over
// the replay window. Targets (issue 5): zero drops, under half a core.
//
// Idle: a healthy two-VRID keepalived cluster (advert_int 1) and `vrrpscope -i eth0 -i eth1`
// (--report, and the dashboard under a pseudo-terminal when it supports live capture) for
// IDLE_S; CPU share over that time. Target: under 1 % of a core.
//
// Then the same load for --stamps S (default 10) with `-w`, next to tcpdump on the same interface:
// how much later than the kernel's each frame's timestamp is.
//
// Options: --duration S (load, default 60)  --idle S (default 60)  --pps N (default 25500)
// Writes bench/out/live-last-run.json. Traffic stays inside the namespaces made here.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pcapFile } from '../tests/helpers/capture-writer.js';
import { Lab, sh, sleep } from '../tests/live/helpers/lab.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'bin', 'vrrpscope');
// bin/vrrpscope is started as a user starts it (its launcher execs `node`): the node running this.
process.env['PATH'] = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
const argv = process.argv.slice(2);
const num = (name: string, d: number): number => {
  const i = argv.indexOf(name);
  const n = i >= 0 ? Number(argv[i + 1]) : d;
  return Number.isFinite(n) && n > 0 ? n : d;
};
const DURATION_S = num('--duration', 60);
const IDLE_S = num('--idle', 60);
const PPS = num('--pps', 25_500);
/** Seconds of load for the timestamp comparison (files of both tools are kept for it). */
const STAMP_S = num('--stamps', 10);
/** -B for vrrpscope (KiB); default: vrrpscope's own. */
const BUFFER_KIB = argv.includes('--buffer') ? num('--buffer', 0) : undefined;
const VRIDS = 255;
const PER_SECOND = 100;

function checksum(b: Uint8Array, start: number, end: number, init = 0): number {
  let s = init;
  for (let i = start; i < end; i += 2) s += (b[i]! << 8) | (i + 1 < end ? b[i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** One VRRPv3 advert over IPv4 for `vrid` (master 10.200.0.vrid, VIP 10.201.0.vrid), 1 cs interval. */
function advert(vrid: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 12);
  f.set([0x01, 0x00, 0x5e, 0x00, 0x00, 0x12, 0x00, 0x00, 0x5e, 0x00, 0x01, vrid, 0x08, 0x00], 0);
  const ip = 14;
  f.set([0x45, 0xc0, 0, 32, 0, 0, 0, 0, 255, 112, 0, 0, 10, 200, 0, vrid, 224, 0, 0, 18], ip);
  const c = checksum(f, ip, ip + 20);
  f[ip + 10] = c >> 8;
  f[ip + 11] = c & 0xff;
  const v = ip + 20;
  f.set([0x31, vrid, 100, 1, 0x00, 0x01, 0, 0, 10, 201, 0, vrid], v);
  // v3 checksum: pseudo-header (src, dst, zero, protocol, length) + VRRP message.
  let pseudo = 0;
  for (let i = 0; i < 8; i += 2) pseudo += (f[ip + 12 + i]! << 8) | f[ip + 13 + i]!;
  pseudo += 112 + 12;
  const vc = checksum(f, v, v + 12, pseudo);
  f[v + 6] = vc >> 8;
  f[v + 7] = vc & 0xff;
  return f;
}

/** One second of traffic: 100 rounds of 255 adverts, as classic pcap. */
function writeTraffic(path: string): number {
  const frames: Uint8Array[] = [];
  for (let r = 0; r < PER_SECOND; r++) for (let v = 1; v <= VRIDS; v++) frames.push(advert(v));
  const records = frames.map((data, i) => ({ sec: 1_800_000_000, frac: Math.floor((i * 1e6) / frames.length), data }));
  writeFileSync(path, pcapFile({ le: true, records }));
  return frames.length;
}

/**
 * CPU seconds of a process (all its threads: V8's helpers too) and its live children, from the
 * scheduler's own accounting (/proc/PID/task/TID/schedstat, nanoseconds) rather than the
 * tick-sampled utime/stime, which cannot resolve a process that runs a few ms a second.
 */
function cpuOf(pid: number, withChildren = true): number {
  let ns = 0;
  const pids = withChildren ? [pid, ...childrenOf(pid)] : [pid];
  for (const p of pids) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      // exited
    }
    for (const t of tasks) {
      try {
        ns += Number(readFileSync(`/proc/${p}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // exited
      }
    }
  }
  return ns / 1e9;
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

type Result = Record<string, unknown>;

async function load(): Promise<Result> {
  const lab = new Lab('bench');
  const pcap = join(lab.dir, 'adverts.pcap');
  const perLoop = writeTraffic(pcap);
  const ns = lab.ns(1);
  try {
    lab.destroy();
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', ns, 'link', 'add', 'name', 'replay0', 'type', 'veth', 'peer', 'name', 'cap0']);
    for (const i of ['replay0', 'cap0']) sh('ip', ['-n', ns, 'link', 'set', i, 'up']);
    const vs = spawn('ip', ['netns', 'exec', ns, BIN, '-i', 'cap0', '--json', '--duration', String(DURATION_S + 8), ...(BUFFER_KIB ? ['-B', String(BUFFER_KIB)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    vs.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    vs.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const closed = new Promise<void>((r) => vs.on('close', () => r()));
    await sleep(3000);
    const loops = Math.max(1, Math.round((DURATION_S * PPS) / perLoop));
    const cpu0 = cpuOf(vs.pid!);
    const main0 = cpuOf(vs.pid!, false);
    const t0 = performance.now();
    const tr = spawnSync('ip', ['netns', 'exec', ns, 'tcpreplay', '-q', '--intf1=replay0', `--pps=${PPS}`, `--loop=${loops}`, pcap], { encoding: 'utf8', timeout: (DURATION_S + 60) * 1000 });
    const wall = (performance.now() - t0) / 1000;
    const cpu1 = cpuOf(vs.pid!);
    const main1 = cpuOf(vs.pid!, false);
    await closed;
    const summary = JSON.parse(out.trim().split('\n').filter((l) => l.includes('"type":"summary"')).pop() ?? '{}') as { adverts?: number; capture?: { dropped: number | null; interfaces: { frames: number; received: number | null; dropped: number | null }[] } };
    const sent = Number(/Actual: (\d+) packets/.exec(tr.stdout + tr.stderr)?.[1] ?? NaN);
    const rate = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(tr.stdout + tr.stderr)?.[1];
    const iface = summary.capture?.interfaces[0];
    const stamps = await timestamps(ns, pcap, perLoop, lab.dir);
    return {
      vrids: VRIDS,
      advertsPerSecondPerVrid: PER_SECOND,
      targetPps: PPS,
      bufferKiB: BUFFER_KIB ?? 'default',
      replaySeconds: Number(wall.toFixed(1)),
      sent,
      tcpreplayPps: rate ? Number(rate) : null,
      seen: iface?.frames ?? null,
      kernelReceived: iface?.received ?? null,
      kernelDropped: iface?.dropped ?? null,
      modelAdverts: summary.adverts ?? null,
      cpuSeconds: Number((cpu1 - cpu0).toFixed(2)),
      cpuShareOfCore: Number(((cpu1 - cpu0) / wall).toFixed(3)),
      mainProcessShare: Number(((main1 - main0) / wall).toFixed(3)),
      captureWorkerShare: Number(((cpu1 - cpu0 - (main1 - main0)) / wall).toFixed(3)),
      stderr: err.trim().split('\n').slice(-3),
      timestampsAgainstKernel: stamps,
    };
  } finally {
    lab.destroy();
    lab.removeDir();
  }
}

/**
 * vrrpscope's timestamps (taken in the worker at delivery, with the busy-wire nap) against the
 * kernel's (tcpdump on the same interface), frame by frame, over STAMP_S seconds of the same load.
 * Both files hold exactly the replayed adverts, in the same order, when neither dropped any.
 */
async function timestamps(ns: string, pcap: string, perLoop: number, dir: string): Promise<Result> {
  const ours = join(dir, 'vrrpscope.pcapng');
  const kernel = join(dir, 'tcpdump.pcap');
  const exited = (c: ReturnType<typeof spawn>): Promise<void> => new Promise((r) => c.on('close', () => r()));
  const td = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'cap0', '-n', '-B', '65536', '--immediate-mode', '-w', kernel, 'vrrp'], { stdio: 'ignore' });
  const vs = spawn('ip', ['netns', 'exec', ns, BIN, '-i', 'cap0', '--report', '--duration', String(STAMP_S + 6), '-w', ours], { stdio: 'ignore' });
  const tdDone = exited(td);
  const vsDone = exited(vs);
  await sleep(3000);
  spawnSync('ip', ['netns', 'exec', ns, 'tcpreplay', '-q', '--intf1=replay0', `--pps=${PPS}`, `--loop=${Math.max(1, Math.round((STAMP_S * PPS) / perLoop))}`, pcap], { timeout: (STAMP_S + 60) * 1000 });
  await vsDone;
  td.kill('SIGINT');
  await tdDone;
  const { readInputs } = await import('../src/capture/read-inputs.js');
  const read = async (path: string): Promise<bigint[]> => {
    const ts: bigint[] = [];
    await readInputs([{ label: undefined, path }], (p) => void (p.kind === 'vrrp' && ts.push(p.ts)), () => undefined);
    return ts;
  };
  const a = await read(ours);
  const b = await read(kernel);
  if (a.length !== b.length || a.length === 0) return { seconds: STAMP_S, compared: false, vrrpscopeFrames: a.length, tcpdumpFrames: b.length };
  const us = a.map((t, i) => Number(t - b[i]!) / 1000).sort((x, y) => x - y);
  const q = (f: number): number => Number(us[Math.min(us.length - 1, Math.floor(f * us.length))]!.toFixed(0));
  return { seconds: STAMP_S, compared: true, frames: a.length, laterThanKernelUs: { min: q(0), p50: q(0.5), p99: q(0.99), p999: q(0.999), max: q(1) } };
}

async function idle(): Promise<Result> {
  const lab = new Lab('bidl');
  try {
    lab.setup([1, 2]);
    lab.startKeepalived(1, { priority: 150 });
    lab.startKeepalived(2, { priority: 100 });
    await lab.keepalivedReady(1);
    await lab.keepalivedReady(2);
    await lab.waitFor(() => lab.holders('192.168.2.1').length === 1, 15_000, 'a master');
    const res: Result = {};
    // --report (model + ticks, no screen)
    {
      const vs = spawn('ip', ['netns', 'exec', lab.ns(2), BIN, '-i', 'eth0', '-i', 'eth1', '--report', '--duration', String(IDLE_S + 12)], { stdio: ['ignore', 'ignore', 'ignore'] });
      const closed = new Promise<void>((r) => vs.on('close', () => r()));
      await sleep(10_000);
      const c0 = cpuOf(vs.pid!);
      const m0 = cpuOf(vs.pid!, false);
      await sleep(IDLE_S * 1000);
      const c1 = cpuOf(vs.pid!);
      const m1 = cpuOf(vs.pid!, false);
      res['reportCpuShareOfCore'] = Number(((c1 - c0) / IDLE_S).toFixed(4));
      res['reportMainShare'] = Number(((m1 - m0) / IDLE_S).toFixed(4));
      res['reportWorkersShare'] = Number(((c1 - c0 - (m1 - m0)) / IDLE_S).toFixed(4));
      await closed;
    }
    // the dashboard under a pseudo-terminal (80×24)
    {
      const { start } = await import('../tests/helpers/dashboard-pty.js');
      const s = start([], { cols: 80, rows: 24, shell: `exec ip netns exec ${lab.ns(2)} ${BIN} -i eth0 -i eth1` });
      try {
        await s.waitFor(/eth0\s*\/?\s*51|51.*eth0/, 10_000);
        // Idle means steady state: let start-up finish (module loading, the first keepalived dump
        // and ruleset read, the workers' first counters) as the --report run above gets 4 s for it.
        await sleep(10_000);
        // `exec ip netns exec … node`: the pty's process is vrrpscope itself; cpuOf adds its workers.
        const c0 = cpuOf(s.proc.pid);
        const m0 = cpuOf(s.proc.pid, false);
        await sleep(IDLE_S * 1000);
        const c1 = cpuOf(s.proc.pid);
        const m1 = cpuOf(s.proc.pid, false);
        res['dashboardCpuShareOfCore'] = Number(((c1 - c0) / IDLE_S).toFixed(4));
        res['dashboardMainShare'] = Number(((m1 - m0) / IDLE_S).toFixed(4));
        res['dashboardWorkersShare'] = Number(((c1 - c0 - (m1 - m0)) / IDLE_S).toFixed(4));
      } catch (e) {
        res['dashboard'] = `not measured: ${(e as Error).message.split('\n')[0]}`;
      } finally {
        s.type('q');
        await Promise.race([s.exited, sleep(3000)]);
        s.proc.kill();
      }
    }
    return res;
  } finally {
    lab.destroy();
    lab.removeDir();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench:live needs root (network namespaces, tcpreplay, capture)\n');
    process.exit(2);
  }
  const result: Result = { date: new Date().toISOString(), cpus: sh('nproc', []).trim() };
  if (!argv.includes('--no-load')) {
    process.stderr.write(`load: ${VRIDS} VRIDs × ${PER_SECOND} adverts/s for ${DURATION_S} s …\n`);
    result['load'] = await load();
    process.stderr.write(JSON.stringify(result['load'], null, 2) + '\n');
  }
  if (!argv.includes('--no-idle')) {
    process.stderr.write(`idle: healthy two-VRID cluster for ${IDLE_S} s …\n`);
    result['idle'] = await idle();
    process.stderr.write(JSON.stringify(result['idle'], null, 2) + '\n');
  }
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'live-last-run.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

await main();
