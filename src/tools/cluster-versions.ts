/**
 * `$TELEPORT_HOME/cluster-versions/<profile>`: the client-tools version each cluster asks for through
 * Teleport's managed updates. Same format and rules as cloud-stable-version (version-file.ts): one
 * line `X.Y.Z`, replaced atomically, written only once that version is installed. `<profile>` is
 * always a profile name (profile-name.ts), never anything that could leave the directory.
 */
import { lstatSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolsError } from '../errors.js';
import { isPlainVersion } from '../version.js';
import { isProfileName } from './profile-name.js';
import { readQuietly, recordLine } from './record-line.js';
import { writeVersionFile } from './version-file.js';
import { unsafeReason } from '../trust.js';

export const CLUSTER_VERSIONS_DIR = 'cluster-versions';

export function clusterVersionsDir(home: string): string {
  return join(home, CLUSTER_VERSIONS_DIR);
}

export function recordFile(home: string, profile: string): string {
  if (!isProfileName(profile)) throw new ToolsError('EUSAGE', `not a plain host name, so not a profile: ${JSON.stringify(profile.slice(0, 80))}`);
  return join(clusterVersionsDir(home), profile);
}

export type RecordState =
  | { kind: 'absent' }
  | { kind: 'ok'; version: string }
  /** There, but the launchers may not use it: `why` says what is wrong. */
  | { kind: 'bad'; why: string };

/** Why the records directory, or `file` in it, could have been written by another user; undefined when neither could. */
export function untrustedRecord(home: string, file?: string): string | undefined {
  const dir = clusterVersionsDir(home);
  const unsafe = unsafeReason(dir);
  if (unsafe) return `is in ${dir}, which ${unsafe.problem}; ${unsafe.advice}`;
  const own = file ? unsafeReason(file) : undefined;
  // A link is `bad` below already, with its own words.
  return own && own.kind !== 'symlink' ? `${own.problem}; ${own.advice}` : undefined;
}

/** What the record of `profile` holds; a symlink, a non-file, an empty or garbage file are `bad`. */
export async function readRecord(home: string, profile: string): Promise<RecordState> {
  const file = recordFile(home, profile);
  // Synchronous, like readManifest (which says why).
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) return { kind: 'absent' };
  // A record picks what runs: one another user could have written is not used (trust.ts).
  const untrusted = untrustedRecord(home, file);
  if (untrusted) return { kind: 'bad', why: untrusted };
  if (st.isSymbolicLink()) return { kind: 'bad', why: 'is a symbolic link' };
  if (!st.isFile()) return { kind: 'bad', why: 'is not a regular file' };
  const text = readQuietly(file);
  if (text === undefined) return { kind: 'bad', why: 'cannot be read' };
  // The first line as the shims read it (record-line.ts).
  const version = recordLine(text);
  if (!isPlainVersion(version)) return { kind: 'bad', why: text === '' ? 'is empty' : 'does not hold a plain version X.Y.Z' };
  return { kind: 'ok', version };
}

export async function writeRecord(home: string, profile: string, version: string): Promise<void> {
  const file = recordFile(home, profile);
  // A symlink or directory in the way is replaced, never written through.
  const st = await lstat(file).catch(() => undefined);
  if (st && (st.isSymbolicLink() || !st.isFile())) await rm(file, { recursive: true, force: true });
  await writeVersionFile(file, version);
}

/** Removes the record (the cluster turned managed updates off, or it was unusable). */
export async function removeRecord(home: string, profile: string): Promise<boolean> {
  const file = recordFile(home, profile);
  const there = await lstat(file).then(() => true, () => false);
  if (there) await rm(file, { recursive: true, force: true });
  return there;
}

export interface ClusterRecord {
  profile: string;
  file: string;
  state: RecordState;
}

/** Every record, by profile name; names that are not plain hosts (or temp files) are skipped. */
export async function listRecords(home: string): Promise<ClusterRecord[]> {
  const names = await readdir(clusterVersionsDir(home)).catch(() => [] as string[]);
  const records = await Promise.all(
    names.filter(isProfileName).filter((n) => !n.endsWith('.tmp')).sort().map(async (profile) => ({
      profile,
      file: recordFile(home, profile),
      state: await readRecord(home, profile),
    })),
  );
  return records;
}

/** Versions named by usable records: kept by retention and `clean`. */
export async function recordedVersions(home: string): Promise<string[]> {
  return (await listRecords(home)).flatMap((r) => (r.state.kind === 'ok' && isPlainVersion(r.state.version) ? [r.state.version] : []));
}
