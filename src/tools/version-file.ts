/**
 * `$TELEPORT_HOME/cloud-stable-version`: one line, a bare version. Read by the POSIX sh launcher with
 * `read`, so it is written as `X.Y.Z\n`, atomically and durably (temp file, fsync, rename, fsync of the
 * directory: after a power cut the file holds the old version or the new one), and only for installed
 * versions. The same for `cluster-versions/<profile>`.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPlainVersion, requirePlainVersion } from '../version.js';
import { fsyncDir } from '../fsync.js';
import { recordLine } from './record-line.js';

/** The recorded version, or undefined when the file is absent or does not hold a plain version. */
export async function readVersionFile(file: string): Promise<string | undefined> {
  try {
    // Synchronous, like readManifest (which says why). The first line as the shims read it, untrimmed.
    const text = recordLine(readFileSync(file, 'utf8'));
    return isPlainVersion(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

export async function writeVersionFile(file: string, version: string): Promise<void> {
  requirePlainVersion(version, 'cloud-stable version');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${version}\n`, { mode: 0o644, flush: true });
    await rename(tmp, file);
    await fsyncDir(dirname(file));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
