// Footer: the keys of the focused pane, shortened to fit; where Events are hidden (80 columns) it
// says they are there and how many; or the filter prompt while typing one.

import { seg, type Line } from './text.js';
import type { Pane } from './layout.js';

export type FooterCtx = {
  readonly mode: 'main' | 'detail' | 'help';
  readonly focus: Pane;
  /** The panes not on screen now (Tab brings them), with their counts. */
  readonly hidden: readonly { readonly pane: Pane; readonly count: number }[];
  readonly replay: boolean;
};

const NAMES: Record<Pane, string> = { table: 'VRIDs', findings: 'Findings', events: 'Events' };

export function footer(width: number, ctx: FooterCtx, prompt: string | undefined, unicode: boolean): Line {
  if (prompt !== undefined) return [seg('filter: ', { bold: true }), seg(prompt + '_', { inverse: false }), seg('   Enter apply  Esc clear', { fg: 'gray' })];
  const hidden = ctx.hidden.map((h) => `${NAMES[h.pane]} (${h.count})`).join(', ');
  const tab = hidden ? `Tab: ${hidden}` : 'Tab pane';
  let options: string[];
  if (ctx.mode === 'detail') options = ['↑↓ PgUp/PgDn scroll  Esc back  ? help  q quit'];
  else if (ctx.mode === 'help') options = ['any key: close help'];
  else if (ctx.focus === 'table') {
    const play = ctx.replay ? '  space play/pause  ←/→ scrub  </> speed  g/G start/end' : '  space pause';
    options = [
      `↑↓ select  Enter detail  ${tab}  / filter  o order${play}  +/- zoom  ? help  q quit`,
      `↑↓ select  Enter detail  ${tab}  / filter  o order  ${ctx.replay ? 'spc play ←→ <> ' : 'spc '}+- zoom  ? help  q quit`,
      `↑↓ Enter  ${tab}  / filter  spc  ? help  q quit`,
      `↑↓ Enter ${tab} / ? q`,
    ];
  } else {
    const name = NAMES[ctx.focus];
    options = [`${name}: ↑↓ PgUp/PgDn scroll  ${tab}  / filter  Esc back to VRIDs  ? help  q quit`, `${name}: ↑↓ scroll  ${tab}  / filter  ? help  q quit`, `${name}: ↑↓ ${tab} ? q`];
  }
  let text = options.find((t) => t.length <= width) ?? options[options.length - 1]!;
  if (!unicode) text = text.replace(/↑↓/g, 'Up/Dn').replace(/←\/→|←→/g, 'L/R');
  return [seg(text, { inverse: true })];
}
