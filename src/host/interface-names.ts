// Interface index → name, for captures that know only indexes (`tcpdump -i any` writes SLL2, whose
// header carries the receiving interface's ifindex, not its name). Read from what the operator can
// give us from the host:
//
//   ip -j link / ip -j addr      JSON array of {ifindex, ifname, address, addr_info: [{local, …}]}
//   ip link / ip addr / ip -o …  "3: eth0@if2: <BROADCAST,…> mtu 1500 …", then indented
//                                "link/ether …" and "inet 192.168.2.11/24 …" lines (-o joins them
//                                with "\" on one line); the "@if2"/"@eth0" suffix is the link, not the name
//   keepalived data dump         `kill -s $(keepalived --signum=DATA) PID` → /tmp/keepalived.data;
//                                its "------< Interfaces >------" section lists " Name = eth0" then
//                                "   index = 3", "   IPv4 address = …", "   MAC = …" (vrrp_if.c dump_if)
//
// Every name is checked against the kernel's rules (dev_valid_name: 1–15 bytes, no '/', ':' or
// white space, not "." or "..") and, stricter, against the characters real names use (letters,
// digits, '.', '_', '-', '+', '@'): the kernel would allow "$(reboot)", and a name we print in
// advice must be safe to paste into a shell. Other names are reported as errors, never mapped.
// Self-contained on purpose: nothing here depends on the rest of vrrpscope.

export type InterfaceNameSource = 'keepalived-data' | 'ip-json' | 'ip-text';

export interface InterfaceEntry {
  readonly index: number;
  readonly name: string;
  readonly mac?: string;
  /** Addresses configured on the interface, without prefix length. */
  readonly addresses: readonly string[];
}

export interface InterfaceNameError {
  readonly line?: number;
  readonly message: string;
}

export interface InterfaceNames {
  readonly source: InterfaceNameSource;
  /** Where the map came from, for the report ("ip -j link output node1.link.json"). */
  readonly file?: string;
  readonly byIndex: ReadonlyMap<number, InterfaceEntry>;
  readonly errors: readonly InterfaceNameError[];
}

/** Linux's rule for an interface name (net/core/dev.c dev_valid_name, IFNAMSIZ 16 with the NUL), limited to shell-safe characters. */
export function validInterfaceName(name: string): boolean {
  return name.length >= 1 && name.length <= 15 && name !== '.' && name !== '..' && /^[A-Za-z0-9._@+-]+$/.test(name) && !name.startsWith('-');
}

/** Which of the three formats a text is, or undefined when it is none of them. */
export function detectInterfaceFormat(text: string): InterfaceNameSource | undefined {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('[')) return 'ip-json';
  if (/^-+< Interfaces >-+$/m.test(t) || /^ Name = /m.test(t)) return 'keepalived-data';
  if (/^\d+: [^\s:]+(: <| +(inet6?|link\/))/m.test(t)) return 'ip-text';
  return undefined;
}

/** Reads any of the three formats (detected from the text). Throws only on text that is none of them. */
export function parseInterfaceNames(text: string, file?: string): InterfaceNames {
  const format = detectInterfaceFormat(text);
  if (format === 'ip-json') return parseIpJson(text, file);
  if (format === 'keepalived-data') return parseKeepalivedDataInterfaces(text, file);
  if (format === 'ip-text') return parseIpText(text, file);
  throw new Error(`${file ?? 'input'}: not \`ip -j link\`, \`ip addr\` output or a keepalived data dump (no interface index found)`);
}

/** The name for an index, or undefined when the map does not know it. */
export function interfaceName(names: InterfaceNames | undefined, index: number): string | undefined {
  return names?.byIndex.get(index)?.name;
}

/** The one line that tells the reader which mapping was used. */
export function describeInterfaceNames(names: InterfaceNames): string {
  const what = names.source === 'keepalived-data' ? 'keepalived data dump' : names.source === 'ip-json' ? '`ip -j` output' : '`ip` output';
  const list = [...names.byIndex.values()].map((e) => `if${e.index}=${e.name}`).join(', ');
  return `interface indexes named from the ${what}${names.file !== undefined ? ` ${names.file}` : ''}: ${list}`;
}

/**
 * A command that prints the name of interface `index` on the capturing host; safe to paste (the
 * index is a number we format ourselves).
 */
export function findInterfaceCommand(index: number): string {
  const n = Math.trunc(index);
  return `ip -o link | awk -F': ' '$1 == ${n} { sub(/@.*/, "", $2); print $2 }'`;
}

class Builder {
  readonly byIndex = new Map<number, { index: number; name: string; mac?: string; addresses: string[] }>();
  readonly errors: InterfaceNameError[] = [];

