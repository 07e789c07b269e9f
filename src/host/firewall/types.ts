// Types of the firewall verdict: "is a VRRP advert from S to D, arriving on interface I, accepted on
// input?" — asked of an iptables-save / ip6tables-save dump and of `nft -j list ruleset` output.

export type FirewallTool = 'iptables' | 'ip6tables' | 'nftables';
export type Verdict = 'accept' | 'drop' | 'reject' | 'unknown';
export type Confidence = 'certain' | 'uncertain';
/** What manages the rules: the plain tool, or firewalld / ufw (detected from their chain and table names). */
export type FirewallManager = 'iptables' | 'ip6tables' | 'nftables' | 'firewalld' | 'ufw';

/** The question. `family` follows the addresses (IPv4 → iptables, IPv6 → ip6tables). */
export type VrrpInputQuery = {
  /** Source address of the advert (the peer; for VRRPv3 over IPv6 its link-local address). */
  readonly src: string;
  /** Destination: 224.0.0.18 / ff02::12, or this host's address for unicast peers. Default: the VRRP group of src's family. */
  readonly dst?: string;
  /** Interface the advert arrives on, e.g. `eth0`. */
  readonly iface: string;
  /** IP protocol: 'vrrp' (112, default) or 'ah' (51: VRRPv2 with `auth_type AH`; IPv4 only). */
  readonly protocol?: 'vrrp' | 'ah';
};

/** The rulesets as the tools print them. Any may be missing; a verdict is given per ruleset present. */
export type FirewallRulesets = {
  /** `iptables-save` output. */
  readonly iptablesSave?: string;
  /** `ip6tables-save` output. */
  readonly ip6tablesSave?: string;
  /** `nft -j list ruleset` output. */
  readonly nftJson?: string;
};

export type DecidedBy = {
  readonly tool: FirewallTool;
  /** `filter`, or `inet filter` for nftables (family and name). Empty when no chain sees the packet. */
  readonly table: string;
  /** Chain holding the deciding rule, or whose policy decides. Empty when no chain sees the packet. */
  readonly chain: string;
  /** iptables: 1-based position in the chain (`iptables -L --line-numbers`). */
  readonly ruleNumber?: number;
  /** nftables: the rule's handle (`nft -a list ruleset`). */
  readonly handle?: number;
  /** The rule as printed: the `-A …` line, or the nft rule rebuilt from its JSON. */
  readonly ruleText?: string;
  /** Set when the chain's policy decides (`ACCEPT`/`DROP` for iptables, `accept`/`drop` for nftables). */
  readonly policy?: string;
};

export type FixCommands = {
  readonly iptables: string;
  readonly nftables: string;
  readonly firewalld: string;
  readonly ufw: string;
};

export type FirewallVerdict = {
  readonly verdict: Verdict;
  readonly decidedBy: DecidedBy;
  readonly confidence: Confidence;
  /** Why, in order: the path through the chains, rules that accept VRRP but not this advert, what was not understood. */
  readonly reasons: readonly string[];
  /** Commands that make the advert accepted. Empty strings when it is accepted with certainty. */
  readonly fix: FixCommands;
  /** Who manages these rules, so the operator knows which of the fix commands to use. */
  readonly managedBy: FirewallManager;
  /** firewalld zone the interface is in, when the ruleset shows it. */
  readonly zone?: string;
};

export type FirewallEvaluation = {
  /** One verdict per ruleset given that covers the address family (iptables or ip6tables, and nftables). */
  readonly perTool: readonly FirewallVerdict[];
  /**
   * All rulesets together: every netfilter hook sees the packet, so it is accepted only if every
   * tool accepts it; the first drop/reject decides. `unknown` when no ruleset was given.
   */
  readonly overall: FirewallVerdict;
};
