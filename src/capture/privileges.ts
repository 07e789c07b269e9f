// What live capture needs from the operating system, asked before anything is opened, and the
// privilege drop after (-Z, as tcpdump does).

import { readFileSync } from 'node:fs';

const CAP_NET_RAW = 13;

/** Whether this process may open packet sockets: root, or CAP_NET_RAW in its effective set. */
export function canCapture(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m !== null && ((BigInt('0x' + m[1]!) >> BigInt(CAP_NET_RAW)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** The one line that says what to do when capture is not allowed. */
export const NO_PRIVILEGE_MESSAGE =
  'live capture needs root or the CAP_NET_RAW capability: run it with sudo, or allow node once with ' +
  "`sudo setcap cap_net_raw,cap_net_admin=eip $(readlink -f $(which node))` (this lets every node script on this machine capture), " +
  'or read a capture instead: `sudo tcpdump -U -w - | vrrpscope -r -`';

/** As tcpdump -Z: the user's groups, then its group, then the user (root is needed until the last step). */
export function dropPrivileges(user: string): void {
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.split(':')[0] === user);
  if (!entry) throw new Error(`no user '${user}' in /etc/passwd`);
  const [, , uid, gid] = entry.split(':');
  const p = process as NodeJS.Process & { initgroups?: (user: string, extraGroup: number) => void };
  if (!p.initgroups || !p.setgid || !p.setuid) throw new Error('-Z needs a POSIX system');
  p.initgroups(user, Number(gid));
  p.setgid(Number(gid));
  p.setuid(Number(uid));
}

/** Whether `user` exists (checked before anything is opened, so a typo fails early). */
export function userExists(user: string): boolean {
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n').some((l) => l.split(':')[0] === user);
  } catch {
    return false;
  }
}
