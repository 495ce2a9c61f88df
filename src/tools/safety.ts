/**
 * We never install into, or run from, a place another user could have written: a cache directory or
 * binary writable by group or others, or owned by someone else, is refused with the fix.
 */
import { lstatSync } from 'node:fs';
import { ToolsError } from '../errors.js';
import { windowsUnsafeReason } from '../windows/trust.js';

export interface Unsafe {
  kind: 'symlink' | 'owner' | 'mode';
  /** What is wrong, following "<what> <path> ". */
  problem: string;
  /** What to do, in the launcher's words. */
  advice: string;
}

/** Why `path` is not safe to install into or run from; undefined when it is (or does not exist). */
export async function unsafeReason(path: string): Promise<Unsafe | undefined> {
  if (process.platform === 'win32') return windowsUnsafeReason(path);
  // Synchronous, like readManifest (which says why).
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (!s) return undefined;
  if (s.isSymbolicLink()) {
    return { kind: 'symlink', problem: 'is a symbolic link', advice: 'teleport-tools only uses a real directory there (remove the link)' };
  }
  const uid = process.getuid?.();
  if (uid !== undefined && s.uid !== uid && s.uid !== 0) {
    return { kind: 'owner', problem: `belongs to another user (uid ${s.uid})`, advice: 'remove it or fix its owner' };
  }
  if ((s.mode & 0o022) !== 0) {
    return { kind: 'mode', problem: `is writable by group or others (mode ${(s.mode & 0o777).toString(8)})`, advice: `run: chmod go-w '${path}'` };
  }
  return undefined;
}

export async function checkPrivate(path: string, what: string): Promise<void> {
  const unsafe = await unsafeReason(path);
  if (unsafe) throw new ToolsError('EUNSAFE', `${what} ${path} ${unsafe.problem}; ${unsafe.advice}`);
}
