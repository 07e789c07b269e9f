// bin/vrrpscope as a user starts it: by its own name (sh reads its first lines and execs node with a
// fixed young generation), through a symlink as npm links it, and as `node bin/vrrpscope`.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BIN } from './helpers/run-cli.js';

const VERSION = (JSON.parse(readFileSync(join(dirname(BIN), '..', 'package.json'), 'utf8')) as { version: string }).version;
// `env node` in the launcher finds the node running these tests first
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };

describe('launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vs launcher '));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs by its own name', () => {
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `vrrpscope ${VERSION}`);
  });

  it('runs through a symlink in a directory with a space in its name (npm links bin/ so)', () => {
    const link = join(dir, 'vrrpscope');
    symlinkSync(BIN, link);
    const r = spawnSync(link, ['--version'], { encoding: 'utf8', env, cwd: tmpdir() });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `vrrpscope ${VERSION}`);
  });

  it('runs as `node bin/vrrpscope` (its sh line is a string and a comment to node)', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `vrrpscope ${VERSION}`);
  });

  it('passes arguments through whole and returns the exit status', () => {
    const r = spawnSync(BIN, ['-r', join(dir, 'no such file.pcap'), '--report'], { encoding: 'utf8', env });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no such file\.pcap/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('is node itself, in the same process (signals reach it), with 8 MiB semi-spaces and gc()', async () => {
    const child = spawn(BIN, ['-r', '-', '--report'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const pid = child.pid!;
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // until sh has exec'd node (a few milliseconds): the same process now runs node's binary
      const node = realpathSync(process.execPath);
      let exe = '';
      for (let i = 0; i < 200 && exe !== node; i++) {
        await new Promise((r) => setTimeout(r, 10));
        exe = readlinkSync(`/proc/${pid}/exe`);
      }
      assert.equal(exe, node);
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      assert.ok(argv.includes('--max-semi-space-size=8'), argv.join(' '));
      assert.ok(argv.includes('--expose-gc'), argv.join(' ')); // for heap-trim.ts
      assert.ok(argv.includes(BIN), argv.join(' '));
    } finally {
      child.stdin.end();
    }
    // an empty standard input: the "not a capture" line, and exit status 2
    assert.equal(await done, 2);
  });

  it('runs the packed build, made from the compiled modules these tests load (npm run build)', () => {
    // The tests import dist/src; a user runs dist/packed. One made before the other tests old code.
    const root = join(dirname(BIN), '..');
    const packed = join(root, 'dist', 'packed', 'cli', 'main.js');
    assert.match(readFileSync(BIN, 'utf8'), /import\('\.\.\/dist\/packed\/cli\/main\.js'\)/);
    const compiled = statSync(join(root, 'dist', 'src', 'cli', 'main.js')).mtimeMs;
    assert.ok(statSync(packed).mtimeMs >= compiled, 'dist/packed is older than dist/src: run `npm run build`, not tsc alone');
  });

  it('says in one line that it is not built, when it is not', () => {
    const bare = join(dir, 'unbuilt', 'bin');
    mkdirSync(bare, { recursive: true });
    copyFileSync(BIN, join(bare, 'vrrpscope'));
    const r = spawnSync(process.execPath, [join(bare, 'vrrpscope'), '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'vrrpscope: not built: run `npm run build` (or `npm install`) in its directory first\n');
  });
});