  add(index: unknown, name: unknown, line?: number): { addresses: string[]; mac?: string } | undefined {
    const at = line !== undefined ? { line } : {};
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 1 || index > 0xffffffff) {
      this.errors.push({ ...at, message: `interface index ${JSON.stringify(index)} is not a positive integer` });
      return undefined;
    }
    if (typeof name !== 'string' || !validInterfaceName(name)) {
      this.errors.push({ ...at, message: `interface ${index}: ${JSON.stringify(name)} is not a valid interface name` });
      return undefined;
    }
    const had = this.byIndex.get(index);
    if (had !== undefined) {
      if (had.name !== name) this.errors.push({ ...at, message: `interface ${index} is named both ${had.name} and ${name}; keeping ${had.name}` });
      return had;
    }
    const e = { index, name, addresses: [] as string[] };
    this.byIndex.set(index, e);
    return e;
  }

  done(source: InterfaceNameSource, file: string | undefined): InterfaceNames {
    const byIndex = new Map<number, InterfaceEntry>([...this.byIndex.entries()].sort((a, b) => a[0] - b[0]));
    return { source, ...(file !== undefined ? { file } : {}), byIndex, errors: this.errors };
  }
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function addAddress(e: { addresses: string[] } | undefined, a: unknown): void {
  if (e === undefined || typeof a !== 'string') return;
  const addr = a.replace(/\/\d+$/, '');
  if (/^[0-9a-f.:]+$/i.test(addr) && addr.length <= 45 && !e.addresses.includes(addr)) e.addresses.push(addr);
}

/** `ip -j link` or `ip -j addr` (iproute2's JSON; -p pretty-printed too). */
export function parseIpJson(text: string, file?: string): InterfaceNames {
  const b = new Builder();
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    b.errors.push({ message: `not JSON: ${(e as Error).message}` });
    return b.done('ip-json', file);
  }
  if (!Array.isArray(data)) {
    b.errors.push({ message: 'expected a JSON array (ip -j link / ip -j addr)' });
    return b.done('ip-json', file);
  }
  for (const item of data as unknown[]) {
    if (item === null || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    // ip -j addr lists interfaces without addresses as {addr_info: []}; ip -j link may omit ifname for odd
    // link types only in very old versions — such entries are reported, not guessed.
    const e = b.add(o['ifindex'], o['ifname']);
    if (e === undefined) continue;
    if (typeof o['address'] === 'string' && MAC.test(o['address']) && e.mac === undefined) e.mac = o['address'].toLowerCase();
    const info = o['addr_info'];
    if (Array.isArray(info)) for (const a of info as unknown[]) if (a !== null && typeof a === 'object') addAddress(e, (a as Record<string, unknown>)['local']);
  }
  return b.done('ip-json', file);
}

/** `ip link`, `ip addr`, `ip -o link`, `ip -o addr` (and `ip -br` is not enough: it has no index). */
export function parseIpText(text: string, file?: string): InterfaceNames {
  const b = new Builder();
  let cur: { addresses: string[]; mac?: string } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    // -o output joins an interface's lines with a backslash; treat each piece as its own line.
    for (const piece of raw.split('\\')) {
      const head = /^(\d+):\s+(\S+?):?\s+(<|inet6?\s|link\/)/.exec(piece);
      if (head !== null) {
        let name = head[2] ?? '';
        // "eth0@if2", "eth0.100@eth0", "vlan9@NONE": the part after the last '@' is the link.
        const at = name.lastIndexOf('@');
        if (at > 0) name = name.slice(0, at);
        cur = b.add(Number(head[1]), name, i + 1);
        if (cur === undefined) continue;
      }
      if (cur === undefined) continue;
      const mac = /\blink\/ether\s+([0-9a-f:]{17})\b/i.exec(piece);
      if (mac !== null && cur.mac === undefined) cur.mac = (mac[1] ?? '').toLowerCase();
      const inet = /\binet6?\s+([0-9a-f.:]+)(?:\/\d+)?\b/i.exec(piece);
      if (inet !== null) addAddress(cur, inet[1]);
    }
  });
  if (b.byIndex.size === 0 && b.errors.length === 0) b.errors.push({ message: 'no "N: name:" interface lines found' });
  return b.done('ip-text', file);
}

/** The "Interfaces" section of keepalived's data dump (keepalived.data). */
export function parseKeepalivedDataInterfaces(text: string, file?: string): InterfaceNames {
  const b = new Builder();
  let inSection = false;
  let sawSection = false;
  let name: { value: string; line: number } | undefined;
  let cur: { addresses: string[]; mac?: string } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const sec = /^-+<\s*(.*?)\s*>-+\s*$/.exec(raw);
    if (sec !== null) {
      inSection = sec[1] === 'Interfaces';
      sawSection ||= inSection;
      name = undefined;
      cur = undefined;
      return;
    }
    if (!inSection) return;
    const n = /^ Name = (.*?)\s*$/.exec(raw);
    if (n !== null) {
      if (name !== undefined && cur === undefined) b.errors.push({ line: name.line, message: `interface ${name.value} has no index line` });
      name = { value: n[1] ?? '', line: i + 1 };
      cur = undefined;
      return;
    }
    const idx = /^\s+index = (\d+)\s*$/.exec(raw);
    if (idx !== null && name !== undefined && cur === undefined) {
      cur = b.add(Number(idx[1]), name.value, i + 1);
      return;
    }
    if (cur === undefined) return;
    const mac = /^\s+MAC = ([0-9a-f:]{17})\s*$/i.exec(raw);
    if (mac !== null && cur.mac === undefined) cur.mac = (mac[1] ?? '').toLowerCase();
    const addr = /^\s+IPv[46] address = ([0-9a-f.:]+)\s*$/i.exec(raw);
    if (addr !== null) addAddress(cur, addr[1]);
  });
  if (name !== undefined && cur === undefined) b.errors.push({ line: name.line, message: `interface ${name.value} has no index line` });
  if (!sawSection) b.errors.push({ message: 'no "------< Interfaces >------" section (is this keepalived.data?)' });
  return b.done('keepalived-data', file);
}
