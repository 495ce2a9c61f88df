/**
 * Is there room in the cache for an install? The same comparison the launchers make before they
 * request an archive (src/artifacts/disk-space.ts): free space of the cache's file system against the
 * archive's size, taken from a HEAD request for the selected version's archive.
 */
import { ToolsError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type { Settings } from '../settings.js';
import { archiveName, archiveUrl } from '../artifacts/release.js';
import { archiveSize, spaceNeeded, statfsFree } from '../artifacts/disk-space.js';
import { formatBytes } from '../ui/bytes.js';
import { readVersionFile } from '../tools/version-file.js';
import { releaseFor } from '../tools/edition.js';
import type { Check } from './check.js';
import { existingAncestor, failed, passed } from './check.js';

const NAME = 'disk-space';

export interface DiskSpaceOptions {
  settings: Settings;
  http: () => HttpClient;
  signal?: AbortSignal | undefined;
  /** False: make no request (updates off, or the CDN is not reachable anyway). */
  askCdn: boolean;
}

/** The size of the archive the launchers would download next, when it can be known. */
async function nextArchive(opts: DiskSpaceOptions): Promise<{ name: string; size: number } | undefined> {
  const { settings } = opts;
  if (!opts.askCdn || !settings.autoUpdates.enabled || settings.platform instanceof ToolsError) return undefined;
  const version = settings.pin.kind === 'version' ? settings.pin.version : await readVersionFile(settings.versionFile);
  if (!version) return undefined;
  const release = releaseFor({ ...settings, platform: settings.platform }, version);
  // The cdn check says what is wrong with the server when this cannot tell.
  const size = await archiveSize(opts.http(), archiveUrl(settings.cdnBaseUrl.value, release), opts.signal).catch(() => undefined);
  return size === undefined ? undefined : { name: archiveName(release), size };
}

export async function checkDiskSpace(opts: DiskSpaceOptions): Promise<Check> {
  const { settings } = opts;
  // The cache may not exist yet: its file system is that of the closest existing parent.
  const dir = await existingAncestor(settings.cacheDir);
  let free: number;
  try {
    free = settings.testFreeBytes ?? (await statfsFree(dir));
  } catch (err) {
    return passed(NAME, `skipped: the free space of ${dir} cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
  const next = await nextArchive(opts);
  if (!next) return passed(NAME, `${formatBytes(free, 'binary')} free in ${dir}`);
  const need = spaceNeeded(next.size, 0);
  if (free < need) {
    return failed(NAME, `not enough disk space in ${settings.cacheDir}: installing ${next.name} needs ${formatBytes(need, 'binary')}, ${formatBytes(free, 'binary')} free`, `free up ${formatBytes(need - free, 'binary')} on the file system of ${dir}, or set TELEPORT_HOME to a directory on a larger one`);
  }
  return passed(NAME, `${formatBytes(free, 'binary')} free in ${dir}; installing ${next.name} needs ${formatBytes(need, 'binary')}`);
}
