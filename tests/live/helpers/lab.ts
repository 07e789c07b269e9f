// A keepalived lab in network namespaces for the live tests and the live benchmark (the recipe of
// tests/lab/record.sh, in TypeScript): a switch namespace with bridges br0 and br1, node
// namespaces with eth0/eth1 on them, real keepalived in each node. Every packet stays inside the
// namespaces created here (prefix `vsl-`); destroy() removes them, and their processes, always.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function sh(cmd: string, args: readonly string[], opts: { allowFail?: boolean; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: 30_000 });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** Why the live tests cannot run here (or undefined when they can). */
export function liveSkipReason(): string | undefined {
  if (!process.env['VRRPSCOPE_LIVE']) return 'live tests run with `npm run test:live` (root, network namespaces, keepalived)';
  if (process.getuid?.() !== 0) return 'live tests need root (network namespaces, keepalived, packet capture)';
  for (const bin of ['ip', 'keepalived', 'iptables', 'tcpdump']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `live tests need ${bin} (apt-get install keepalived iptables tcpdump iproute2)`;
  }
  return undefined;
}

export type NodeConf = { readonly priority: number; readonly advertInt?: number; readonly nopreempt?: boolean; readonly syncGroup?: boolean };

export class Lab {
  readonly prefix: string;
  readonly dir: string;
  private readonly keepalived = new Map<number, ChildProcess>();
  private readonly nodes: number[] = [];

  /** `tag`: a few letters, unique per concurrently running lab; `family`: the namespace prefix (vsl: the live suite, vsm: the exporter's, vss: the ssh tests). */
  constructor(tag: string, family = 'vsl') {
    this.prefix = `${family}-${tag}`;
    // Not under /tmp: keepalived runs with its own /tmp bind-mounted over it.
    this.dir = mkdtempSync(join('/var/tmp', `${this.prefix}-`));
  }

  ns(node: number | 'sw'): string {
    return node === 'sw' ? `${this.prefix}-sw` : `${this.prefix}-n${node}`;
  }

  /** Runs a command inside a namespace. */
  exec(node: number | 'sw', cmd: string, args: readonly string[], opts: { allowFail?: boolean } = {}): string {
    return sh('ip', ['netns', 'exec', this.ns(node), cmd, ...args], opts);
  }

