/**
 * `<userData>/teleport-tools-cmc.json`: what Connect My Computer remembers per profile between runs:
 * who set it up, whether setup finished, the node, autoStart, and the last agent failure.
 * Written whole (writeFileAtomic), so a reader never sees half of it.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ConnectDirs } from './paths.js';
import { stateFile } from './paths.js';
import { writeFileAtomic } from '../write-file-atomic.js';

export interface AgentFailure {
  at: string;
  message: string;
  /** The agent's last output lines. */
  lines: string[];
}

export interface ProfileState {
  clusterName?: string;
  clusterUser?: string;
  role?: string;
  /** host:port of the proxy, for the compatibility check of `cmc status`. */
  proxyAddr?: string;
  setupCompleted?: boolean;
  nodeUuid?: string;
  nodeName?: string;
  /** Set when the agent starts; cleared only by an explicit `cmc stop` (or remove, logout). */
  autoStart?: boolean;
  lastFailure?: AgentFailure;
  /** Set up with --insecure: certificate checks of the proxy are off (see insecure.ts). */
  insecure?: boolean;
}

interface StateFile {
  version: 1;
  profiles: Record<string, ProfileState>;
}

async function readAll(dirs: ConnectDirs): Promise<StateFile> {
  try {
    const data = JSON.parse(await readFile(stateFile(dirs), 'utf8')) as Partial<StateFile>;
    if (data && typeof data.profiles === 'object' && data.profiles !== null) return { version: 1, profiles: data.profiles };
  } catch {
    // Absent or unreadable: start afresh (it holds nothing that cannot be rebuilt by setup).
  }
  return { version: 1, profiles: {} };
}

export async function readProfileState(dirs: ConnectDirs, profile: string): Promise<ProfileState> {
  return (await readAll(dirs)).profiles[profile] ?? {};
}

export async function listStateProfiles(dirs: ConnectDirs): Promise<string[]> {
  return Object.keys((await readAll(dirs)).profiles);
}

/** Applies `change` to one profile's state; `undefined` from change deletes the profile's entry. */
export async function updateProfileState(
  dirs: ConnectDirs,
  profile: string,
  change: (s: ProfileState) => ProfileState | undefined,
): Promise<void> {
  const file = stateFile(dirs);
  const all = await readAll(dirs);
  const next = change({ ...all.profiles[profile] });
  if (next === undefined) delete all.profiles[profile];
  else all.profiles[profile] = next;
  if (Object.keys(all.profiles).length === 0) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
}

export async function clearProfileState(dirs: ConnectDirs, profile: string): Promise<void> {
  await updateProfileState(dirs, profile, () => undefined);
}
