/**
 * `$TELEPORT_HOME/cluster-versions/<profile>`: the client-tools version each cluster asks for through
 * Teleport's managed updates. Same format and rules as cloud-stable-version (version-file.ts): one
 * line `X.Y.Z`, replaced atomically, written only once that version is installed. `<profile>` is
 * always a plain host name (profile.ts), never anything that could leave the directory.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolsError } from '../errors.js';
import { isPlainVersion } from '../version.js';
import { isPlainHost } from './profile.js';
import { recordLine } from './record-line.js';
import { writeVersionFile } from './version-file.js';

export const CLUSTER_VERSIONS_DIR = 'cluster-versions';

export function clusterVersionsDir(home: string): string {
  return join(home, CLUSTER_VERSIONS_DIR);
}

export function recordFile(home: string, profile: string): string {
  if (!isPlainHost(profile)) throw new ToolsError('EUSAGE', `not a plain host name, so not a profile: ${JSON.stringify(profile.slice(0, 80))}`);
  return join(clusterVersionsDir(home), profile);
}

export type RecordState =
  | { kind: 'absent' }
  | { kind: 'ok'; version: string }
  /** There, but the launchers may not use it: `why` says what is wrong. */
  | { kind: 'bad'; why: string };

/** What the record of `profile` holds; a symlink, a non-file, an empty or garbage file are `bad`. */
export async function readRecord(home: string, profile: string): Promise<RecordState> {
  const file = recordFile(home, profile);
  // Synchronous, like readManifest (which says why).
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st) return { kind: 'absent' };
  if (st.isSymbolicLink()) return { kind: 'bad', why: 'is a symbolic link' };
  if (!st.isFile()) return { kind: 'bad', why: 'is not a regular file' };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { kind: 'bad', why: 'cannot be read' };
  }
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
    names.filter(isPlainHost).filter((n) => !n.endsWith('.tmp')).sort().map(async (profile) => ({
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
