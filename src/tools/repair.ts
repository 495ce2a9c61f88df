/**
 * A binary the fast path refused (empty after a crash or a power cut, or no longer executable) is
 * checked against the manifest's SHA-256 before the slow path runs it; if it is not the verified
 * file, that version is installed again under the lock.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import { readManifest } from '../artifacts/manifest.js';
import { fileIntact } from '../artifacts/verify.js';
import type { ToolsContext } from './context.js';
import { versionDir } from './cache.js';
import type { Tool } from './cache.js';
import { installTools } from './update.js';
import { executableMode, exeName } from '../artifacts/exe-name.js';

/** What the shim's fast path accepts: a non-empty regular file we may execute. */
async function fastPathAccepts(bin: string): Promise<boolean> {
  const s = statSync(bin, { throwIfNoEntry: false });
  return s !== undefined && s.isFile() && s.size > 0 && executableMode(s.mode);
}

/** Undefined when `version`'s `tool` may run (as it is, or repaired); else why it may not, for a warning. */
export async function repairIfDamaged(ctx: ToolsContext, version: string, tool: Tool): Promise<string | undefined> {
  const dir = versionDir(ctx.settings.cacheDir, version);
  const bin = join(dir, exeName(tool));
  if (await fastPathAccepts(bin)) return undefined;
  const manifest = await readManifest(dir);
  if (manifest && (await fileIntact(dir, manifest, tool)) && executableMode((await stat(bin)).mode)) return undefined;
  const damaged = `${bin} is not the file that was installed`;
  if (!ctx.network.allowed) return `${damaged} (updates are off, so it cannot be installed again)`;
  try {
    ctx.reporter.info(`${bin} is damaged; installing Teleport client tools v${version} again...`);
    await installTools(ctx, version, { record: false, repair: true });
    return undefined;
  } catch (err) {
    return `${damaged}, and installing it again failed: ${describeError(err)}`;
  }
}
