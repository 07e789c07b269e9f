// The one formatter for messages on stderr: whatever a message quotes (a file name, a line of a
// config, a reason the kernel gave) goes through inertText, so it cannot retitle or recolour the
// terminal; one message is one line.

import { inertText } from '../util/inert.js';

export function message(m: string): string {
  return `vrrpscope: ${inertText(m)}\n`;
}
