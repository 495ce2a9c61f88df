/**
 * The client-tools cache: `$TELEPORT_HOME/cache/<version>/{tsh,tctl}`. Only names that are plain
 * versions and hold a manifest count as installed; dot-entries are the lock and staging. On macOS,
 * `<version>/tsh` may be a relative link into `<version>/tsh.app` (an app bundle): it is followed, and
 * must stay inside the version directory.
 */
import { realpathSync, statSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { compareVersions, isPlainVersion } from '../version.js';
import { hasBundles, readManifest } from '../artifacts/manifest.js';
import type { Manifest } from '../artifacts/manifest.js';
import { TRASH_PREFIX, removeInPlace } from '../artifacts/remove.js';
import { exeName } from '../artifacts/exe-name.js';
import { retryBusy } from '../artifacts/retry-busy.js';

export const TOOLS = ['tsh', 'tctl'] as const;
export type Tool = (typeof TOOLS)[number];

export interface InstalledVersion {
  version: string;
  dir: string;
  installedAt: string;
  /** Holds app bundles: removed in place, never renamed. */
  inPlace: boolean;
}

export function versionDir(cacheDir: string, version: string): string {
  return join(cacheDir, version);
}

/** Installed versions, newest version first. */
export async function listInstalled(cacheDir: string): Promise<InstalledVersion[]> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const found = await Promise.all(
    names.filter(isPlainVersion).map(async (version) => {
      const dir = versionDir(cacheDir, version);
      const manifest = await readManifest(dir);
      if (!manifest || manifest.version !== version) return undefined;
      return { version, dir, installedAt: manifest.installedAt, inPlace: hasBundles(manifest) };
    }),
  );
  return found.filter((v): v is InstalledVersion => v !== undefined).sort((a, b) => compareVersions(b.version, a.version));
}

/**
 * The real file `<dir>/<tool>` runs (the link followed), when it is a regular file inside `dir`;
 * undefined otherwise.
 */
export async function toolFile(dir: string, tool: string): Promise<string | undefined> {
  const path = join(dir, exeName(tool));
  // Synchronous, like readManifest (which says why).
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s?.isFile()) return undefined;
  const resolve = (p: string): string => {
    try {
      return realpathSync.native(p);
    } catch {
      return '';
    }
  };
  const real = resolve(path);
  const root = resolve(dir);
  return real && root && real.startsWith(root + sep) ? real : undefined;
}

/** The manifest of `version` when it is installed with `tool` (isInstalled), else undefined. */
export async function installedManifest(cacheDir: string, version: string, tool: Tool = 'tsh'): Promise<Manifest | undefined> {
  if (!isPlainVersion(version)) return undefined;
  const dir = versionDir(cacheDir, version);
  const manifest = await readManifest(dir);
  if (!manifest || manifest.version !== version) return undefined;
  return (await toolFile(dir, tool)) !== undefined ? manifest : undefined;
}

/** Installed versions that hold `tool` (isInstalled), newest first: each manifest read once. */
export async function installedWith(cacheDir: string, tool: Tool): Promise<string[]> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const found = await Promise.all(names.filter(isPlainVersion).map(async (v) => ((await installedManifest(cacheDir, v, tool)) ? v : undefined)));
  return found.filter((v): v is string => v !== undefined).sort((a, b) => compareVersions(b, a));
}

export async function isInstalled(cacheDir: string, version: string, tool: Tool = 'tsh'): Promise<boolean> {
  return (await installedManifest(cacheDir, version, tool)) !== undefined;
}

/**
 * Keeps every version in `keep` (the recorded ones: cloud-stable, each cluster record, the pin) plus
 * the `others` most recently installed other ones, and removes the rest. A removed directory is first
 * renamed to a dot-name, so a half-deleted directory never looks like a version; one holding macOS app
 * bundles is never renamed (a running tsh may be inside it) but deleted in place, links and manifest
 * first (`removeInPlace`). Call with the cache lock held.
 */
export async function pruneVersions(cacheDir: string, keep: readonly string[], others = 1): Promise<string[]> {
  const installed = await listInstalled(cacheDir);
  const byRecency = [...installed].sort((a, b) => b.installedAt.localeCompare(a.installedAt) || compareVersions(b.version, a.version));
  const kept = new Set(keep.filter(isPlainVersion));
  let extra = 0;
  for (const v of byRecency) {
    if (extra >= others) break;
    if (!kept.has(v.version)) {
      kept.add(v.version);
      extra++;
    }
  }
  const removed: string[] = [];
  for (const v of installed) {
    if (kept.has(v.version)) continue;
    if (v.inPlace) {
      try {
        await removeInPlace(v.dir);
        removed.push(v.version);
      } catch {
        // Best-effort, as below; without its links and manifest it no longer counts as installed.
      }
      continue;
    }
    const trash = join(cacheDir, `${TRASH_PREFIX}${v.version}-${process.pid}`);
    try {
      await retryBusy(() => rename(v.dir, trash));
      await rm(trash, { recursive: true, force: true }).catch(() => undefined);
      removed.push(v.version);
    } catch {
      // Another process may be removing it too, or it is in use; retention is best-effort.
    }
  }
  return removed;
}
