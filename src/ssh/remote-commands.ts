// What vrrpscope runs on a node over ssh, built here as plain text so `--ssh-dry-run` prints exactly
// what would run and tests can read it. Everything is read-only, POSIX sh, and ends with the
// session: every remote script watches its standard input (the ssh channel) and stops what it
// started when that closes — when vrrpscope ends, ssh dies or the network goes — so no tcpdump is
// left behind on a server.

import { LIVE_FILTER, PLAIN_FILTER } from '../capture/live-filter.js';

export type SshOptions = {
  /** `--ssh-config FILE`: passed to ssh as -F (the user's ~/.ssh/config otherwise). */
  readonly configFile: string | undefined;
  /** The ssh program (VRRPSCOPE_SSH, default `ssh` on PATH). */
  readonly program: string;
};

/** What the probe found out about a node; decides sudo and how to capture. */
export type NodeFacts = {
  readonly uid: number | undefined;
  /** The ssh user's name on the node (for the sudoers line a refusal names). */
  readonly user?: string | undefined;
  /** `sudo -n true` worked (only asked when uid ≠ 0). */
  readonly sudo: boolean;
  /** sudo's own words when it refused. */
  readonly sudoMessage: string | undefined;
  /** tcpdump's version (4.99.3) and libpcap's (1.10.3); undefined = no tcpdump. */
  readonly tcpdump: string | undefined;
  readonly libpcap: string | undefined;
  /** Interfaces that are up (from `ip -j link`), for tcpdump without `-i any` SLL2. */
  readonly interfaces: readonly string[];
};

/** Single-quotes for sh: the text stays one word, nothing in it is expanded. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The command line the remote shell is given: the script under sh, as root through `sudo -n` when needed. */
export function remoteCommand(script: string, sudo: boolean): string {
  return `${sudo ? 'sudo -n ' : ''}sh -c ${shQuote(script)}`;
}

/** Whether tcpdump here can write `-i any` as LINUX_SLL2 (libpcap ≥ 1.10), which keeps the interface index. */
export function hasSll2(f: Pick<NodeFacts, 'libpcap'>): boolean {
  return f.libpcap !== undefined && versionAtLeast(f.libpcap, [1, 10]);
}

/** tcpdump ≥ 4.7 knows --immediate-mode (otherwise libpcap may hold packets for up to a second). */
export function hasImmediate(f: Pick<NodeFacts, 'tcpdump'>): boolean {
  return f.tcpdump !== undefined && versionAtLeast(f.tcpdump, [4, 7]);
}

function versionAtLeast(v: string, want: readonly number[]): boolean {
  const parts = v.split('.').map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < want.length; i++) {
    const p = parts[i] ?? 0;
    if (Number.isNaN(p)) return false;
    if (p !== want[i]) return p > want[i]!;
  }
  return true;
}

/**
 * Runs CMD (a simple command, already quoted) until it ends or standard input closes. CMD starts
 * first; then a watcher — a subshell reading a copy of stdin (fd 3: an asynchronous list's own
 * stdin is /dev/null in sh) with the `read` builtin, so it is one process — stops CMD by its pid
 * when stdin closes, even when it was closed before anything started (the connection died during
 * the set-up). The script itself only waits for CMD: no signal has to reach a waiting shell (dash
 * can miss one that lands just before `wait` blocks). When CMD ends by itself, the watcher is
 * stopped, so nothing holds the session open.
 */
export function untilStdinCloses(cmd: string): string {
  return [
    'exec 3<&0 </dev/null',
    `${cmd} & p=$!`,
    '{ while IFS= read -r _ <&3; do :; done; kill -TERM $p 2>/dev/null; } & w=$!',
    'wait $p; rc=$?',
    'kill -TERM $w 2>/dev/null',
    'exit $rc',
  ].join('\n');
}

