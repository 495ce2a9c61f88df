// What the client-tools cache must look like whatever happened to the process that last wrote it
// (docs/behaviour.md, Files): every version directory complete and verified, cloud-stable-version naming one
// of them, and nothing half-done left once a run has finished.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

interface ManifestFile {
  version: string;
  binaries: string[];
  files: Record<string, string>;
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * Asserts that every non-dot entry of `cacheDir` is a complete, verified version: a manifest naming
 * that version, and each of its binaries a regular file whose SHA-256 is the manifest's. Returns the
 * versions, sorted.
 */
export async function verifiedVersions(cacheDir: string): Promise<string[]> {
  const names = (await readdir(cacheDir).catch(() => [] as string[])).filter((n) => !n.startsWith('.')).sort();
  for (const name of names) {
    const dir = join(cacheDir, name);
    const text = await readFile(join(dir, '.teleport-tools.json'), 'utf8').catch(() => undefined);
    assert.ok(text, `${dir} has no manifest: a version directory that is not complete`);
    const manifest = JSON.parse(text) as ManifestFile;
    assert.equal(manifest.version, name, `${dir} holds the manifest of ${manifest.version}`);
    assert.deepEqual([...manifest.binaries].sort(), ['tctl', 'tsh']);
    for (const binary of manifest.binaries) {
      const file = join(dir, binary);
      const s = await lstat(file);
      assert.ok(s.isFile(), `${file} is a regular file`);
      assert.equal(s.mode & 0o777, 0o755, `${file} has mode 0755`);
      assert.equal(await sha256Of(file), manifest.files[binary], `${file} is the file that was verified`);
    }
  }
  return names;
}

/** The raw content of cloud-stable-version, or undefined when there is none. */
export function recordedVersion(teleportHome: string): Promise<string | undefined> {
  return readFile(join(teleportHome, 'cloud-stable-version'), 'utf8').catch(() => undefined);
}

/** Staging and trash entries (`.staging-*`, `.trash-*`) in the cache: none may outlive a finished run. */
export async function leftovers(cacheDir: string): Promise<string[]> {
  return (await readdir(cacheDir).catch(() => [] as string[])).filter((n) => n.startsWith('.staging-') || n.startsWith('.trash-'));
}
