// Text that came off the wire (auth strings, interface names) is shown inert: control bytes and
// bytes ≥ 0x80 become \xNN escapes, so nothing a packet carries can move the cursor or change
// colours. `printable` is the last line of defence for our own text (which may quote wire text):
// it keeps Unicode but removes every C0/C1 control. Blessed tag syntax is the dashboard's business.

export function inert(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\xff\\]/g, (c) => (c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).replace(/[^\x00-\xff]/g, '?');
}

export function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
