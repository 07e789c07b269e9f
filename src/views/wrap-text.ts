// Word-wrapping for the text views (the dashboard's panels, the 80-column report).

/** Word-wraps plain text to `width`: the first line starts with `first`, the others with `indent`. */
export function wrapText(text: string, width: number, indent = '', first = ''): string[] {
  if (width <= indent.length + 4) return [(first + text).slice(0, Math.max(0, width))];
  const out: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    const lead = out.length === 0 ? first : indent;
    const next = cur ? `${cur} ${word}` : lead + word;
    if (next.length > width && cur.trim()) {
      out.push(cur);
      cur = indent + word;
    } else cur = next;
    while (cur.length > width) {
      out.push(cur.slice(0, width));
      cur = indent + cur.slice(width);
    }
  }
  if (cur.trim()) out.push(cur);
  return out;
}
