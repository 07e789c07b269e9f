// The help overlay: every key.

import { seg, type Line } from './text.js';

export const KEYS: readonly (readonly [string, string])[] = [
  ['Up/Down  j/k', 'select a VRID (or scroll the focused pane)'],
  ['Enter', 'detail view of the selected VRID'],
  ['Esc', 'back / clear filter / focus the VRIDs'],
  ['Tab', 'next pane (VRIDs, findings, events)'],
  ['/', 'filter VRIDs, findings and events'],
  ['o', 'order: problems first / stable'],
  ['space', 'pause / resume; at the end: play again'],
  ['+  -', 'zoom the time window in / out'],
  ['Left/Right', 'scrub the replay back / forward'],
  ['g  Home', 'jump to the start of the capture'],
  ['G  End', 'jump to the end'],
  ['<  >', 'replay slower / faster (plays)'],
  ['PgUp/PgDn', 'scroll the focused pane'],
  ['Ctrl-L', 'redraw the screen'],
  ['Ctrl-Z', 'suspend (fg resumes)'],
  ['?', 'this help'],
  ['q  Ctrl-C', 'quit'],
];

export function helpLines(room = Infinity): Line[] {
  const keys = KEYS.map(([k, what]): Line => [seg(k.padEnd(14), { bold: true }), seg(what)]);
  const close: Line = [seg('* = this host.  Press any key to close.', { fg: 'gray' })];
  const full: Line[] = [[seg('Keys', { bold: true, underline: true })], [], ...keys, [], [seg('Band marks: A B … master  !ABAB both master (split)', { fg: 'gray' })], [seg('            | change  x gap past master-down  . no master', { fg: 'gray' })], close];
  // On a short screen every key still fits: the marks are on the legend line anyway.
  return full.length <= room ? full : [[seg('Keys', { bold: true, underline: true })], ...keys, close].slice(0, Math.max(1, room));
}