/** The capture: tcpdump on every interface (SLL2 keeps the index), or on one interface for old tcpdump. */
export function captureCommand(f: Pick<NodeFacts, 'tcpdump' | 'libpcap'>, iface: string | undefined): string {
  const args = ['tcpdump', '-U', '-n', ...(hasImmediate(f) ? ['--immediate-mode'] : []), '-i', iface === undefined ? 'any' : shQuote(iface)];
  if (iface === undefined && hasSll2(f)) args.push('-y', 'LINUX_SLL2');
  // Cooked captures have no VLAN tags to match (the kernel strips them; `vlan` is refused there).
  args.push('-w', '-', shQuote(iface === undefined ? PLAIN_FILTER : LIVE_FILTER));
  return args.join(' ');
}

export function captureScript(f: Pick<NodeFacts, 'tcpdump' | 'libpcap'>, iface: string | undefined): string {
  return untilStdinCloses(captureCommand(f, iface));
}

/** keepalived's log as it is written: journald, or a log file (--keepalived-log names it on the node). */
export function logScript(logFile: string | undefined): string {
  const cmd = logFile !== undefined ? `tail -n 50 -F ${shQuote(logFile)}` : 'journalctl -u keepalived -o json -f -n 50 -q';
  return untilStdinCloses(cmd);
}

/** Finds out who we are, what tcpdump can do and whether sudo asks for a password. Runs as the ssh user. */
export const PROBE_SCRIPT = [
  'echo "uid $(id -u)"',
  'echo "user $(id -un)"',
  // Asked the way the scripts will run (sudo -n sh -c …): a sudoers rule for some other command
  // (`true`) would say yes here and no later. Only sudo's last complaint line is kept.
  'if [ "$(id -u)" != 0 ]; then if [ "$(sudo -n sh -c "id -u" 2>/dev/null)" = 0 ]; then echo "sudo ok"; else echo "sudo no $(sudo -n sh -c "id -u" 2>&1 | grep -v "^0$" | tail -n 1)"; fi; fi',
  'command -v tcpdump >/dev/null 2>&1 && tcpdump --version 2>&1 | sed -n "s/^\\(tcpdump\\|libpcap\\) version \\([0-9.]*\\).*/\\1 \\2/p"',
  'ip -o link show up 2>/dev/null | sed -n "s/^[0-9]*: \\([^:@]*\\).*/if \\1/p"',
].join('\n');

export function parseProbe(text: string): NodeFacts {
  let uid: number | undefined;
  let user: string | undefined;
  let sudo = false;
  let sudoMessage: string | undefined;
  let tcpdump: string | undefined;
  let libpcap: string | undefined;
  const interfaces: string[] = [];
  for (const line of text.split('\n')) {
    const [k, ...rest] = line.trim().split(' ');
    const v = rest.join(' ');
    if (k === 'uid' && /^\d+$/.test(v)) uid = Number(v);
    else if (k === 'user' && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/.test(v)) user = v;
    else if (k === 'sudo') {
      sudo = v === 'ok';
      if (!sudo) sudoMessage = v.replace(/^no ?/, '').trim() || undefined;
    } else if (k === 'tcpdump') tcpdump = v;
    else if (k === 'libpcap') libpcap = v;
    else if (k === 'if' && v !== '' && v !== 'lo') interfaces.push(v);
  }
  return { uid, ...(user !== undefined ? { user } : {}), sudo, sudoMessage, tcpdump, libpcap, interfaces };
}

/**
 * The sudoers rule `sudo -n sh -c SCRIPT` needs (both paths: sudo matches the one PATH finds, and
 * /bin may or may not be /usr/bin). It lets USER run any shell command as root: the scripts are
 * read-only, but sudo cannot hold them to that (docs/ssh.md says so, and what else to do).
 */
export function sudoersLine(user: string): string {
  return `${user} ALL=(root) NOPASSWD: /bin/sh, /usr/bin/sh`;
}

/** Whether the node's scripts need `sudo -n` (the ssh user is not root). */
export function needsSudo(f: NodeFacts): boolean {
  return f.uid !== 0;
}

