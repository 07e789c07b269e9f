// The keepalived lab with a real sshd in each node namespace, reached from a client namespace
// (prefix `vss-`): management veths 198.18.N.1 (client) ↔ 198.18.N.2 (node N), keys and known_hosts
// made here, an ssh config passed with -F. Nothing touches ~/.ssh; every packet stays in the
// namespaces created here; destroy() removes them with their processes.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, sh, sleep, type NodeConf } from './lab.js';

export const SSHD = '/usr/sbin/sshd';

export function sshSkipReason(): string | undefined {
  for (const bin of [SSHD, 'ssh', 'ssh-keygen', 'sudo', 'visudo', 'useradd']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `the ssh live tests need ${bin} (apt-get install openssh-server openssh-client sudo)`;
  }
  return undefined;
}

export class SshLab extends Lab {
  private readonly sshd = new Map<number, ChildProcess>();
  private oldTcpdump = new Set<number>();
  private oldIp = new Set<number>();
  private users: string[] = [];
  private cgroups: string[] = [];
  readonly sshDir: string;
  readonly config: string;

  /** `family`: the namespace prefix (vss: the main ssh test, vsq: the journal test). */
  constructor(tag: string, family = 'vss') {
    super(tag, family);
    this.sshDir = join(this.dir, 'ssh');
    this.config = join(this.sshDir, 'config');
  }

  client(): string {
    return `${this.prefix}-c`;
  }

  mgmtAddress(node: number): string {
    return `198.18.${node}.2`;
  }

