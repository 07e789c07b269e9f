// Start-up: the compiled CLI as one CommonJS file, with a V8 code cache beside it, for
// bin/vrrpscope to load (docs/architecture.md, "Start-up"). Node's ES module loader spends about a
// millisecond on each of the 50-odd modules a run needs (resolving, reading, compiling), and Node
// 20 keeps no compile cache for ES modules; one script compiled from its cache skips all of that.
// The modules under dist/src stay the truth: tests import them, and the launcher falls back to
// them whenever the bundle is older than they are.
//
//   node dist/scripts/bundle.js          → dist/src/cli/main.bundle.cjs and main.bundle.cache
//
// The bundle sits beside cli/main.js so that the paths the code makes from import.meta.url
// (package.json, samples/, the capture worker) resolve to the same files. Packages from
// node_modules are not bundled; each is required when the code that uses it first runs.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'src', 'cli');
const out = join(cli, 'main.bundle.cjs');
const cache = join(cli, 'main.bundle.cache');

rmSync(cache, { force: true });
await build({
  entryPoints: [join(cli, 'main.js')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  // Every module's import.meta.url becomes the bundle's own: same directory depth as theirs.
  banner: { js: "const __vrrpscopeUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__vrrpscopeUrl' },
  logLevel: 'warning',
});
// load-cli.cjs runs the bundle as a vm.Script, which has no loader for import(): esbuild turns
// import() of our modules into plain calls, and the code requires node's own modules instead.
if (/\bimport\(/.test(readFileSync(out, 'utf8').replace(/\/\/.*$/gm, ''))) {
  throw new Error('bundle: main.bundle.cjs holds an import(), which load-cli.cjs cannot run; require the module instead');
}
// The cache holds the functions a run compiled, so it is made after one: the launcher runs the
// bundled CLI over the sample capture with VRRPSCOPE_WRITE_CODE_CACHE set, under the flags it
// always runs with (V8 refuses a cache made under other flags).
// (The sample's findings make the report exit with status 1.)
const run = spawnSync(join(root, 'bin', 'vrrpscope'), ['-r', join(root, 'samples', 'incident-firewall-eth0.pcapng'), '--report'], {
  env: { ...process.env, VRRPSCOPE_WRITE_CODE_CACHE: cache },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (run.status !== 0 && run.status !== 1) throw new Error(`bundle: the run that makes the code cache failed (${run.error?.message ?? `status ${run.status}`})`);
if (!existsSync(cache)) throw new Error('bundle: the run made no code cache');
