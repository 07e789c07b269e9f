// The floor for any Node.js reader of a classic pcap file: start Node, read the file the way
// vrrpscope does (synchronous 512 KiB reads from the page cache) and walk the record headers,
// doing nothing with the frames. `npm run bench` times it next to vrrpscope; whatever vrrpscope
// takes beyond this is its own work (decoding, output, module loading).
//
//   node dist/bench/floor.js FILE   → prints the record count

import { closeSync, openSync, readSync } from 'node:fs';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node dist/bench/floor.js FILE.pcap\n');
  process.exit(2);
}
const buf = Buffer.allocUnsafe(512 * 1024);
const fd = openSync(path, 'r');
let len = 0;
let records = 0;
let first = true;
for (;;) {
  const n = readSync(fd, buf, len, buf.length - len, null);
  if (n === 0) break;
  len += n;
  let p = first ? 24 : 0;
  first = false;
  while (len - p >= 16) {
    const caplen = buf.readUInt32LE(p + 8);
    if (len - p < 16 + caplen) break;
    records++;
    p += 16 + caplen;
  }
  buf.copyWithin(0, p, len);
  len -= p;
}
closeSync(fd);
process.stdout.write(`${records}\n`);