/** The one-line reason a node cannot be watched, or undefined. */
export function factsProblem(label: string, f: NodeFacts): string | undefined {
  if (f.uid === undefined) return `${label}: the remote shell did not answer the probe (is it a POSIX shell?)`;
  if (f.uid !== 0 && !f.sudo) {
    const who = f.user ?? 'USER';
    return (
      `${label}: capturing needs root, and 'sudo -n' is not allowed for ${f.user ?? 'this user'} (${f.sudoMessage || 'a password is required'}); ` +
      `connect as root, or let ${who} run the read-only scripts of --ssh-dry-run as root without a password: a sudoers line "${sudoersLine(who)}" (docs/ssh.md)`
    );
  }
  if (f.tcpdump === undefined) return `${label}: no tcpdump on the node (Debian/Ubuntu: apt-get install tcpdump; RHEL: dnf install tcpdump)`;
  return undefined;
}

export type HostLoopOptions = {
  /** Marks records; random per connection, so nothing a file contains can end a record early. */
  readonly nonce: string;
  /** keepalived's configuration on the node (default /etc/keepalived/keepalived.conf). */
  readonly confPath: string;
};

/**
 * The node's host evidence, on request: one letter a line on stdin, one record per answer on
 * stdout, `@@NONCE begin KIND TIME [ARG]` … `@@NONCE end STATUS` (TIME: the node's clock, ns).
 *   t            the node's clock (for the offset estimate)
 *   l / a        ip -j link (ip -o link where there is no -j) / ip -j addr
 *   f            iptables-save, ip6tables-save, nft -j list ruleset
 *   k            keepalived's configuration directory (every file in it)
 *   c PATH       one more file a configuration includes (absolute path)
 *   g DIR        the file names in DIR (an include with a wildcard)
 *   d            keepalived's counters: its JSON dump, or (no JSON support) its stats dump and its
 *                data dump right after it (for the states)
 *   D            keepalived's data dump (interfaces by index, this node's advert sources, states)
 * The loop ends when stdin closes. Nothing here writes anything but keepalived's own dump files,
 * which keepalived writes when asked (the signals `keepalived --signum=JSON|STATS|DATA` name).
 */
