/**
 * Durability of names: a rename or a new file is on disk only once its directory is fsync'd. Best
 * effort: a file system that cannot fsync a directory (some network ones) is not a reason to fail.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

/** fsyncDir for `dir` and every directory below it, deepest first (an app bundle's tree). */
export async function fsyncTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await fsyncTree(join(dir, e.name));
  await fsyncDir(dir);
}
