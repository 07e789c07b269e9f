// LINKTYPE_* values (tcpdump.org/linktypes.html) that vrrpscope decodes.

export const LinkType = {
  null: 0,
  ethernet: 1,
  raw: 101,
  rawAlt: 12,
  frameRelay: 107,
  loop: 108,
  linuxSll: 113,
  ipoib: 242,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;
export type LinkType = (typeof LinkType)[keyof typeof LinkType];

const names: Record<number, string> = {
  0: 'NULL',
  1: 'EN10MB',
  12: 'RAW',
  101: 'RAW',
  107: 'FRELAY',
  108: 'LOOP',
  113: 'LINUX_SLL',
  228: 'IPV4',
  229: 'IPV6',
  242: 'IPOIB',
  276: 'LINUX_SLL2',
};

export function linkTypeName(lt: number): string {
  return names[lt] ?? `linktype ${lt}`;
}
