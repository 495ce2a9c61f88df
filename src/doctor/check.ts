/**
 * One doctor check's verdict: what was looked at, what was found, and, when it is wrong, the one thing
 * to do about it. `name` is stable (scripts read `doctor --json`); `detail` and `fix` are for people.
 */
import { lstat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Set exactly when `ok` is false. */
  fix: string | undefined;
}

export function passed(name: string, detail: string): Check {
  return { name, ok: true, detail, fix: undefined };
}

export function failed(name: string, detail: string, fix: string): Check {
  return { name, ok: false, detail, fix };
}

/**
 * Quotes a path for a command line the user may paste into their shell: a POSIX shell, or on Windows
 * cmd.exe and PowerShell, which read double quotes and not single ones (a Windows path holds no `"`).
 */
export function shellQuote(value: string): string {
  if (process.platform === 'win32') return /^[\w@%+=:,./\\-]+$/.test(value) ? value : `"${value}"`;
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The closest existing directory at or above `path` (the cache may not exist yet). */
export async function existingAncestor(path: string): Promise<string> {
  let dir = path;
  while (!(await lstat(dir).then(() => true, () => false))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}
