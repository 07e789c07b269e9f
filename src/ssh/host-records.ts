// The node's host-evidence session answers in records (remote-commands.ts, hostLoopScript):
//   @@NONCE begin KIND TIME ARG   …content…   @@NONCE end STATUS
//   @@NONCE clock TIME
// Split here from a stream of chunks; the nonce is random per connection, so a file that happens
// to contain marker-like lines cannot end its record early. Bounded: a record over MAX_RECORD is
// cut (and marked), so a runaway file cannot eat memory.

export type HostRecord =
  | { readonly type: 'record'; readonly kind: string; readonly remoteNs: bigint | undefined; readonly arg: string; readonly status: number; readonly text: string; readonly truncated: boolean }
  | { readonly type: 'clock'; readonly text: string };

const MAX_RECORD = 32 * 1024 * 1024;

export class HostRecordParser {
  private buf = '';
  private open: { kind: string; remoteNs: bigint | undefined; arg: string; lines: string[]; size: number; truncated: boolean } | undefined;
  private readonly begin: string;
  private readonly end: string;
  private readonly clock: string;

  constructor(
    nonce: string,
    private readonly out: (r: HostRecord) => void,
  ) {
    this.begin = `@@${nonce} begin `;
    this.end = `@@${nonce} end `;
    this.clock = `@@${nonce} clock `;
  }

  push(chunk: string): void {
    this.buf += chunk;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.line(line);
    }
    if (this.buf.length > MAX_RECORD) this.buf = '';
  }

  private line(line: string): void {
    const o = this.open;
    if (o) {
      if (line.startsWith(this.end)) {
        // The end marker is printed after a newline of its own: drop that one empty line.
        if (o.lines.length > 0 && o.lines[o.lines.length - 1] === '') o.lines.pop();
        const status = Number.parseInt(line.slice(this.end.length), 10);
        this.out({ type: 'record', kind: o.kind, remoteNs: o.remoteNs, arg: o.arg, status: Number.isNaN(status) ? 255 : status, text: o.lines.join('\n'), truncated: o.truncated });
        this.open = undefined;
        return;
      }
      if (o.size + line.length > MAX_RECORD) o.truncated = true;
      else {
        o.lines.push(line);
        o.size += line.length + 1;
      }
      return;
    }
    if (line.startsWith(this.clock)) return this.out({ type: 'clock', text: line.slice(this.clock.length) });
    if (line.startsWith(this.begin)) {
      const rest = line.slice(this.begin.length);
      const [kind = '', ts = '', ...arg] = rest.split(' ');
      this.open = { kind, remoteNs: /^\d{19}$/.test(ts) ? BigInt(ts) : undefined, arg: arg.join(' '), lines: [], size: 0, truncated: false };
    }
    // Anything else (a shell's complaint outside a record) is ignored.
  }
}
