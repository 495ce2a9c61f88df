/**
 * Trust on Windows (docs/behaviour.md item 26). POSIX modes mean nothing there (Node.js reports 0666 for
 * files and 0777-like bits for directories whoever may write them), and reading ACLs needs native code
 * Node.js does not ship. What the launcher checks instead: no link or junction in the way (a reparse
 * point could lead the launcher to another user's directory), and the cache lies under the user's own
 * profile directory (%USERPROFILE%), which Windows gives to that user alone by default. It never
 * refuses because of mode bits.
 */
import { lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { win32 } from 'node:path';
import type { Unsafe } from '../tools/safety.js';

/** Is `path` inside `profile` (case-insensitive, as Windows names are)? */
export function underProfile(path: string, profile: string): boolean {
  const rel = win32.relative(win32.resolve(profile), win32.resolve(path));
  return rel === '' || (!rel.startsWith('..') && !win32.isAbsolute(rel));
}

export function windowsUnsafeReason(path: string, profile: string = process.env.USERPROFILE || homedir()): Unsafe | undefined {
  const s = lstatSync(path, { throwIfNoEntry: false });
  if (!s) return undefined;
  if (s.isSymbolicLink()) {
    return { kind: 'symlink', problem: 'is a link or junction', advice: 'teleport-tools only uses a real directory there (remove the link)' };
  }
  if (!underProfile(path, profile)) {
    return { kind: 'owner', problem: `is not under your profile directory ${profile}`, advice: 'set TELEPORT_HOME to a directory inside it, or unset it' };
  }
  return undefined;
}
