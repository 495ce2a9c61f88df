/**
 * Download, verify and publish a release's binaries as one directory, all at once or not at all:
 * under the cache lock, into a fresh staging directory beside the target, then one rename. A target
 * that is already there means another process won; we use its result. A directory holding macOS app
 * bundles is never renamed once published: it is unpublished in place (manifest first) instead.
 */
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { HttpClient } from '../http.js';
import { ToolsError, fsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';
import { fsyncDir, fsyncTree } from '../fsync.js';
import { scopedSignal } from '../abort.js';
import { acquireLock } from './lock.js';
import type { Lock } from './lock.js';
import { hasBundles, readManifest, writeManifest } from './manifest.js';
import { TRASH_PREFIX, removeInPlace } from './remove.js';
import { publish } from './publish.js';
import { buildServes } from './edition.js';
import type { Manifest } from './manifest.js';
import { archiveLayout, archiveName, archiveUrl } from './release.js';
import type { ReleaseRef } from './release.js';
import { DEFAULT_LIMITS } from './archive.js';
import { downloadVerified } from './download.js';
import type { Progress } from './download.js';
import { discardPartial, sweepPartials } from './partial.js';
import type { FreeSpace } from './disk-space.js';

export const STAGING_PREFIX = '.staging-';

export interface InstallRequest {
  http: HttpClient;
  cdnBaseUrl: string;
  release: ReleaseRef;
  /** Binaries taken from the archive's top folder, e.g. ['tsh', 'tctl'] or ['teleport']. */
  binaries: readonly string[];
  /** Holds the lock and the staging directories; must be on the target's file system. */
  cacheDir: string;
  /** The published directory. */
  target: string;
  signal?: AbortSignal | undefined;
  onWait?: () => void;
  onStart?: (total: number | undefined) => void;
  onProgress?: (p: Progress) => void;
  /**
   * Runs while the lock is held, right after a download is published and before `whileLocked`: the
   * first run of the new binaries. When it throws, the version is unpublished again and the install
   * fails with that error.
   */
  afterPublish?: (result: InstallResult) => Promise<void>;
  /** Runs while the lock is held, after the target is in place (retention, version file). */
  whileLocked?: (result: InstallResult) => Promise<void>;
  limits?: { maxEntryBytes: number; maxTotalBytes: number };
  /** How long an unrefreshed lock counts as held by a live process (default 10 s; tests use less). */
  lockStaleMs?: number | undefined;
  /**
   * Set to repair a damaged target: under the lock, the published target counts as installed only
   * if this says its files are still the ones verified; otherwise it is downloaded and replaced.
   */
  intact?: ((dir: string, manifest: Manifest) => Promise<boolean>) | undefined;
  /** Free space of the cache's file system (tests inject one; default statfs). */
  freeSpace?: FreeSpace | undefined;
}

export interface InstallResult {
  dir: string;
  /** False when the target was already there (before or after waiting for another process). */
  downloaded: boolean;
  manifest: Manifest;
}

/** The manifest of the published `target` when it is this exact release with these binaries, else undefined. */
export async function matchingManifest(target: string, release: ReleaseRef, binaries: readonly string[]): Promise<Manifest | undefined> {
  const manifest = await readManifest(target);
  if (!manifest || manifest.version !== release.version || !buildServes(manifest, release)) return undefined;
  return binaries.every((b) => manifest.binaries.includes(b)) ? manifest : undefined;
}

/**
 * Removes staging and trash left by killed processes, and partial downloads of any archive but
 * `keep` (the one being installed now: it may be resumed). Only call with the lock held.
 */
async function sweep(cacheDir: string, keep: readonly string[]): Promise<void> {
  await sweepPartials(cacheDir, keep);
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.startsWith(STAGING_PREFIX) || n.startsWith(TRASH_PREFIX))
      .map((n) => rm(join(cacheDir, n), { recursive: true, force: true }).catch(() => undefined)),
  );
}

