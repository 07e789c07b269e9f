// Concrete fixes, so the operator can paste rather than look things up.

import { findInterfaceCommand } from '../host/interface-names.js';

/**
 * Rules that let VRRP in on `iface`. A `tcpdump -i any` capture knows only an interface index
 * (segment `if3`): no interface is called that, so the commands say `<interface>` (the shell
 * refuses to run them as they are) and the first line prints the command that finds the name.
 */
export function firewallAdvice(iface: string | undefined): string[] {
  const index = iface !== undefined ? /^if(\d+)$/.exec(iface) : null;
  const i = index === null && iface && /^[A-Za-z0-9_.@+-]+$/.test(iface) ? iface : '<interface>';
  const find = index !== null ? [`${iface} is interface index ${index[1]} of the capturing host (tcpdump -i any records no names); its name: ${findInterfaceCommand(Number(index[1]))} — use it for <interface> below (or give \`ip -j link\` output with --ip-link FILE)`] : [];
  return [
    ...find,
    `iptables:  iptables -I INPUT -i ${i} -p vrrp -j ACCEPT   (IPv6: ip6tables -I INPUT -i ${i} -p vrrp -j ACCEPT)`,
    `nftables:  nft insert rule inet filter input iifname ${i === '<interface>' ? i : `"${i}"`} meta l4proto vrrp accept`,
    `firewalld: firewall-cmd --permanent --add-rich-rule='rule protocol value="vrrp" accept' && firewall-cmd --reload`,
    `ufw:       ufw allow in on ${i} proto vrrp   (older ufw: add "-A ufw-before-input -p vrrp -j ACCEPT" to /etc/ufw/before.rules)`,
    'Check both nodes, and any filter between them (switch ACLs, security groups, IGMP snooping).',
  ];
}

export const unicastAdvice =
  'Where multicast to 224.0.0.18 / ff02::12 is not delivered (cloud networks, some switches), configure unicast_src_ip and unicast_peer in each vrrp_instance.';

/**
 * The interface name to paste, or undefined when the capture only knows an index (`-i any` gives
 * `if3`) or the segment is a file name: advice must never name an interface that does not exist.
 */
export function pastableInterface(segment: string): string | undefined {
  const i = segment.includes('/') ? segment.slice(segment.lastIndexOf('/') + 1) : segment;
  if (/^if\d+$/.test(i) || !/^[A-Za-z0-9_.:@-]{1,15}$/.test(i) || /\.(pcap|pcapng|gz|cap)$/.test(i)) return undefined;
  return i;
}

/** Firewall advice for a segment (`node1/eth0`, `eth0`, `if3`), with the interface named only when it is real. */
export function firewallAdviceFor(segment: string): string[] {
  const i = segment.includes('/') ? segment.slice(segment.lastIndexOf('/') + 1) : segment;
  return firewallAdvice(/^if\d+$/.test(i) ? i : pastableInterface(segment));
}
