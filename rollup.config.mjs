// The CLI as a few files instead of ~60 (`npm run build`: tsc, then this). Node's ES module loader
// pays for every file it resolves, opens and links, about a millisecond each on a small machine:
// `bin/vrrpscope` starts a tenth faster from the packed build (docs/performance.md). Rollup keeps
// `const` a `const` across the merged modules, so the hot code is optimised as before (esbuild
// turns them into `var`s: 2 % more instructions on a dense capture). What a dynamic import loads
// stays out of the first chunk, loaded only when used; Node's and the packages' modules stay outside.

import { rmSync } from 'node:fs';

const OUT = 'dist/packed/cli';

export default {
  // The capture worker is a file of its own: live-capture.ts starts it by its path beside it.
  input: { main: 'dist/src/cli/main.js', 'capture-worker': 'dist/src/capture/capture-worker.js' },
  external: (id) => !id.startsWith('.') && !id.startsWith('/'),
  // One directory as deep as dist/src/cli: the `new URL('../../../…', import.meta.url)` paths hold.
  // Chunks under 20 kB are merged into one that is loaded with them anyway, where that loads
  // nothing early that would run a side effect (--report: 7 files of ours instead of 10).
  output: { dir: OUT, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', experimentalMinChunkSize: 20_000 },
  // The chunks' names carry a hash: last build's would stay beside this one's.
  plugins: [{ name: 'clean', buildStart: () => rmSync(OUT, { recursive: true, force: true }) }],
  onwarn(warning) {
    // A warning is a mistake in the sources (an import nothing uses, a circular one): fail the build.
    throw new Error(`rollup: ${warning.message}`);
  },
};