export function hostLoopScript(o: HostLoopOptions): string {
  const conf = shQuote(o.confPath);
  return [
    `N=${o.nonce}`,
    'now() { date +%s%N; }',
    'rec() { k=$1; a=$2; shift 2; printf "@@%s begin %s %s %s\\n" "$N" "$k" "$(now)" "$a"; "$@" 2>&1; r=$?; printf "\\n@@%s end %s\\n" "$N" "$r"; }',
    // The keepalived of this network namespace: the main process (its parent is not keepalived).
    'kpid() { me=$(readlink /proc/self/ns/net); for p in $(pidof keepalived 2>/dev/null); do pp=$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$p/status 2>/dev/null); [ "$(cat /proc/$pp/comm 2>/dev/null)" = keepalived ] && continue; [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$me" ] && { echo $p; return 0; }; done; return 1; }',
    'ipl() { ip -j link show 2>/dev/null || ip -o link show; }',
    'fail() { printf "@@%s begin dump-failed %s %s\\n%s\\n@@%s end 1\\n" "$N" "$(now)" "$1" "$2" "$N"; }',
    // One dump: KIND (for --signum), its file in keepalived's own /tmp (its mount namespace, its
    // TMPDIR), the signal when that keepalived has no --signum (1.x: SIGUSR1 data, SIGUSR2 stats).
    // Waits up to 3 s for the file to change; 1 = none written.
    'one() { s=$(/proc/$p/exe --signum=$1 2>/dev/null || keepalived --signum=$1 2>/dev/null) || s=; [ -n "$s" ] || s=$3; [ -n "$s" ] || return 1',
    '  f=/proc/$p/root$t/$2; b=$(stat -c %y "$f" 2>/dev/null); kill -$s $p 2>/dev/null || return 1; i=0',
    '  while [ $i -lt 30 ]; do sleep 0.1; [ "$(stat -c %y "$f" 2>/dev/null)" != "$b" ] && break; i=$((i+1)); done',
    '  [ $i -lt 30 ] || return 1; sleep 0.1; rec dump $1 cat "$f"; }',
    // d: the counters — the JSON dump, else the stats dump and the data dump right after it (its
    // states go with those counters). D: the data dump alone.
    'dumps() { p=$(kpid) || { fail $1 "no keepalived runs in this network namespace"; return 0; }',
    '  t=$(tr "\\0" "\\n" < /proc/$p/environ 2>/dev/null | sed -n "s/^TMPDIR=//p"); t=${t:-/tmp}',
    '  if [ $1 = d ]; then one JSON keepalived.json "" || { one STATS keepalived.stats USR2 || fail d "keepalived wrote no dump"; one DATA keepalived.data USR1; }',
    '  else one DATA keepalived.data USR1 || fail D "keepalived wrote no data dump"; fi; }',
    'while IFS= read -r c; do case $c in',
    '  t) printf "@@%s clock %s\\n" "$N" "$(now)";;',
    // iproute2 before 4.14 has no -j: then its one-line text form (it has the indexes too).
    '  l) rec link - ipl;;',
    '  a) rec addr - ip -j addr show;;',
    '  f) rec iptables - iptables-save; rec ip6tables - ip6tables-save; rec nft - nft -j list ruleset;;',
    // The whole directory only when it is keepalived's own (never /etc itself); otherwise the main
    // file, and its includes one by one.
    `  k) d=$(dirname ${conf}); rec conf-main - printf "%s\\n" ${conf}; case $d in *keepalived*) find "$d" -maxdepth 4 -type f -size -2048k 2>/dev/null | head -n 200 | while IFS= read -r x; do rec file "$x" cat -- "$x"; done;; *) rec file ${conf} cat -- ${conf};; esac; rec conf-done - true;;`,
    '  "c /"*) x=${c#c }; rec file "$x" cat -- "$x";;',
    '  "g /"*) x=${c#g }; rec dir "$x" ls -1A -- "$x";;',
    '  d|D) dumps $c;;',
    'esac; done',
  ].join('\n');
}

/**
 * ssh's arguments: the user's config (or -F), never a prompt once watching has begun. A config's
 * RemoteCommand, forwardings and LocalCommand are for the user's own sessions, not these.
 */
function common(o: SshOptions, batch: boolean): string[] {
  return [
    ...(o.configFile !== undefined ? ['-F', o.configFile] : []),
    ...['-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3', '-o', 'RemoteCommand=none', '-o', 'ClearAllForwardings=yes', '-o', 'PermitLocalCommand=no'],
    ...(batch ? ['-o', 'BatchMode=yes'] : []),
  ];
}

/**
 * The node's one connection: a control master others multiplex on. Its own session only waits
 * for stdin to close (vrrpscope's end), so the connection ends with vrrpscope even after a kill -9.
 */
export function masterArgs(o: SshOptions, destination: string, socket: string, batch: boolean): string[] {
  return [...common(o, batch), '-o', 'ConnectTimeout=10', '-M', '-S', socket, '-o', 'ControlPersist=no', '-T', destination, 'exec cat >/dev/null'];
}

/** `ssh -O check`: whether the master is up. */
export function checkArgs(o: SshOptions, destination: string, socket: string): string[] {
  return [...(o.configFile !== undefined ? ['-F', o.configFile] : []), '-S', socket, '-O', 'check', destination];
}

/** A session on the master's connection (fails rather than open a second connection). */
export function sessionArgs(o: SshOptions, destination: string, socket: string, command: string): string[] {
  // ProxyCommand=false: a session never opens a connection of its own when the master is gone.
  return [...common(o, true), '-S', socket, '-o', 'ControlMaster=no', '-o', 'ProxyCommand=false', '-T', destination, command];
}

/** A fresh random nonce for record markers. */
export function makeNonce(random: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 36)];
  return s;
}
