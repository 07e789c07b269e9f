// Advice lines that hold a command to paste ("iptables:  iptables -I INPUT … ACCEPT   (IPv6: …)"):
// the command alone, so a copy button copies exactly what a shell should run.

export type AdviceLine = { readonly text: string; readonly label: string | undefined; readonly command: string | undefined; readonly note: string | undefined };

const TOOLS = /^(iptables|ip6tables|nft|firewall-cmd|ufw|sysctl|ip|systemctl|keepalived)\b/;

export function splitAdvice(line: string): AdviceLine {
  const m = /^([A-Za-z0-9]+):\s+(.*)$/.exec(line);
  if (!m || !TOOLS.test(m[2]!)) return { text: line, label: undefined, command: undefined, note: undefined };
  // A remark after the command is set off by three or more spaces and a parenthesis.
  const n = /^(.*?)\s{3,}(\(.*\))$/.exec(m[2]!);
  return { text: line, label: m[1], command: (n ? n[1]! : m[2]!).trim(), note: n ? n[2] : undefined };
}