  /**
   * The lab, plus the client namespace, management links, keys, and sshd in every node. Nodes in
   * `oldTcpdump` get a `tcpdump` first on their sessions' PATH that claims to be 4.9.3 with libpcap
   * 1.8.1 (no LINUX_SLL2) and otherwise runs the real one: vrrpscope must capture per interface there.
   * Nodes in `oldIp` get an `ip` that, like iproute2 before 4.14, knows no `-j` (and otherwise runs
   * the real one): `ip -j link` / `ip -j addr` give nothing there.
   */
  setupSsh(nodes: readonly number[] = [1, 2], oldTcpdump: readonly number[] = [], oldIp: readonly number[] = [], journal: ReadonlyMap<number, NodeConf> = new Map()): void {
    this.oldTcpdump = new Set(oldTcpdump);
    this.oldIp = new Set(oldIp);
    this.setup(nodes);
    const c = this.client();
    sh('ip', ['netns', 'add', c]);
    sh('ip', ['-n', c, 'link', 'set', 'lo', 'up']);
    mkdirSync(this.sshDir, { recursive: true, mode: 0o700 });
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vrrpscope-test', '-f', join(this.sshDir, 'id')]);
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vrrpscope-test-host', '-f', join(this.sshDir, 'host')]);
    // As docs/ssh.md advises: the key restricted (no pty, no forwarding, no ~/.ssh/rc) and to where
    // vrrpscope connects from; --ssh needs nothing more.
    writeFileSync(join(this.sshDir, 'authorized_keys'), this.authorizedKey(), { mode: 0o600 });
    const hostKey = readFileSync(join(this.sshDir, 'host.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const known: string[] = [];
    const conf: string[] = [];
    for (const n of nodes) {
      sh('ip', ['-n', c, 'link', 'add', `m${n}`, 'type', 'veth', 'peer', 'name', 'mgmt', 'netns', this.ns(n)]);
      sh('ip', ['-n', c, 'addr', 'add', `198.18.${n}.1/24`, 'dev', `m${n}`]);
      sh('ip', ['-n', c, 'link', 'set', `m${n}`, 'up']);
      sh('ip', ['-n', this.ns(n), 'addr', 'add', `${this.mgmtAddress(n)}/24`, 'dev', 'mgmt']);
      sh('ip', ['-n', this.ns(n), 'link', 'set', 'mgmt', 'up']);
      known.push(`node${n},${this.mgmtAddress(n)} ${hostKey}`);
      conf.push(`Host node${n}`, `  HostName ${this.mgmtAddress(n)}`);
    }
    writeFileSync(join(this.sshDir, 'known_hosts'), known.join('\n') + '\n');
    conf.push(
      'Host *',
      '  User root',
      `  IdentityFile ${join(this.sshDir, 'id')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(this.sshDir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  PasswordAuthentication no',
      '  LogLevel ERROR',
    );
    writeFileSync(this.config, conf.join('\n') + '\n', { mode: 0o600 });
    for (const n of nodes) {
      const j = journal.get(n);
      if (j) this.startJournalNode(n, j);
      else this.startSshd(n);
    }
  }

  private authorizedKey(): string {
    return `restrict,from="198.18.*.1" ${readFileSync(join(this.sshDir, 'id.pub'), 'utf8')}`;
  }

  startSshd(n: number): void {
    const cfg = this.sshdConfig(n);
    // As on a real node, keepalived's configuration is /etc/keepalived/keepalived.conf for sessions:
    // the node's lab directory is bind-mounted there in sshd's own mount namespace.
    mkdirSync(join(this.dir, `n${n}`), { recursive: true });
    const child = spawn('ip', ['netns', 'exec', this.ns(n), 'sh', '-c', 'mount --bind "$1" /etc/keepalived && shift && exec "$@"', '_', join(this.dir, `n${n}`), SSHD, '-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', () => undefined);
    this.sshd.set(n, child);
  }

  private sshdConfig(n: number): string {
    const cfg = join(this.sshDir, `sshd-${n}.conf`);
    writeFileSync(
      cfg,
      [
        `ListenAddress ${this.mgmtAddress(n)}`,
        `HostKey ${join(this.sshDir, 'host')}`,
        `PidFile ${join(this.sshDir, `sshd-${n}.pid`)}`,
        // root's, and a test user's own (addUser).
        `AuthorizedKeysFile ${join(this.sshDir, 'authorized_keys')} %h/.ssh/authorized_keys`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PrintMotd no',
        'LogLevel ERROR',
        'MaxSessions 20',
        ...(this.oldTcpdump.has(n) || this.oldIp.has(n) ? [`SetEnv PATH=${this.oldBin(n)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`] : []),
        '',
      ].join('\n'),
    );
    return cfg;
  }

  private oldBin(n: number): string {
    const d = join(this.sshDir, `old-bin-${n}`);
    mkdirSync(d, { recursive: true });
    if (this.oldTcpdump.has(n)) {
      const real = sh('sh', ['-c', 'command -v tcpdump']).trim();
      writeFileSync(join(d, 'tcpdump'), `#!/bin/sh\nif [ "$1" = --version ]; then echo 'tcpdump version 4.9.3'; echo 'libpcap version 1.8.1'; exit 0; fi\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    if (this.oldIp.has(n)) {
      const real = sh('sh', ['-c', 'command -v ip']).trim();
      // iproute2 3.x/4.x (e.g. CentOS 7): `Option "-j" is unknown, try "ip -help".`, status 255.
      writeFileSync(join(d, 'ip'), `#!/bin/sh\nfor a in "$@"; do case $a in -j|-json|-js*) echo 'Option "-j" is unknown, try "ip -help".' >&2; exit 255;; esac; done\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    return d;
  }

  /**
   * Node n as a small systemd host, without systemd: one private mount namespace holding a real
   * systemd-journald (its sockets and journal on tmpfs there: the machine's journal is not
   * touched), keepalived logging to it by syslog from a cgroup named keepalived.service (journald
   * takes the unit from the sender's cgroup, so `journalctl -u keepalived` finds it) and the node's
   * sshd, whose sessions see that journal. Replaces startSshd(n) and startKeepalived(n).
   */
  startJournalNode(n: number, c: NodeConf): void {
    const d = join(this.dir, `n${n}`);
    mkdirSync(join(d, 'tmp'), { recursive: true });
    mkdirSync(join(d, 'hostdev'), { recursive: true });
    writeFileSync(this.confPath(n), this.conf(n, c));
    const cfg = this.sshdConfig(n);
    const cg = `/sys/fs/cgroup/${this.prefix}.slice/keepalived.service`;
    const script = [
      'set -e',
      // ip netns exec gives a fresh /sys without cgroups: journald needs one to know units.
      'mount -t cgroup2 none /sys/fs/cgroup',
      'mount -t tmpfs none /run; mkdir -p /run/systemd/journal /run/log/journal /run/sshd',
      'if [ -d /var/log/journal ]; then mount -t tmpfs none /var/log/journal; fi',
      // A /dev of its own, for /dev/log (the rest are the machine's devices).
      'mount --bind /dev "$D/hostdev"; mount -t tmpfs none /dev',
      'for x in null zero urandom random full tty ptmx pts shm fd stdin stdout stderr; do ln -s "$D/hostdev/$x" /dev/$x; done',
      'ln -s /run/systemd/journal/dev-log /dev/log',
      'mount --bind "$D" /etc/keepalived; mount --bind "$D/tmp" /tmp',
      '/lib/systemd/systemd-journald </dev/null >/dev/null 2>&1 &',
      'i=0; while [ ! -S /run/systemd/journal/dev-log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
      `mkdir -p ${cg}`,
      `sh -c 'echo $$ > ${cg}/cgroup.procs && exec keepalived -n -R -D -P -f "$1/keepalived.conf" -p "$1/keepalived.pid" -r "$1/vrrp.pid"' _ "$D" </dev/null >/dev/null 2>&1 &`,
      `exec ${SSHD} -D -e -f "$CFG"`,
    ].join('\n');
    const child = spawn('ip', ['netns', 'exec', this.ns(n), 'unshare', '-m', '--propagation', 'private', 'env', `D=${d}`, `CFG=${cfg}`, 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (x: string) => (err = (err + x).slice(-2000)));
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`journal node ${n}: ${err}\n`);
    });
    this.sshd.set(n, child);
    this.cgroups.push(`${this.prefix}.slice`);
  }

  /**
   * A user on this machine (users are global, not per namespace: the name is the caller's, unique,
   * and destroy() removes it) that logs in with the test's key; its home is in the lab directory.
   * '*' as its password: no password login, but not "locked" (sshd without PAM refuses locked users).
   */
  addUser(name: string): void {
    this.removeUser(name);
    // Not in the lab directory (root's only): sshd reads the user's authorized_keys as the user.
    const home = mkdtempSync(join('/var/tmp', `${name}-home-`));
    sh('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', name]);
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh', 'authorized_keys'), this.authorizedKey(), { mode: 0o600 });
    sh('chown', ['-R', name, home]);
    this.users.push(name);
  }

  /** A sudoers drop-in for the user (checked with visudo first); undefined removes it. */
  sudoers(name: string, lines: string | undefined): void {
    const f = `/etc/sudoers.d/${name}`;
    if (lines === undefined) return void rmSync(f, { force: true });
    const tmp = join(this.dir, `sudoers-${name}`);
    writeFileSync(tmp, lines.endsWith('\n') ? lines : `${lines}\n`, { mode: 0o440 });
    sh('visudo', ['-cqf', tmp]);
    sh('install', ['-m', '0440', '-o', 'root', '-g', 'root', tmp, f]);
  }

  removeUser(name: string): void {
    rmSync(`/etc/sudoers.d/${name}`, { force: true });
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (id.status !== 0) return;
    for (const p of this.pidsOfUid(Number(id.stdout.trim()))) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const home = spawnSync('getent', ['passwd', name], { encoding: 'utf8' }).stdout.split(':')[5] ?? '';
    sh('userdel', [name], { allowFail: true });
    // Only a home this lab made (/var/tmp/NAME-home-…).
    if (home.startsWith(`/var/tmp/${name}-home-`)) rmSync(home, { recursive: true, force: true });
  }

  /** Processes (pids) running as UID, anywhere on the machine: the test's own user only. */
  pidsOfUid(uid: number): number[] {
    const out: number[] = [];
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'));
        if (m && (Number(m[1]) === uid || Number(m[2]) === uid)) out.push(Number(d));
      } catch {
        // gone meanwhile
      }
    }
    return out;
  }

  async sshdReady(n: number): Promise<void> {
    for (let i = 0; i < 50; i++) {
      if (sh('ip', ['netns', 'exec', this.ns(n), 'ss', '-ltn'], { allowFail: true }).includes(`${this.mgmtAddress(n)}:22`)) return;
      await sleep(100);
    }
    throw new Error(`sshd in node${n} did not start`);
  }

  /** Processes (pid, comm, args) in a namespace. */
  processes(ns: string): { pid: number; comm: string; args: string }[] {
    const out: { pid: number; comm: string; args: string }[] = [];
    for (const pid of sh('ip', ['netns', 'pids', ns], { allowFail: true }).split('\n').filter(Boolean)) {
      try {
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        out.push({ pid: Number(pid), comm, args });
      } catch {
        // gone meanwhile
      }
    }
    return out;
  }

  /** pid → its parents' commands, for a message about a stray process. */
  ancestry(pid: number): string {
    const out: string[] = [];
    let p = pid;
    for (let i = 0; i < 8; i++) {
      try {
        const st = readFileSync(`/proc/${p}/stat`, 'utf8');
        const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
        if (!(ppid > 1)) break;
        out.push(`${ppid}:${readFileSync(`/proc/${ppid}/comm`, 'utf8').trim()}`);
        p = ppid;
      } catch {
        break;
      }
    }
    return out.join(' < ');
  }

  /** Kills the sshd process serving our connection in node n (not the listener): the network "drops". */
  dropConnection(n: number): number {
    const listener = this.sshd.get(n)?.pid;
    const victims = this.processes(this.ns(n)).filter((p) => p.comm === 'sshd' && /sshd: root/.test(p.args));
    for (const v of victims) process.kill(v.pid, 'SIGKILL');
    void listener;
    return victims.length;
  }

  override destroy(): void {
    for (const u of this.users.splice(0)) this.removeUser(u);
    for (const c of this.sshd.values()) c.kill('SIGKILL');
    this.sshd.clear();
    const c = `${this.prefix}-c`;
    for (const pid of sh('ip', ['netns', 'pids', c], { allowFail: true }).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    sh('ip', ['netns', 'del', c], { allowFail: true });
    const cgroups = this.cgroups.splice(0);
    super.destroy();
    // The journal nodes' cgroups, once their processes are gone (seen through a cgroup2 mount of
    // our own, wherever the machine has its own).
    for (const g of cgroups) {
      spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'd=$(mktemp -d) && mount -t cgroup2 none "$d" && for i in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d/$1/keepalived.service" "$d/$1" 2>/dev/null && break; sleep 0.2; done; umount "$d"; rmdir "$d"', '_', g]);
    }
  }
}
