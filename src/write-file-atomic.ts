/**
 * Replacing a small file whole, the one way every record is written (docs/behaviour.md items 18 and
 * 26): the new content goes to `<file>.<pid>.tmp`, created exclusively (`wx`: never through a file or
 * link already there), is fsync'd, renamed over `file`, and the directory is fsync'd. A reader sees
 * the old content or the new, never half of it, and after a power cut the file holds one of the two.
 */
import { open, rename, rm, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsync.js';

export interface AtomicWriteOptions {
  /** The new file's mode (the umask still applies, as for any new file). */
  mode: number;
}

/** Writes in flight in this process, by file: two writes of one file must not share a temp name. */
const inFlight = new Map<string, Promise<unknown>>();

/**
 * The temp file, created exclusively. One already there is a leftover of a crashed process that had
 * our PID, or something planted: it is removed (unlink removes a link, not what it points to) and the
 * name created exclusively again; a name that keeps coming back is an error.
 */
async function createTemp(tmp: string, mode: number): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(tmp, 'wx', mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw err;
      await unlink(tmp).catch(() => undefined);
    }
  }
}

async function replace(file: string, data: string | Uint8Array, opts: AtomicWriteOptions): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await createTemp(tmp, opts.mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dirname(file));
}

/** Replaces `file` with `data` atomically and durably. The directory must exist. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions): Promise<void> {
  const before = inFlight.get(file) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => replace(file, data, opts));
  inFlight.set(file, mine);
  try {
    await mine;
  } finally {
    if (inFlight.get(file) === mine) inFlight.delete(file);
  }
}
