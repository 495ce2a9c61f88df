/**
 * `$TELEPORT_HOME/cloud-stable-version`: one line, a bare version. Read by the POSIX sh launcher with
 * `read`, so it is written as `X.Y.Z\n`, atomically and durably (writeFileAtomic: after a power cut the file holds the
 * old version or the new one), and only for installed
 * versions. The same for `cluster-versions/<profile>`.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPlainVersion, requirePlainVersion } from '../version.js';
import { writeFileAtomic } from '../write-file-atomic.js';

/** The recorded version, or undefined when the file is absent or does not hold a plain version. */
export async function readVersionFile(file: string): Promise<string | undefined> {
  try {
    // Synchronous, like readManifest (which says why).
    const text = readFileSync(file, 'utf8').trim();
    return isPlainVersion(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

export async function writeVersionFile(file: string, version: string): Promise<void> {
  requirePlainVersion(version, 'cloud-stable version');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${version}\n`, { mode: 0o644 });
}
