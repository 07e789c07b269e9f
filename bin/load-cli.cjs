// How bin/vrrpscope gets the CLI: from the one-file bundle scripts/bundle.ts makes
// (dist/src/cli/main.bundle.cjs), compiled from its V8 code cache, when the bundle is at least as
// new as the modules it was made from; otherwise, or with VRRPSCOPE_NO_BUNDLE set, from the ES
// modules under dist/src themselves. Both are the same code (docs/architecture.md, "Start-up").
// CommonJS on purpose: requiring node:fs here, unlike importing it, does not build its module
// facade (which loads the stream modules), and a vm.Script can use a code cache.
'use strict';

const { readFileSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');

const cli = join(__dirname, '..', 'dist', 'src', 'cli');
const bundle = join(cli, 'main.bundle.cjs');

/** The CLI module's exports ({ main }); whatever fails on the way rejects the promise. */
exports.loadCli = async function loadCli() {
  const fromBundle = process.env.VRRPSCOPE_NO_BUNDLE ? undefined : loadBundle();
  return fromBundle ?? import(pathToFileURL(join(cli, 'main.js')).href);
};

function loadBundle() {
  let source;
  try {
    if (statSync(bundle).mtimeMs < statSync(join(cli, 'main.js')).mtimeMs) return undefined;
    source = readFileSync(bundle, 'utf8');
  } catch {
    return undefined;
  }
  // scripts/bundle.ts makes the cache after a run of the bundle: the functions that run compiled.
  const writeCache = process.env.VRRPSCOPE_WRITE_CODE_CACHE;
  let cachedData;
  if (!writeCache) {
    try {
      cachedData = readFileSync(join(cli, 'main.bundle.cache'));
    } catch {
      cachedData = undefined;
    }
  }
  // A cache V8 does not accept (another Node, other flags) is ignored: the script compiles as usual.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, cli);
  const cliExports = module.exports;
  if (!writeCache) return cliExports;
  return {
    ...cliExports,
    async main(argv) {
      const code = await cliExports.main(argv);
      writeFileSync(writeCache, script.createCachedData());
      return code;
    },
  };
}
