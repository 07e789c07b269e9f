// The one escaping step for text vrrpscope did not write itself (wire, file names, interface names,
// keepalived configs, dumps, logs, rulesets, ssh output): whatever it contains is shown, never
// interpreted by the terminal. C0/C1 controls and DEL (so ESC, OSC, CSI) become `\xNN`; bidi
// overrides and other invisible format characters become `\uNNNN`; bytes that were not valid UTF-8
// (see decodeUtf8) become `\xNN`. Backslashes are left alone in host text: the escapes are for
// safety, not for a round trip. Where it is applied: docs/architecture.md, "Untrusted text".

/** Invisible or reordering code points: bidi embeddings/overrides/isolates, marks, separators, BOM. */
const INVISIBLE = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

// C0, DEL, C1, the invisible set, and lone surrogates (U+DC80–U+DCFF stand for undecodable bytes).
const DANGEROUS = /[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const DANGEROUS_KEEP_LINES = /\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeOne(c: string): string {
  const u = c.charCodeAt(0);
  if (u < 0xa0) return `\\x${u.toString(16).padStart(2, '0')}`;
  if (u >= 0xdc80 && u <= 0xdcff) return `\\x${(u - 0xdc00).toString(16)}`;
  return `\\u${u.toString(16).padStart(4, '0')}`;
}

/** Untrusted text → text safe to show on one line of a terminal (also tab, CR and LF escaped). */
export function inertText(s: string): string {
  return s.replace(DANGEROUS, escapeOne);
}

/** A whole untrusted file before it is parsed: like inertText, but tab, LF and the CR of CRLF stay. */
export function inertSource(s: string): string {
  return s.replace(DANGEROUS_KEEP_LINES, escapeOne);
}

/**
 * JSON text before JSON.parse: raw dangerous characters become `\\xNN` (inside a string they parse
 * to the visible text `\xNN`), and JSON escapes that would decode to one (`\u001b`, `\n`, `\u202e`, a
 * lone surrogate) get their backslash doubled, so the parsed value holds the escape as text.
 */
export function inertJsonSource(s: string): string {
  return s.replace(DANGEROUS_KEEP_LINES, (c) => '\\' + escapeOne(c)).replace(/\\(\\|["/]|[bfnrt]|u([0-9a-fA-F]{4})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?)/g, (m, _e: string, hex: string | undefined, low: string | undefined) => {
    if (m === '\\\\' || m === '\\"' || m === '\\/') return m;
    if (hex === undefined) return '\\' + m; // \b \f \n \r \t
    const u = parseInt(hex, 16);
    if (u >= 0xd800 && u <= 0xdbff && low !== undefined) return m; // a surrogate pair: one real character
    const c = String.fromCharCode(u);
    const bad = u < 0x20 || (u >= 0x7f && u < 0xa0) || INVISIBLE.test(c) || (u >= 0xd800 && u <= 0xdfff);
    return (bad ? '\\' + m.slice(0, 6) : m.slice(0, 6)) + (low !== undefined ? inertJsonSource(low) : '');
  });
}

/**
 * Bytes → text, UTF-8 where the bytes are UTF-8; every other byte becomes U+DC80+byte (a lone
 * surrogate, as Python's surrogateescape does), which inertText shows as `\xNN`.
 */
export function decodeUtf8(b: Uint8Array): string;
/** …or undefined as soon as more than `maxBad` bytes were not UTF-8 (binary data, not text). */
export function decodeUtf8(b: Uint8Array, maxBad: number): string | undefined;
export function decodeUtf8(b: Uint8Array, maxBad = Infinity): string | undefined {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    // fall through: find the bad bytes
  }
  // Decoded by hand into UTF-16 code units (never more than there are bytes), so a file of bad
  // bytes costs two bytes per byte, not a string per byte.
  const n = buf.length;
  const out = new Uint16Array(n);
  let o = 0;
  let i = 0;
  while (i < n) {
    const c = buf[i] as number;
    if (c < 0x80) {
      out[o++] = c;
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    let ok = len > 0 && i + len <= n;
    for (let k = 1; ok && k < len; k++) ok = ((buf[i + k] as number) & 0xc0) === 0x80;
    const c1 = buf[i + 1] as number;
    if (ok && len === 3) ok = !(c === 0xe0 && c1 < 0xa0) && !(c === 0xed && c1 >= 0xa0); // overlong, encoded surrogate
    else if (ok && len === 4) ok = !(c === 0xf0 && c1 < 0x90) && !(c === 0xf4 && c1 >= 0x90);
    if (!ok) {
      if (--maxBad < 0) return undefined;
      out[o++] = 0xdc00 + c;
      i++;
      continue;
    }
    if (len === 2) out[o++] = ((c & 0x1f) << 6) | (c1 & 0x3f);
    else if (len === 3) out[o++] = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | ((buf[i + 2] as number) & 0x3f);
    else {
      const cp = (((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | (((buf[i + 2] as number) & 0x3f) << 6) | ((buf[i + 3] as number) & 0x3f)) - 0x10000;
      out[o++] = 0xd800 + (cp >> 10);
      out[o++] = 0xdc00 + (cp & 0x3ff);
    }
    i += len;
  }
  const parts: string[] = [];
  for (let k = 0; k < o; k += 8192) parts.push(String.fromCharCode(...out.subarray(k, Math.min(o, k + 8192))));
  return parts.join('');
}

/**
 * A JSON text (JSON.stringify's output) with C1 controls, DEL and the invisible/bidi set also
 * written as \uNNNN escapes (JSON.stringify escapes only C0 and lone surrogates): the same value,
 * still valid JSON and UTF-8, and safe to `cat` to a terminal. They can only occur inside strings.
 */
export function inertJson(json: string): string {
  return json.replace(/[\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Wire text (auth strings, pcapng interface names), held one byte per character: like inertText, and
 * also bytes ≥ 0x80 (and the backslash, so the escape is unambiguous) are escaped: a packet is bytes.
 */
export function inert(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\xff\\]/g, (c) => (c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).replace(/[^\x00-\xff]/g, '?');
}
