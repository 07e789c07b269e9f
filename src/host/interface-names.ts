// Interface names and this node's addresses from `ip -j link` / `ip -j addr` (iproute2's JSON):
// what maps a `tcpdump -i any` (LINUX_SLL2) interface index to its name, and tells the node's own
// routers from its peers. Minimal reader (issue 13); bad input gives empty results, never throws.

export type IpInterface = { readonly index: number; readonly name: string; readonly up: boolean; readonly addresses: readonly string[] };

/** `ip -j link` or `ip -j addr` output → interfaces (index, name, up, addresses when given). */
export function parseIpJson(text: string): IpInterface[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(data)) return [];
  const out: IpInterface[] = [];
  for (const x of data) {
    if (typeof x !== 'object' || x === null) continue;
    const o = x as Record<string, unknown>;
    if (typeof o['ifindex'] !== 'number' || typeof o['ifname'] !== 'string' || o['ifname'] === '') continue;
    const flags = Array.isArray(o['flags']) ? o['flags'] : [];
    const addresses: string[] = [];
    if (Array.isArray(o['addr_info'])) {
      for (const a of o['addr_info']) if (typeof a === 'object' && a !== null && typeof (a as Record<string, unknown>)['local'] === 'string') addresses.push((a as Record<string, string>)['local']!);
    }
    out.push({ index: o['ifindex'], name: o['ifname'].slice(0, 64), up: flags.includes('UP'), addresses });
  }
  return out;
}

/** Index → name. */
export function interfaceNames(ifs: readonly IpInterface[]): Map<number, string> {
  return new Map(ifs.map((i) => [i.index, i.name]));
}
