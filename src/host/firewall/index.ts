// The firewall verdict for VRRP adverts (see docs/firewall.md).
export type { Confidence, DecidedBy, FirewallEvaluation, FirewallManager, FirewallRulesets, FirewallTool, FirewallVerdict, FixCommands, Verdict, VrrpInputQuery } from './types.js';
export { evaluateVrrpInput } from './evaluate.js';
export { splitFirewallDump } from './dump.js';
