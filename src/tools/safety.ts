/**
 * Binaries of the cache run only when `cache/`, `cache/<version>/` and the binary itself are trusted
 * (trust.ts): every Node.js path that runs tsh or tctl from the cache asks here first.
 */
import { join } from 'node:path';
import { ToolsError } from '../errors.js';
import { readManifest } from '../artifacts/manifest.js';
import { checkPrivate } from '../trust.js';
import type { Tool } from './cache.js';
import { toolFile, versionDir } from './cache.js';
import { exeName } from '../artifacts/exe-name.js';

export { checkPrivate, unsafeReason } from '../trust.js';
export type { Unsafe } from '../trust.js';

/** `cache/<version>/<tool>` once the cache, the version directory and the binary are checked; else EUNSAFE with the fix. */
export async function trustedTool(cacheDir: string, version: string, tool: Tool): Promise<string> {
  const dir = versionDir(cacheDir, version);
  checkPrivate(cacheDir, 'cache directory');
  checkPrivate(dir, 'version directory');
  const bin = join(dir, exeName(tool));
  // An app bundle's `tsh` is a link into `tsh.app`: the file it leads to is the one that must be private.
  const bundled = (await readManifest(dir))?.bundles?.[tool] !== undefined;
  const real = bundled ? await toolFile(dir, tool) : bin;
  if (!real) throw new ToolsError('EUNSAFE', `${bin} does not lead to a file inside ${dir}; remove ${dir} and the next run installs v${version} again`);
  checkPrivate(real, tool);
  return bin;
}