export async function installRelease(req: InstallRequest): Promise<InstallResult> {
  const existing = await matchingManifest(req.target, req.release, req.binaries);
  if (existing && !req.whileLocked && !req.intact) return { dir: req.target, downloaded: false, manifest: existing };
  try {
    // 0700, TELEPORT_HOME too when this creates it (docs/behaviour.md item 26); an existing one is left as it is.
    await mkdir(req.cacheDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fsError(`cannot create ${req.cacheDir}`, err);
  }
  const lock = await acquireLock(req.cacheDir, {
    onWait: req.onWait,
    signal: req.signal,
    staleMs: req.lockStaleMs,
    // App bundles: the holder runs their first run after publishing, so wait for its lock to go.
    isDone: async () => {
      const done = await matchingManifest(req.target, req.release, req.binaries);
      return done !== undefined && !req.intact && !(req.afterPublish && hasBundles(done));
    },
  });
  if (!lock) {
    const manifest = await matchingManifest(req.target, req.release, req.binaries);
    if (!manifest) throw new ToolsError('EFS', `${req.target} vanished after another process installed it`);
    return { dir: req.target, downloaded: false, manifest };
  }
  checkpoint('lock-taken');
  try {
    return await installLocked(req, lock);
  } finally {
    await lock.release();
    checkpoint('lock-released');
  }
}

/** With the lock held: the target as it is when it is still good, else downloaded and published. */
async function installLocked(req: InstallRequest, lock: Lock): Promise<InstallResult> {
  const name = archiveName(req.release);
  await sweep(req.cacheDir, [name]);
  let ready = await matchingManifest(req.target, req.release, req.binaries);
  if (ready && req.intact && !(await req.intact(req.target, ready))) ready = undefined;
  if (ready) {
    await discardPartial(req.cacheDir, name);
    const result = { dir: req.target, downloaded: false, manifest: ready };
    await req.whileLocked?.(result);
    return result;
  }
  let staging: string;
  try {
    staging = await mkdtemp(join(req.cacheDir, `${STAGING_PREFIX}${basename(req.target)}-`));
  } catch (err) {
    throw fsError(`cannot write to ${req.cacheDir}`, err);
  }
  let manifest: Manifest;
  try {
    manifest = await downloadInto(req, lock, staging);
    await publishStaging(req, staging, manifest);
  } catch (err) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  checkpoint('renamed');
  await discardPartial(req.cacheDir, name);
  const result = { dir: req.target, downloaded: true, manifest };
  await firstRun(req, result);
  await req.whileLocked?.(result);
  return result;
}

/** The release's archive downloaded, verified and extracted into `staging`; its manifest. */
async function downloadInto(req: InstallRequest, lock: Lock, staging: string): Promise<Manifest> {
  const name = archiveName(req.release);
  const scope = scopedSignal([req.signal, lock.compromised]);
  const got = await downloadVerified({
    http: req.http,
    archiveUrl: archiveUrl(req.cdnBaseUrl, req.release),
    archiveName: name,
    destDir: staging,
    spec: { ...archiveLayout(req.release, req.binaries), ...(req.limits ?? DEFAULT_LIMITS) },
    partialDir: req.cacheDir,
    space: { dir: req.cacheDir, free: req.freeSpace },
    signal: scope.signal,
    onStart: req.onStart,
    onProgress: req.onProgress,
  })
    .catch((err: unknown) => {
      if (lock.compromised.aborted) throw lock.compromised.reason;
      throw wrapFs(err, `installing ${name} into ${req.cacheDir}`);
    })
    .finally(() => scope.dispose());
  return {
    version: req.release.version,
    edition: req.release.edition,
    archive: name,
    sha256: got.sha256,
    binaries: [...req.binaries],
    files: got.files,
    ...(Object.keys(got.bundles).length > 0 ? { bundles: got.bundles, bundleEntries: got.bundleEntries } : {}),
    installedAt: new Date().toISOString(),
  };
}

/**
 * With a first run to do, the `tsh`/`tctl` links (what the fast path runs) and the manifest (what makes
 * the directory count as installed) are made only once it has passed: a process killed in between
 * leaves a directory that nothing runs or counts as a version, and the next install replaces it.
 */
const firstRunFirst = (req: InstallRequest, manifest: Manifest): boolean => req.afterPublish !== undefined && hasBundles(manifest);

/** Staging made complete and durable, then renamed into place. */
async function publishStaging(req: InstallRequest, staging: string, manifest: Manifest): Promise<void> {
  try {
    if (!firstRunFirst(req, manifest)) await writeManifest(staging, manifest);
    else for (const tool of Object.keys(manifest.bundles ?? {})) await unlink(join(staging, tool));
    await chmod(staging, 0o755); // mkdtemp made it 0700
    // The files were flushed as written; their names (an app bundle's whole tree) must be on disk too before the rename publishes them.
    await fsyncTree(staging);
    checkpoint('staging-complete');
    await publish(staging, req.target, req.cacheDir);
  } catch (err) {
    throw wrapFs(err, `installing ${manifest.archive} into ${req.target}`);
  }
}

/** `afterPublish`, then (app bundles) the links and the manifest; a failed first run unpublishes the version. */
async function firstRun(req: InstallRequest, result: InstallResult): Promise<void> {
  if (!req.afterPublish) return;
  const { manifest } = result;
  try {
    await req.afterPublish(result);
    if (firstRunFirst(req, manifest)) {
      // Now the fast path (the links) and the slow path (the manifest) may use it.
      for (const [tool, exe] of Object.entries(manifest.bundles ?? {})) await symlink(exe, join(req.target, tool));
      await writeManifest(req.target, manifest);
      await fsyncDir(req.target);
    }
  } catch (err) {
    await removeInPlace(req.target).catch(() => undefined);
    throw wrapFs(err, `installing ${manifest.archive} into ${req.target}`);
  }
}

function wrapFs(err: unknown, action: string): unknown {
  if (err instanceof ToolsError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return code ? fsError(action, err) : err;
}
