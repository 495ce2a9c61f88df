/**
 * Durability of names: a rename or a new file is on disk only once its directory is fsync'd. Best
 * effort: a file system that cannot fsync a directory (some network ones) is not a reason to fail.
 */
import { open } from 'node:fs/promises';

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}
