// Preloaded into a CLI run (`node --import …/peak-rss.js bin/vrrpscope …`): on the way out, writes
// the process's peak resident set (VmHWM, KiB) to $VRRPSCOPE_PEAK_RSS_FILE, so a test can bound the
// memory one input costs without /usr/bin/time.

import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env['VRRPSCOPE_PEAK_RSS_FILE'];
if (file) {
  process.on('exit', () => {
    const kb = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
    writeFileSync(file, kb);
  });
}
