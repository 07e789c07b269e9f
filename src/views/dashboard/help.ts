// The help overlay: every key.

import { seg, type Line } from './text.js';

export const KEYS: readonly (readonly [string, string])[] = [
  ['Up/Down  j/k', 'select a VRID (or scroll the focused pane)'],
  ['Enter', 'detail view of the selected VRID'],
  ['Esc', 'back / close help / clear filter'],
  ['Tab', 'next pane (VRIDs, findings, events)'],
  ['/', 'filter by interface, VRID or address'],
  ['space', 'pause / resume the replay'],
  ['+  -', 'zoom the time window in / out'],
  ['Left/Right', 'scrub the replay back / forward'],
  ['<  >', 'replay slower / faster'],
  ['PgUp/PgDn', 'scroll the focused pane'],
  ['?', 'this help'],
  ['q  Ctrl-C', 'quit'],
];

export function helpLines(): Line[] {
  const out: Line[] = [[seg('Keys', { bold: true, underline: true })], []];
  for (const [k, what] of KEYS) out.push([seg(k.padEnd(14), { bold: true }), seg(what)]);
  out.push([], [seg('Band marks: A B … master  ! split brain  | change', { fg: 'gray' })], [seg('            x gap past master-down  . no master', { fg: 'gray' })], [seg('* = this host.  Press any key to close.', { fg: 'gray' })]);
  return out;
}
