// `--ssh [user@]host[:label]`: where to connect and what to call the node. The label names the
// node's segments (`node1/eth0`); it defaults to the host part. The destination is handed to the
// user's own ssh as one argument after `--`-free checks: it must not look like an option.

export type SshTarget = {
  /** What ssh is given: `host`, `user@host` (an IPv6 address without brackets). */
  readonly destination: string;
  /** The node's name in segments, reports and bundles. */
  readonly label: string;
};

const LABEL = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const V6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Parses one --ssh value; throws an Error with a one-line message when it is not usable. */
export function parseSshTarget(arg: string): SshTarget {
  const bad = (why: string): never => {
    throw new Error(`--ssh '${arg}': ${why} (want [user@]host[:label])`);
  };
  let rest = arg;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) bad('not a user name');
  }
  let host: string;
  let label: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) bad('unclosed [');
    host = rest.slice(1, close);
    if (!V6.test(host)) bad('not an IPv6 address in [ ]');
    const tail = rest.slice(close + 1);
    if (tail !== '') {
      if (!tail.startsWith(':')) bad('expected :label after ]');
      label = tail.slice(1);
    }
  } else {
    const colon = rest.indexOf(':');
    host = colon < 0 ? rest : rest.slice(0, colon);
    if (colon >= 0) label = rest.slice(colon + 1);
    if (!HOST.test(host)) bad(host === '' ? 'no host' : 'not a host name');
  }
  label ??= host.includes(':') ? host.replace(/[:%]/g, '_') : host;
  if (!LABEL.test(label)) bad(`label '${label}' must be letters, digits, '.', '_' or '-' (at most 32)`);
  return { destination: user !== undefined ? `${user}@${host}` : host, label };
}

/** Parses every --ssh value; labels must be unique. */
export function parseSshTargets(args: readonly string[]): SshTarget[] {
  const out = args.map(parseSshTarget);
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.label)) throw new Error(`--ssh: two nodes are called '${t.label}'; name them with host:label`);
    seen.add(t.label);
  }
  return out;
}
