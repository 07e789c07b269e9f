// Text that came off the wire (auth strings, interface names) is shown inert: control bytes and
// non-ASCII become \xNN escapes, so nothing a packet carries can move the cursor or change colours.
// Blessed tag syntax is neutralised separately by the dashboard (which owns its markup).

export function inert(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\xff\\]/g, (c) => (c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).replace(/[^\x00-\xff]/g, '?');
}
