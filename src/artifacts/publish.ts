/**
 * The one rename that makes a version visible. An old target of another release is moved aside first
 * (or, holding macOS app bundles, removed in place: a running tsh may be inside it). On Windows a
 * rename refused because a file is in use is tried again (retry-busy.ts).
 */
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../fsync.js';
import { hasBundles, readManifest } from './manifest.js';
import { TRASH_PREFIX, removeInPlace } from './remove.js';
import { retryBusy } from './retry-busy.js';

/** Puts staging in place of target in one rename (an old target of another release is moved aside first). */
export async function publish(staging: string, target: string, cacheDir: string): Promise<void> {
  const old = await readManifest(target);
  if (old && hasBundles(old)) {
    await removeInPlace(target);
    await rename(staging, target);
  } else if (old) {
    const trash = join(cacheDir, `${TRASH_PREFIX}${basename(target)}-${process.pid}`);
    await retryBusy(() => rename(target, trash));
    await retryBusy(() => rename(staging, target));
    // A file still in use (Windows) keeps the trash until a later run's sweep.
    await rm(trash, { recursive: true, force: true }).catch(() => undefined);
  } else {
    // A directory without a manifest was not published by us (or is a leftover): replace it.
    await rm(target, { recursive: true, force: true });
    await retryBusy(() => rename(staging, target));
  }
  await fsyncDir(dirname(target));
}
