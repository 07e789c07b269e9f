// Whether a -r path is a bundle, without the bundle reader and the host parsers behind it: a plain
// capture never loads those (start-up).

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST } from './manifest.js';

/** Whether PATH is a bundle directory (has manifest.json). */
export function isBundleDir(path: string): boolean {
  try {
    return statSync(path).isDirectory() && statSync(join(path, MANIFEST)).isFile();
  } catch {
    return false;
  }
}

/** Whether PATH is named as a bundle archive. */
export function isArchive(p: string): boolean {
  return /\.(tar\.gz|tgz)$/.test(p);
}

/** Whether a -r input may be a bundle: a directory with a manifest, or a file named .tar.gz / .tgz. */
export function mayBeBundle(i: { readonly path: string; readonly stream?: unknown }): boolean {
  return i.path !== '-' && i.stream === undefined && (isBundleDir(i.path) || isArchive(i.path));
}
