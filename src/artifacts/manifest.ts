/**
 * `.teleport-tools.json` inside each published directory: what was installed, from which archive,
 * with which digest, and when. Written in staging, so it is published by the same rename.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MANIFEST_NAME = '.teleport-tools.json';

export interface Manifest {
  version: string;
  edition: string;
  archive: string;
  /** Of the archive the binaries came from. */
  sha256: string;
  binaries: string[];
  /** SHA-256 of each installed binary, to check it is still the file we verified. */
  files: Record<string, string>;
  installedAt: string;
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644, flush: true });
}

/** The manifest, or undefined when absent or unreadable (a directory we did not publish). */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    const data = JSON.parse(await readFile(join(dir, MANIFEST_NAME), 'utf8')) as Partial<Manifest>;
    if (typeof data.version !== 'string' || typeof data.sha256 !== 'string' || !Array.isArray(data.binaries)) return undefined;
    return data as Manifest;
  } catch {
    return undefined;
  }
}
