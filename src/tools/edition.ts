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

/**
 * `edition` (auto: the cluster's, else oss) and `fips`. FIPS builds are Enterprise builds, and Linux
 * only (docs/behaviour.md item 33): `fips: true` asks for the ent build whatever `edition` says.
 */
export function buildNeed(settings: Settings, clusterEdition?: string): BuildNeed {
  const fips = settings.config.fips && fipsPublishedFor(settings.platform);
  return { edition: fips ? 'ent' : resolveEdition(settings.config.edition, clusterEdition), fips };
}

/** Teleport publishes FIPS builds for Linux alone. */
export function fipsPublishedFor(platform: Settings['platform']): boolean {
  return !(platform instanceof Error) && platform.os === 'linux';
}

/** What of `edition` and `fips` has no effect on this platform, for `status` (one line each). */
export function buildSettingNotes(settings: Settings): string[] {
  // One Windows build whatever the edition or FIPS setting (docs/behaviour.md item 22): one note says so.
  if (!(settings.platform instanceof Error) && settings.platform.os === 'windows') {
    return ['edition and fips have no effect on Windows: Teleport publishes one build there, whatever the edition or FIPS setting'];
  }
  const notes: string[] = [];
  if (settings.config.fips && !fipsPublishedFor(settings.platform)) notes.push('fips: true has no effect here: Teleport publishes FIPS builds for Linux only');
  if (settings.config.fips && settings.config.edition === 'oss' && fipsPublishedFor(settings.platform)) {
    notes.push('edition: oss has no effect with fips: true: FIPS builds are Enterprise builds (teleport-ent-v…-fips-bin.tar.gz)');
  }
  return notes;
}

export function releaseFor(settings: Settings & { platform: Platform }, version: string, need: BuildNeed = buildNeed(settings)): ReleaseRef {
  return { version, edition: need.edition, fips: need.fips, platform: settings.platform };
}

/** Is `version` installed in a build that serves `need` (an ent build serves an oss need)? */
export async function isInstalledFor(settings: Settings, version: string, need: BuildNeed, tool: Tool = 'tsh'): Promise<boolean> {
  const manifest = await installedManifest(settings.cacheDir, version, tool);
  return manifest !== undefined && buildServes(manifest, need);
}
