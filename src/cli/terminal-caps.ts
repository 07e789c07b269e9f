// What the terminal can show, decided from the environment rather than from blessed alone: blessed
// falls back to xterm's 8-colour terminfo for TERM=tmux-256color and screen-256color, and then
// sends every grey as black (ESC[30m), which vanishes on a dark background.

export type TerminalCaps = {
  /** 256: trust the 256-colour palette; 8: the eight ANSI colours; 0: none (NO_COLOR, vt100). */
  readonly colors: 0 | 8 | 256;
  /** No cursor addressing: the dashboard cannot be drawn (TERM=dumb, unset). */
  readonly dumb: boolean;
};

/** `terminfoColors` is what blessed's terminfo says (-1 or undefined when it knows none). */
export function terminalCaps(env: NodeJS.ProcessEnv, terminfoColors: number | undefined): TerminalCaps {
  const term = env['TERM'] ?? '';
  const dumb = term === '' || term === 'dumb' || term === 'unknown';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return { colors: 0, dumb };
  const colorterm = (env['COLORTERM'] ?? '').toLowerCase();
  if (/-256colou?r$|-direct$|truecolor|24bit/.test(term) || /truecolor|24bit|256/.test(colorterm)) return { colors: 256, dumb };
  if (terminfoColors !== undefined && terminfoColors >= 256) return { colors: 256, dumb };
  if (terminfoColors !== undefined && terminfoColors >= 8) return { colors: 8, dumb };
  return { colors: 0, dumb };
}
