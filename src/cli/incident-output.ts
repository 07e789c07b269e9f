// --html FILE and --markdown FILE|-: the incident page and ticket, written once the analysis is
// final (end of the files or stream, or of a live run). The writers are views of the final model,
// findings and host evidence (views/html/incident-view.ts), so every source gives the same output.

import { writeFileSync } from 'node:fs';
import type { IncidentSource } from '../views/html/incident-view.js';

import type { Mode } from './args.js';

export type IncidentOutputs = { readonly html: string | undefined; readonly markdown: string | undefined };

/**
 * What a finished run prints on standard output: the --report text, the --json findings and
 * summary, or nothing — only --html / --markdown files (or --metrics alone) were asked for, so
 * standard output stays empty (or holds just `--markdown -`). The same for capture files and
 * bundles, local live capture and --ssh.
 */
export type FinalText = 'report' | 'json' | 'nothing';

export function finalText(mode: Mode): FinalText {
  return mode === 'report' || mode === 'json' ? mode : 'nothing';
}

export function wantsIncident(o: IncidentOutputs): boolean {
  return o.html !== undefined || o.markdown !== undefined;
}

/** Writes what was asked for; false (after one line on stderr each) when a file could not be written. */
export async function writeIncident(o: IncidentOutputs, src: IncidentSource, io: { stdout(text: string): void; warn(m: string): void }): Promise<boolean> {
  if (!wantsIncident(o)) return true;
  // The page's and ticket's code is loaded only when one is asked for (start-up of every other run).
  const [{ buildIncidentView }, { renderHtml }, { renderMarkdown }] = await Promise.all([import('../views/html/incident-view.js'), import('../views/html/html-page.js'), import('../views/html/markdown.js')]);
  const view = buildIncidentView(src);
  let ok = true;
  const write = (path: string, text: string): void => {
    try {
      writeFileSync(path, text);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      io.warn(`cannot write ${path}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : ((e as Error).message.split('\n')[0] ?? 'error')}`);
      ok = false;
    }
  };
  if (o.html !== undefined) write(o.html, renderHtml(view));
  if (o.markdown === '-') io.stdout(renderMarkdown(view).trimEnd());
  else if (o.markdown !== undefined) write(o.markdown, renderMarkdown(view));
  return ok;
}
