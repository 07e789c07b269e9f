// .tar.gz bundles through the system's tar (GNU tar on Debian, where it is an Essential package,
// so always there): no dependency to add, and the format every engineer can open with `tar xzf`.
// Reading one is careful: the listing is checked first (regular files and directories only, no
// absolute names, no `..`), then it is extracted into a private temporary directory without owners
// or modes from the archive; the manifest reader still checks every path it follows.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBundlePath, MANIFEST } from './manifest.js';

function tar(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tar', [...args], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tar: ${(stderr || err.message).trim().split('\n')[0]}`));
      else resolve(stdout);
    });
  });
}

/** Packs stage/root into target (.tar.gz). */
export async function packBundle(stage: string, root: string, target: string): Promise<void> {
  await tar(['-czf', target, '-C', stage, '--', root]);
}

/** Whether the member list is safe to extract: one line per member from `tar -tzf` and `tar -tvzf`. */
export function checkListing(names: readonly string[], long: readonly string[]): string | undefined {
  if (names.length === 0) return 'the archive is empty';
  if (names.length !== long.length) return 'the archive listing is inconsistent';
  for (let i = 0; i < names.length; i++) {
    const n = names[i]!.replace(/\/$/, '');
    const type = long[i]!.charAt(0);
    if (type !== '-' && type !== 'd') return `member ${JSON.stringify(names[i])} is not a plain file or directory`;
    if (n.startsWith('-') || !isBundlePath(n)) return `member ${JSON.stringify(names[i])} would land outside the bundle`;
  }
  return undefined;
}

/** Extracts a bundle archive into a fresh temporary directory; resolves with the bundle's directory and a cleanup. */
export async function unpackBundle(archive: string): Promise<{ dir: string; cleanup: () => void }> {
  const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
  const names = lines(await tar(['-tzf', archive]));
  const long = lines(await tar(['-tvzf', archive]));
  const bad = checkListing(names, long);
  if (bad !== undefined) throw new Error(`${archive}: not a safe bundle: ${bad}`);
  const tmp = mkdtempSync(join(tmpdir(), 'vrrpscope-bundle-'));
  const cleanup = (): void => rmSync(tmp, { recursive: true, force: true });
  try {
    await tar(['-xzf', archive, '-C', tmp, '--no-same-owner', '--no-same-permissions']);
    if (existsSync(join(tmp, MANIFEST))) return { dir: tmp, cleanup };
    const top = readdirSync(tmp);
    if (top.length === 1 && existsSync(join(tmp, top[0]!, MANIFEST))) return { dir: join(tmp, top[0]!), cleanup };
    throw new Error(`${archive}: no ${MANIFEST} in the archive (not a vrrpscope bundle)`);
  } catch (e) {
    cleanup();
    throw e;
  }
}
