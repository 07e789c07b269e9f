// Concrete fixes, so the operator can paste rather than look things up.

export function firewallAdvice(iface: string | undefined): string[] {
  const i = iface && /^[A-Za-z0-9_.:@-]+$/.test(iface) ? iface : '<interface>';
  return [
    `iptables:  iptables -I INPUT -i ${i} -p vrrp -j ACCEPT   (IPv6: ip6tables -I INPUT -i ${i} -p vrrp -j ACCEPT)`,
    `nftables:  nft insert rule inet filter input iifname "${i}" meta l4proto vrrp accept`,
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

/** How to find the name of interface index N on the node (safe to paste). */
export function findInterfaceHint(segment: string): string | undefined {
  const m = /(?:^|\/)if(\d+)$/.exec(segment);
  return m ? `This capture (-i any) knows only interface index ${m[1]}: its name on the capturing node is printed by  ip -o link | awk -F': ' '$1 == ${m[1]} {print $2}'` : undefined;
}

/** Firewall advice for a segment, with the interface named only when it is real. */
export function firewallAdviceFor(segment: string): string[] {
  const name = pastableInterface(segment);
  const hint = findInterfaceHint(segment);
  return [...(hint ? [hint] : []), ...firewallAdvice(name)];
}
