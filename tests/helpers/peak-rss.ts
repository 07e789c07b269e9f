// Preloaded (`node --import`) into a CLI run by a test: on exit, writes the process's peak RSS (KiB)
// to the file named by VRRPSCOPE_TEST_RSS_FILE, so a test can bound the memory one input may cost.

import { writeFileSync } from 'node:fs';

const out = process.env['VRRPSCOPE_TEST_RSS_FILE'];
if (out !== undefined) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
