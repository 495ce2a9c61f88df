/**
 * We never install into, or run from, a place another user could have written: a cache directory or
 * binary writable by group or others, or owned by someone else, is refused with the fix.
 */
import { lstat } from 'node:fs/promises';
import { ToolsError } from '../errors.js';

export async function checkPrivate(path: string, what: string): Promise<void> {
  const s = await lstat(path).catch(() => undefined);
  if (!s) return;
  if (s.isSymbolicLink()) {
    throw new ToolsError('EUNSAFE', `${what} ${path} is a symbolic link; teleport-tools only uses a real directory there (remove the link)`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && s.uid !== uid && s.uid !== 0) {
    throw new ToolsError('EUNSAFE', `${what} ${path} belongs to another user (uid ${s.uid}); remove it or fix its owner`);
  }
  if ((s.mode & 0o022) !== 0) {
    throw new ToolsError('EUNSAFE', `${what} ${path} is writable by group or others (mode ${(s.mode & 0o777).toString(8)}); run: chmod go-w '${path}'`);
  }
}
