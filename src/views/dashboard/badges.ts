// Status and severity badges: always text, colour only on top.

import type { Severity } from '../../analysis/finding.js';
import type { VridStatus } from '../vrid-summary.js';
import type { Style } from './text.js';

export function statusStyle(s: VridStatus): Style {
  switch (s) {
    case 'OK':
      return { fg: 'green', bold: true };
    case 'SPLIT-BRAIN':
    case 'CONFLICT':
    case 'MISMATCH':
    case 'HOST-DROPS':
      return { fg: 'white', bg: 'red', bold: true };
    case 'FLAPPING':
    case 'NO MASTER':
      return { fg: 'red', bold: true };
    default:
      return { fg: 'yellow', bold: true };
  }
}

export const severityBadge: Record<Severity, string> = { critical: 'CRIT', warning: 'WARN', info: 'INFO' };

export function severityStyle(s: Severity): Style {
  return s === 'critical' ? { fg: 'red', bold: true } : s === 'warning' ? { fg: 'yellow', bold: true } : { fg: 'cyan' };
}

/** Colours for routers A, B, C … in the master-history band (the letter is always drawn too). */
const ROUTER_COLORS = ['cyan', 'magenta', 'blue', 'green', 'yellow', 'white'] as const;

export function routerStyle(letter: string): Style {
  const i = letter.charCodeAt(0) - 65;
  return { fg: 'black', bg: ROUTER_COLORS[((i % ROUTER_COLORS.length) + ROUTER_COLORS.length) % ROUTER_COLORS.length]! };
}
