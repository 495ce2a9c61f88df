/**
 * `$TELEPORT_HOME/cloud-stable-version`: one line, a bare version. Read by the POSIX sh launcher with
 * `read`, so it is written as `X.Y.Z\n`, atomically and durably (writeFileAtomic: after a power cut the file holds the
 * old version or the new one), and only for installed
 * versions. The same for `cluster-versions/<profile>`.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPlainVersion, requirePlainVersion } from '../version.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { readQuietly, recordLine } from './record-line.js';

/** The recorded version, or undefined when the file is absent or does not hold a plain version. */
export async function readVersionFile(file: string): Promise<string | undefined> {
  // The first line as the shims read it: a value they would refuse is refused here too.
  const text = readQuietly(file);
  const version = text === undefined ? undefined : recordLine(text);
  return version !== undefined && isPlainVersion(version) ? version : undefined;
}

export async function writeVersionFile(file: string, version: string): Promise<void> {
  requirePlainVersion(version, 'cloud-stable version');
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${version}\n`, { mode: 0o644 });
}
