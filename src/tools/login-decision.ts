/**
 * The login check's decisions (docs/behaviour.md items 12 and 13), as pure functions: what to do with
 * the cluster's find answer (or its absence), and whether the version that will run is one the
 * cluster supports. login-check.ts makes the requests and the changes.
 */
import { isPlainVersion, releaseParts } from '../version.js';
import type { ReleaseParts } from '../version.js';
import type { FindAnswer } from './find.js';

/** The version the cluster asks for, or undefined (managed updates off, and no follow_cluster_version). */
export function wantedVersion(answer: FindAnswer, followClusterVersion: boolean): string | undefined {
  const au = answer.autoUpdate;
  if (au?.toolsAutoUpdate) return au.toolsVersion;
  if (followClusterVersion && answer.serverVersion && isPlainVersion(answer.serverVersion)) return answer.serverVersion;
  return undefined;
}

export interface LoginSteps {
  /** The cluster turned managed updates off (or never had them): the profile's record goes. */
  removeRecord: boolean;
  /** Install (if needed) and record this version for the profile. */
  clusterVersion: string | undefined;
  /** Otherwise, for a Cloud proxy: adopt the cloud-stable version. */
  cloudStable: boolean;
}

/**
 * What the login check does: `answer` is the cluster's find answer, undefined when there was no usable
 * one (the record then stays, and only a Cloud proxy falls back to the cloud-stable version: a
 * self-hosted one says nothing, as tsh reports an unreachable proxy itself).
 */
export function loginSteps(answer: FindAnswer | undefined, opts: { cloud: boolean; followClusterVersion: boolean }): LoginSteps {
  if (answer === undefined) return { removeRecord: false, clusterVersion: undefined, cloudStable: opts.cloud };
  const clusterVersion = wantedVersion(answer, opts.followClusterVersion);
  return { removeRecord: !answer.autoUpdate?.toolsAutoUpdate, clusterVersion, cloudStable: clusterVersion === undefined && opts.cloud };
}

/**
 * Whether the cloud channel's answer may be adopted (docs/behaviour.md item 32): not when it is more
 * than one major version behind what the cluster is known to run (its server_version, or the version
 * its record names when it did not answer). The global channel is frozen at the oldest version any
 * Cloud tenant runs; following it could move the user several majors back, onto a tsh that cannot
 * talk to the cluster.
 */
export function channelVerdict(offered: string, clusterVersion: string | undefined): { adopt: boolean; behind: number } {
  const cluster = clusterVersion === undefined ? undefined : releaseParts(clusterVersion);
  const channel = releaseParts(offered);
  const behind = cluster && channel ? cluster.major - channel.major : 0;
  return { adopt: behind <= 1, behind };
}

export interface Compatibility {
  tool: string;
  /** The version that will run for the profile. */
  version: string;
  ours: ReleaseParts;
  profile: string;
  /** The cluster's server_version as sent (`16.0.0-aa`), and parsed. */
  serverVersion: string;
  server: ReleaseParts;
}

/**
 * Teleport supports clients of the cluster's major version and the one before: one line when the
 * version that will run is ahead of that, or further behind; undefined when it is supported.
 */
export function incompatibility(c: Compatibility): string | undefined {
  const diff = c.ours.major - c.server.major;
  if (diff <= 0 && diff >= -1) return undefined;
  const { server } = c;
  const plain = `${server.major}.${server.minor}.${server.patch}`;
  const where = diff > 0 ? `${diff} major version${diff > 1 ? 's' : ''} ahead of` : `${-diff} major versions behind`;
  return (
    `${c.tool} v${c.version} is ${where} the cluster ${c.profile} (Teleport v${c.serverVersion}), which supports clients of v${server.major} and v${server.major - 1}: ` +
    `use a matching version with TELEPORT_TOOLS_VERSION=${plain}, or ask the cluster's admins to enable managed updates ('tctl autoupdate client-tools enable')`
  );
}
