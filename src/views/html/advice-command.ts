// Advice lines that hold a command to paste ("iptables:  iptables -I INPUT … ACCEPT   (IPv6: …)"):
// the command alone, so a copy button copies exactly what a shell should run. A line indented by
// four spaces continues the one before it (a fix of several lines, e.g. a file snippet).

export type AdviceLine = { readonly text: string; readonly label: string | undefined; readonly command: string | undefined; readonly note: string | undefined };

const TOOLS = /^(iptables|ip6tables|nft|firewall-cmd|ufw|sysctl|ip|systemctl|keepalived|#)/;

export function splitAdvice(line: string): AdviceLine {
  const m = /^([A-Za-z0-9]+):\s+([\s\S]*)$/.exec(line);
  if (!m || !TOOLS.test(m[2]!)) return { text: line, label: undefined, command: undefined, note: undefined };
  // A remark after a one-line command is set off by three or more spaces and a parenthesis.
  const n = m[2]!.includes('\n') ? null : /^(.*?)\s{3,}(\(.*\))$/.exec(m[2]!);
  return { text: line, label: m[1], command: (n ? n[1]! : m[2]!).trim(), note: n ? n[2] : undefined };
}

/** The advice of a finding as prose lines and commands, continuation lines joined to their command. */
export function adviceLines(advice: readonly string[]): AdviceLine[] {
  const joined: string[] = [];
  for (const a of advice) {
    if (/^ {4}\S/.test(a) && joined.length > 0) joined[joined.length - 1] += `\n${a.slice(4)}`;
    else joined.push(a);
  }
  return joined.map(splitAdvice);
}
