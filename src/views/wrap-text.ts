// Word-wrapping for the text views (the dashboard's panels, the 80-column report).

/**
 * Word-wraps plain text to `width`: the first line starts with `first`, the others with `indent`.
 * A word longer than a line is cut into line-sized pieces. Linear in the text whatever its words
 * (a 64 KiB interface name is cut by index, never by re-slicing what is left).
 */
export function wrapText(text: string, width: number, indent = '', first = ''): string[] {
  if (width <= indent.length + 4) return [(first + text).slice(0, Math.max(0, width))];
  const out: string[] = [];
  const room = width - indent.length;
  let cur = '';
  for (const word of text.split(' ')) {
    const lead = out.length === 0 ? first : indent;
    const next = cur ? `${cur} ${word}` : lead + word;
    if (next.length > width && cur.trim()) {
      out.push(cur);
      cur = indent + word;
    } else cur = next;
    if (cur.length > width) {
      // Cut the over-long line: the first piece is `width` long, then indent + `room` characters each.
      out.push(cur.slice(0, width));
      let at = width;
      while (cur.length - at > room) {
        out.push(indent + cur.slice(at, at + room));
        at += room;
      }
      cur = indent + cur.slice(at);
    }
  }
  if (cur.trim()) out.push(cur);
  return out;
}
