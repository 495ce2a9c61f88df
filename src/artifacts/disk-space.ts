/**
 * Free space on the cache's file system, checked before an archive is downloaded (a full disk found
 * after 200 MB came over a hotel link is the worst time to find it).
 */
import { statfs } from 'node:fs/promises';
import { ToolsError } from '../errors.js';
import type { HttpClient } from '../http.js';
import { formatBytes } from '../ui/bytes.js';

/** Bytes an unprivileged process may still write on the file system holding `dir`. */
export type FreeSpace = (dir: string) => Promise<number>;

export const statfsFree: FreeSpace = async (dir) => {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
};

/**
 * The archive's size from a HEAD request (no archive bytes move), or undefined when the server will
 * not say or cannot be asked: the download itself then reports what is wrong. Cancelling still throws.
 */
export async function archiveSize(http: HttpClient, url: string, signal?: AbortSignal): Promise<number | undefined> {
  try {
    const head = await http.getStream(url, { method: 'HEAD', signal });
    head.body.resume();
    return head.size;
  } catch (err) {
    if (signal?.aborted) throw err;
    return undefined;
  }
}

/**
 * What installing an archive of `total` bytes writes: the unpacked binaries (about the archive's size)
 * and the part of the archive still to come, kept for resuming.
 */
export function spaceNeeded(total: number, have: number): number {
  return total + Math.max(0, total - have);
}

/** Throws one clear line when `dir`'s file system has less than `need` bytes free. */
export async function requireSpace(dir: string, need: number, free: FreeSpace = statfsFree): Promise<void> {
  let available: number;
  try {
    available = await free(dir);
  } catch {
    return; // No answer (an exotic file system): the write itself will say if the disk is full.
  }
  if (available < need) {
    throw new ToolsError('EFS', `not enough disk space in ${dir}: installing needs ${formatBytes(need, 'binary')}, ${formatBytes(available, 'binary')} free`);
  }
}
