/**
 * The client-tools cache: `$TELEPORT_HOME/cache/<version>/{tsh,tctl}`. Only names that are plain
 * versions and hold a manifest count as installed; dot-entries are the lock and staging.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareVersions, isPlainVersion } from '../version.js';
import { readManifest } from '../artifacts/manifest.js';

export const TOOLS = ['tsh', 'tctl'] as const;
export type Tool = (typeof TOOLS)[number];

export interface InstalledVersion {
  version: string;
  dir: string;
  installedAt: string;
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
      return { version, dir, installedAt: manifest.installedAt };
    }),
  );
  return found.filter((v): v is InstalledVersion => v !== undefined).sort((a, b) => compareVersions(b.version, a.version));
}

export async function isInstalled(cacheDir: string, version: string, tool: Tool = 'tsh'): Promise<boolean> {
  if (!isPlainVersion(version)) return false;
  const manifest = await readManifest(versionDir(cacheDir, version));
  if (!manifest || manifest.version !== version) return false;
  return stat(join(versionDir(cacheDir, version), tool)).then((s) => s.isFile(), () => false);
}

/**
 * Keeps every version in `keep` (the recorded ones: cloud-stable, each cluster record, the pin) plus
 * the `others` most recently installed other ones, and removes the rest. A removed directory is first renamed to a dot-name, so a half-deleted directory
 * never looks like a version. Call with the cache lock held.
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
    const trash = join(cacheDir, `.trash-${v.version}-${process.pid}`);
    try {
      await rename(v.dir, trash);
      await rm(trash, { recursive: true, force: true });
      removed.push(v.version);
    } catch {
      // Another process may be removing it too, or it is in use; retention is best-effort.
    }
  }
  return removed;
}
