/** Unpublishing a version directory where it stands, for directories that must never be renamed. */
import { lstat, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../fsync.js';
import { removeManifest } from './manifest.js';

/**
 * A directory being removed by renaming it aside first (`<cache>/.trash-<name>-<pid>`), so a
 * half-deleted directory never looks like a version; whoever holds the cache lock sweeps leftovers.
 */
export const TRASH_PREFIX = '.trash-';

/**
 * Removes a published directory without renaming it. The `tsh`/`tctl` links go first (the shims'
 * fast path stops using the version), then the manifest (nothing counts it as installed), then the
 * rest: a removal cut short leaves a directory that is replaced when that version is installed again.
 */
export async function removeInPlace(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    if ((await lstat(path).catch(() => undefined))?.isSymbolicLink()) await unlink(path);
  }
  await fsyncDir(dir);
  await removeManifest(dir);
  await fsyncDir(dir);
  await rm(dir, { recursive: true, force: true });
}
