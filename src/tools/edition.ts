/** The release a version is installed from, given the settings and (at login) the cluster's answer. */
import { buildServes, resolveEdition } from '../artifacts/edition.js';
import type { Edition, Platform, ReleaseRef } from '../artifacts/release.js';
import type { Settings } from '../settings.js';
import { installedManifest } from './cache.js';
import type { Tool } from './cache.js';

export interface BuildNeed {
  edition: Edition;
  fips: boolean;
}

/** `edition` (auto: the cluster's, else oss) and `fips` (Linux only: Teleport publishes no macOS FIPS builds). */
export function buildNeed(settings: Settings, clusterEdition?: string): BuildNeed {
  const linux = !(settings.platform instanceof Error) && settings.platform.os === 'linux';
  return { edition: resolveEdition(settings.config.edition, clusterEdition), fips: settings.config.fips && linux };
}

export function releaseFor(settings: Settings & { platform: Platform }, version: string, need: BuildNeed = buildNeed(settings)): ReleaseRef {
  return { version, edition: need.edition, fips: need.fips, platform: settings.platform };
}

/** Is `version` installed in a build that serves `need` (an ent build serves an oss need)? */
export async function isInstalledFor(settings: Settings, version: string, need: BuildNeed, tool: Tool = 'tsh'): Promise<boolean> {
  const manifest = await installedManifest(settings.cacheDir, version, tool);
  return manifest !== undefined && buildServes(manifest, need);
}
