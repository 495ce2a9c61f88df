/**
 * Is an installed file still the one that was verified? Its SHA-256 against the manifest's. Used when
 * the launcher's fast path refused a binary (empty, not executable), before the slow path runs it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from './manifest.js';

/** Where `tool`'s verified file lives in a version directory, and its SHA-256 (undefined: not recorded). */
export function verifiedFile(manifest: Manifest, tool: string): { path: string; sha256: string | undefined } {
  return { path: tool, sha256: manifest.files[tool] };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** True when `dir`'s `tool` has the SHA-256 the manifest recorded at install time. */
export async function fileIntact(dir: string, manifest: Manifest, tool: string): Promise<boolean> {
  const { path, sha256 } = verifiedFile(manifest, tool);
  if (!sha256) return false;
  return (await sha256File(join(dir, path)).catch(() => undefined)) === sha256;
}

/** True when every binary of the manifest is intact. */
export async function versionIntact(dir: string, manifest: Manifest): Promise<boolean> {
  for (const tool of manifest.binaries) if (!(await fileIntact(dir, manifest, tool))) return false;
  return true;
}
