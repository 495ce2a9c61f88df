/**
 * Where Connect My Computer keeps things, shared with Teleport Connect's layout:
 * `<userData>/agents/<profile>/{config.yaml,data/,logs/}` and the agent binary in `<cache>/teleport/`.
 * Our own bookkeeping files carry a `teleport-tools-` prefix so they never clash with Connect's.
 * Kept free of heavy imports: the launcher hooks load this module on every `tsh login`/`tsh logout`.
 */
import { join } from 'node:path';
import { ToolsError } from '../errors.js';
import { isProfileName } from '../tools/profile-name.js';

export interface ConnectDirs {
  userData: string;
  cache: string;
}

export const AGENTS_DIR = 'agents';
export const STATE_FILE = 'teleport-tools-cmc.json';
export const EVENTS_FILE = 'teleport-tools-usage-events.jsonl';
export const EVENTS_KEY_FILE = 'teleport-tools-usage.key';

export function agentsRoot(dirs: ConnectDirs): string {
  return join(dirs.userData, AGENTS_DIR);
}

export function stateFile(dirs: ConnectDirs): string {
  return join(dirs.userData, STATE_FILE);
}

/** A profile is a proxy host name; it becomes a directory name, so nothing else gets through. */
export function checkProfile(profile: string): string {
  if (!isProfileName(profile)) {
    throw new ToolsError('ECMC', `${JSON.stringify(profile.slice(0, 80))} is not a proxy host name`);
  }
  return profile;
}

/**
 * Connect My Computer's name for a profile: its host in lower case, as `tsh status` reports it (a
 * profile URL's host, see activeProfile), which is what names the agent directories and state.
 */
export function agentProfileName(host: string): string {
  return host.toLowerCase();
}

export interface AgentPaths {
  dir: string;
  config: string;
  data: string;
  hostUuid: string;
  logs: string;
  log: string;
  /** Who runs the agent now (a `cmc start` or `cmc setup`): see run-lock.ts. */
  run: string;
  /** The join token, 0600, until the node has joined: never on a command line (config-file.ts). */
  token: string;
}

export function agentPaths(dirs: ConnectDirs, profile: string): AgentPaths {
  const dir = join(agentsRoot(dirs), checkProfile(profile));
  const data = join(dir, 'data');
  const logs = join(dir, 'logs');
  return {
    dir,
    config: join(dir, 'config.yaml'),
    data,
    hostUuid: join(data, 'host_uuid'),
    logs,
    log: join(logs, 'agent.log'),
    run: join(dir, 'teleport-tools-run.json'),
    token: join(dir, 'teleport-tools-join-token'),
  };
}

/** `<cache>/teleport`: the published directory holding the agent binary and its manifest. */
export function agentBinaryDir(dirs: ConnectDirs): string {
  return join(dirs.cache, 'teleport');
}

export function agentBinary(dirs: ConnectDirs): string {
  return join(agentBinaryDir(dirs), 'teleport');
}

/** The role RFD 0133 gives each user. */
export function roleName(clusterUser: string): string {
  return `connect-my-computer-${clusterUser}`;
}

export const OWNER_LABEL = 'teleport.dev/connect-my-computer/owner';