  /** Switch with br0/br1, nodes 1…n with eth0 (192.168.2.1N/24) and eth1 (10.1.2.1N/24). */
  setup(nodes: readonly number[] = [1, 2]): void {
    this.destroy(); // leftovers of an aborted run with the same tag
    const sw = this.ns('sw');
    sh('ip', ['netns', 'add', sw]);
    this.exec('sw', 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    sh('ip', ['-n', sw, 'link', 'set', 'lo', 'up']);
    for (const i of [0, 1]) {
      sh('ip', ['-n', sw, 'link', 'add', `br${i}`, 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
      sh('ip', ['-n', sw, 'link', 'set', `br${i}`, 'up']);
    }
    for (const n of nodes) {
      const ns = this.ns(n);
      sh('ip', ['netns', 'add', ns]);
      this.nodes.push(n);
      this.exec(n, 'sysctl', ['-qw', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      for (const i of [0, 1]) {
        sh('ip', ['-n', sw, 'link', 'add', `n${n}-eth${i}`, 'type', 'veth', 'peer', 'name', `eth${i}`, 'netns', ns]);
        sh('ip', ['-n', sw, 'link', 'set', `n${n}-eth${i}`, 'master', `br${i}`, 'up']);
        sh('ip', ['-n', ns, 'link', 'set', `eth${i}`, 'address', `02:00:00:5e:${n.toString(16).padStart(2, '0')}:0${i}`]);
        sh('ip', ['-n', ns, 'addr', 'add', i === 0 ? `192.168.2.1${n}/24` : `10.1.2.1${n}/24`, 'dev', `eth${i}`]);
        sh('ip', ['-n', ns, 'link', 'set', `eth${i}`, 'up']);
      }
    }
  }

  /** keepalived.conf as in docs/incident.md (SERVICE on eth0 VRID 51, BACKEND on eth1 VRID 52), faster adverts. */
  conf(node: number, c: NodeConf): string {
    const inst = (name: string, ifc: string, vrid: number, pass: string, vips: string[]): string =>
      [
        `vrrp_instance ${name} {`,
        '  state BACKUP',
        `  interface ${ifc}`,
        `  virtual_router_id ${vrid}`,
        `  priority ${c.priority}`,
        ...(c.nopreempt ? ['  nopreempt'] : []),
        `  advert_int ${c.advertInt ?? 1}`,
        '  garp_master_delay 5',
        `  authentication {\n    auth_type PASS\n    auth_pass ${pass}\n  }`,
        `  virtual_ipaddress {\n${vips.map((v) => `    ${v} dev ${ifc}`).join('\n')}\n  }`,
        '}',
      ].join('\n');
    return [
      `global_defs {\n  router_id node${node}\n}`,
      inst('SERVICE', 'eth0', 51, 'vrrp51', ['192.168.2.1/24', '192.168.2.2/24']),
      inst('BACKEND', 'eth1', 52, 'vrrp52', ['10.1.2.1/24']),
      ...(c.syncGroup ? ['vrrp_sync_group G1 {\n  group {\n    SERVICE\n    BACKEND\n  }\n}'] : []),
      '',
    ].join('\n');
  }

  /** Where a node's keepalived.conf is written. */
  confPath(node: number): string {
    return join(this.dir, `n${node}`, 'keepalived.conf');
  }

  startKeepalived(node: number, c: NodeConf): void {
    const d = join(this.dir, `n${node}`);
    mkdirSync(join(d, 'tmp'), { recursive: true });
    writeFileSync(join(d, 'keepalived.conf'), this.conf(node, c));
    rmSync(join(d, 'vrrp.pid'), { force: true });
    const child = spawn(
      'ip',
      ['netns', 'exec', this.ns(node), 'sh', '-c', 'mount --bind "$1" /tmp && shift && exec keepalived "$@"', '_', join(d, 'tmp'), '-n', '-R', '-l', '-D', '-G', '-P', '-f', join(d, 'keepalived.conf'), '-p', join(d, 'keepalived.pid'), '-r', join(d, 'vrrp.pid')],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    this.keepalived.set(node, child);
  }

  /** Waits until keepalived's VRRP child runs. */
  async keepalivedReady(node: number): Promise<void> {
    const pid = join(this.dir, `n${node}`, 'vrrp.pid');
    for (let i = 0; i < 50; i++) {
      if (existsSync(pid) && readFileSync(pid, 'utf8').trim() !== '') return;
      await sleep(100);
    }
    throw new Error(`keepalived on node${node} did not start`);
  }

  /** SIGTERM (one priority-0 advert per instance) and wait for it to end. */
  async stopKeepalived(node: number): Promise<void> {
    const c = this.keepalived.get(node);
    if (!c || c.exitCode !== null) return;
    const done = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    await Promise.race([done, sleep(5000)]);
    c.kill('SIGKILL');
    this.keepalived.delete(node);
  }

  /** Who holds a VIP (by `ip addr` in each node). */
  holders(vip: string): number[] {
    return this.nodes.filter((n) => sh('ip', ['-n', this.ns(n), '-o', 'addr', 'show'], { allowFail: true }).includes(` ${vip}/`));
  }

  async waitFor(what: () => boolean, timeoutMs: number, label: string): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!what()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
      await sleep(200);
    }
  }

  /** Kills every process in the lab's namespaces and deletes them; safe to call more than once. */
  destroy(): void {
    for (const c of this.keepalived.values()) c.kill('SIGKILL');
    this.keepalived.clear();
    const list = sh('ip', ['netns', 'list'], { allowFail: true })
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n === `${this.prefix}-sw` || n.startsWith(`${this.prefix}-n`));
    for (const ns of list) {
      for (const pid of sh('ip', ['netns', 'pids', ns], { allowFail: true }).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
      }
      sh('ip', ['netns', 'del', ns], { allowFail: true });
    }
  }

  removeDir(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
