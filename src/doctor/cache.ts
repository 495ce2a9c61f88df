/**
 * Can teleport-tools install into, and run from, $TELEPORT_HOME/cache? The launchers refuse a cache
 * that another user could write to (src/tools/safety.ts); an install fails in one that we cannot write,
 * typically after `sudo tsh login` left ~/.tsh owned by root.
 */
import { access, constants, lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Settings } from '../settings.js';
import { TOOLS, listInstalled } from '../tools/cache.js';
import { unsafeReason } from '../tools/safety.js';
import type { Unsafe } from '../tools/safety.js';
import type { Check } from './check.js';
import { failed, passed, shellQuote } from './check.js';

const NAME = 'cache';

/** The fix for a path the launchers refuse, as a command. */
function fixFor(path: string, home: string, unsafe: Unsafe): string {
  if (unsafe.kind === 'symlink') return `rm ${shellQuote(path)} (teleport-tools recreates it as a directory)`;
  if (unsafe.kind === 'owner') return `sudo chown -R "$(id -un)" ${shellQuote(home)}`;
  return `chmod -R go-w ${shellQuote(path)}`;
}

/** The closest existing directory at or above `path`. */
async function existingAncestor(path: string): Promise<string> {
  let dir = path;
  while (!(await lstat(dir).then(() => true, () => false))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}

export async function checkCache(settings: Settings): Promise<Check> {
  const { cacheDir, home } = settings;
  const installed = await listInstalled(cacheDir);
  const paths = [cacheDir, ...installed.flatMap((v) => [v.dir, ...TOOLS.map((t) => join(v.dir, t))])];
  for (const path of paths) {
    const unsafe = await unsafeReason(path);
    if (!unsafe) continue;
    const what = path === cacheDir ? 'cache directory' : 'installed file';
    const detail = `${what} ${path} ${unsafe.problem}${unsafe.kind === 'symlink' ? `; ${unsafe.advice}` : ''}`;
    return failed(NAME, detail, fixFor(path, home, unsafe));
  }
  const writable = await existingAncestor(cacheDir);
  if (!(await access(writable, constants.W_OK | constants.X_OK).then(() => true, () => false))) {
    return failed(NAME, `${writable} is not writable by you, so nothing can be installed in ${cacheDir}`, `sudo chown -R "$(id -un)" ${shellQuote(writable === cacheDir ? cacheDir : home)}`);
  }
  const versions = installed.length ? `${installed.length} installed (${installed.map((v) => `v${v.version}`).join(', ')})` : 'nothing installed yet';
  return passed(NAME, `${cacheDir}: private and writable; ${versions}`);
}
