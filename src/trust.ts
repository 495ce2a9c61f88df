/**
 * What teleport-tools trusts on disk (docs/behaviour.md item 26): a path it installs into, runs from or
 * takes settings from must belong to the user or root, be writable by no one else, and not be a link.
 * Anything else is refused with one line naming the path and the fix.
 *
 * Windows is the exception. POSIX modes mean nothing there (Node.js reports 0666 for files and
 * 0777-like bits for directories whoever may write them), and reading ACLs needs native code Node.js
 * does not ship. What is checked instead: no link or junction in the way (a reparse point could lead
 * to another user's directory), and the path lies under the user's profile directory (%USERPROFILE%),
 * which Windows gives to that user alone by default. Mode bits never refuse there.
 */
import { lstatSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { win32 } from 'node:path';
import { ToolsError } from './errors.js';

export interface Unsafe {
  kind: 'symlink' | 'owner' | 'mode';
  /** What is wrong, following "<what> <path> ". */
  problem: string;
  /** What to do, in the launcher's words. */
  advice: string;
}

function quoted(path: string): string {
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

export interface TrustOptions {
  /**
   * Judge what a link leads to instead of refusing the link: for a settings file, which dotfile
   * managers link into place.
   */
  followLinks?: boolean;
}

/** Why `path` is not safe to install into, run from or read settings from; undefined when it is (or does not exist). */
export function unsafeReason(path: string, opts: TrustOptions = {}): Unsafe | undefined {
  if (process.platform === 'win32') return windowsUnsafeReason(path, { ...opts, profile: process.env.USERPROFILE || homedir() });
  // Synchronous, like readManifest (which says why).
  const s = (opts.followLinks ? statSync : lstatSync)(path, { throwIfNoEntry: false });
  if (!s) return undefined;
  if (s.isSymbolicLink()) {
    return { kind: 'symlink', problem: 'is a symbolic link', advice: 'teleport-tools only uses a real directory there (remove the link)' };
  }
  const uid = process.getuid?.();
  if (uid !== undefined && s.uid !== uid && s.uid !== 0) {
    return { kind: 'owner', problem: `belongs to another user (uid ${s.uid})`, advice: `remove it or fix its owner: sudo chown -R "$(id -un)" ${quoted(path)}` };
  }
  if ((s.mode & 0o022) !== 0) {
    return { kind: 'mode', problem: `is writable by group or others (mode ${(s.mode & 0o777).toString(8)})`, advice: `run: chmod go-w ${quoted(path)}` };
  }
  return undefined;
}

/** Is `path` inside `profile` (case-insensitive, as Windows names are)? */
export function underProfile(path: string, profile: string): boolean {
  const rel = win32.relative(win32.resolve(profile), win32.resolve(path));
  return rel === '' || (!rel.startsWith('..') && !win32.isAbsolute(rel));
}

/** unsafeReason on Windows: a link or junction, or a path outside `profile`, is refused. */
export function windowsUnsafeReason(path: string, opts: TrustOptions & { profile: string }): Unsafe | undefined {
  const s = (opts.followLinks ? statSync : lstatSync)(path, { throwIfNoEntry: false });
  if (!s) return undefined;
  if (s.isSymbolicLink()) {
    return { kind: 'symlink', problem: 'is a link or junction', advice: 'teleport-tools only uses a real directory there (remove the link)' };
  }
  if (!underProfile(path, opts.profile)) {
    return { kind: 'owner', problem: `is not under your profile directory ${opts.profile}`, advice: 'set TELEPORT_HOME to a directory inside it, or unset it' };
  }
  return undefined;
}

/** The one line for an unsafe path: `<what> <path> <problem>; <advice>`. */
export function unsafeLine(path: string, what: string, unsafe: Unsafe): string {
  return `${what} ${path} ${unsafe.problem}; ${unsafe.advice}`;
}

/** Throws EUNSAFE with the one line when `path` is not safe. */
export function checkPrivate(path: string, what: string): void {
  const unsafe = unsafeReason(path);
  if (unsafe) throw new ToolsError('EUNSAFE', unsafeLine(path, what, unsafe));
}
