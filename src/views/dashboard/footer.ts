// Footer: the main keys, shortened to fit; or the filter prompt while typing one.

import { seg, type Line } from './text.js';

const FULL = '↑↓ select  Enter detail  Tab pane  / filter  space pause  +/- zoom  ←/→ scrub  </> speed  ? help  q quit';
const MID = '↑↓ select Enter detail Tab / filter spc pause +- zoom ←→ scrub ? help q quit';
const SHORT = '↑↓ Enter Tab / spc +- ←→ <> ? help  q quit';

export function footer(width: number, mode: 'main' | 'detail' | 'help', prompt: string | undefined, unicode: boolean): Line {
  if (prompt !== undefined) return [seg('filter: ', { bold: true }), seg(prompt + '_', { inverse: false }), seg('   Enter apply  Esc clear', { fg: 'gray' })];
  let text = mode === 'detail' ? '↑↓ PgUp/PgDn scroll  Esc back  ? help  q quit' : mode === 'help' ? 'any key: close help' : [FULL, MID, SHORT].find((t) => t.length <= width) ?? SHORT;
  if (!unicode) text = text.replace(/↑↓/g, 'Up/Dn').replace(/←\/→|←→/g, 'L/R');
  return [seg(text, { inverse: true })];
}
