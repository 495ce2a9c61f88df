/**
 * Can teleport-tools install into, and run from, $TELEPORT_HOME/cache? The launchers refuse a cache
 * that another user could write to (src/tools/safety.ts); an install fails in one that we cannot write,
 * typically after `sudo tsh login` left ~/.tsh owned by root.
 */
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { Settings } from '../settings.js';
import { TOOLS, listInstalled, toolFile } from '../tools/cache.js';
import { readManifest } from '../artifacts/manifest.js';
import { verifyInstalled } from '../artifacts/verify.js';
import { unsafeReason } from '../trust.js';
import type { Unsafe } from '../trust.js';
import type { Check } from './check.js';
import { existingAncestor, failed, passed, shellQuote } from './check.js';

const NAME = 'cache';

/** The fix for a path the launchers refuse, as a command. */
function fixFor(path: string, home: string, unsafe: Unsafe): string {
  if (unsafe.kind === 'symlink') return `rm ${shellQuote(path)} (teleport-tools recreates it as a directory)`;
  if (unsafe.kind === 'owner') return `sudo chown -R "$(id -un)" ${shellQuote(home)}`;
  return `chmod -R go-w ${shellQuote(path)}`;
}

export async function checkCache(settings: Settings): Promise<Check> {
  const { cacheDir, home } = settings;
  const installed = await listInstalled(cacheDir);
  const paths = [cacheDir];
  for (const v of installed) {
    paths.push(v.dir);
    // An app bundle's `tsh` is a link into `tsh.app` (checked by verifyInstalled): the real file counts.
    for (const t of TOOLS) {
      const file = v.inPlace ? await toolFile(v.dir, t) : join(v.dir, t);
      if (file) paths.push(file);
    }
  }
  for (const path of paths) {
    const unsafe = unsafeReason(path);
    if (!unsafe) continue;
    const what = path === cacheDir ? 'cache directory' : 'installed file';
    const detail = `${what} ${path} ${unsafe.problem}${unsafe.kind === 'symlink' ? `; ${unsafe.advice}` : ''}`;
    return failed(NAME, detail, fixFor(path, home, unsafe));
  }
  for (const v of installed) {
    const manifest = await readManifest(v.dir);
    const problem = manifest ? await verifyInstalled(v.dir, manifest) : undefined;
    if (problem) {
      return failed(NAME, `v${v.version} in ${v.dir} is damaged: ${problem}`, `rm -rf ${shellQuote(v.dir)} (the next tsh or tctl run installs it again)`);
    }
  }
  const writable = await existingAncestor(cacheDir);
  if (!(await access(writable, constants.W_OK | constants.X_OK).then(() => true, () => false))) {
    return failed(NAME, `${writable} is not writable by you, so nothing can be installed in ${cacheDir}`, `sudo chown -R "$(id -un)" ${shellQuote(writable === cacheDir ? cacheDir : home)}`);
  }
  const versions = installed.length ? `${installed.length} installed (${installed.map((v) => `v${v.version}`).join(', ')})` : 'nothing installed yet';
  return passed(NAME, `${cacheDir}: private and writable; ${versions}`);
}
