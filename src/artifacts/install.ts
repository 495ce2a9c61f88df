/**
 * Download, verify and publish a release's binaries as one directory, all at once or not at all:
 * under the cache lock, into a fresh staging directory beside the target, then one rename. A target
 * that is already there means another process won; we use its result.
 */
import { chmod, mkdir, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HttpClient } from '../http.js';
import { ToolsError, fsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';
import { scopedSignal } from '../abort.js';
import { acquireLock } from './lock.js';
import { readManifest, writeManifest } from './manifest.js';
import { buildServes } from './edition.js';
import type { Manifest } from './manifest.js';
import { archiveName, archiveUrl, entryPath } from './release.js';
import type { ReleaseRef } from './release.js';
import { DEFAULT_LIMITS } from './archive.js';
import { downloadVerified } from './download.js';
import type { Progress } from './download.js';

export const STAGING_PREFIX = '.staging-';
const TRASH_PREFIX = '.trash-';

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
  /** Runs while the lock is held, after the target is in place (retention, version file). */
  whileLocked?: (result: InstallResult) => Promise<void>;
  limits?: { maxEntryBytes: number; maxTotalBytes: number };
  /** How long an unrefreshed lock counts as held by a live process (default 10 s; tests use less). */
  lockStaleMs?: number;
}

export interface InstallResult {
  dir: string;
  /** False when the target was already there (before or after waiting for another process). */
  downloaded: boolean;
  manifest: Manifest;
}

/** The manifest of a published target that is this exact release, else undefined. */
export async function installedManifest(target: string, release: ReleaseRef, binaries: readonly string[]): Promise<Manifest | undefined> {
  const manifest = await readManifest(target);
  if (!manifest || manifest.version !== release.version || !buildServes(manifest, release)) return undefined;
  return binaries.every((b) => manifest.binaries.includes(b)) ? manifest : undefined;
}

/** Removes staging and trash left by killed processes. Only call with the lock held. */
async function sweep(cacheDir: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((n) => n.startsWith(STAGING_PREFIX) || n.startsWith(TRASH_PREFIX))
      .map((n) => rm(join(cacheDir, n), { recursive: true, force: true }).catch(() => undefined)),
  );
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

/** Puts staging in place of target in one rename (an old target of another release is moved aside first). */
async function publish(staging: string, target: string, cacheDir: string): Promise<void> {
  const old = await readManifest(target);
  if (old) {
    const trash = join(cacheDir, `${TRASH_PREFIX}${basename(target)}-${process.pid}`);
    await rename(target, trash);
    await rename(staging, target);
    await rm(trash, { recursive: true, force: true });
  } else {
    // A directory without a manifest was not published by us (or is a leftover): replace it.
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  }
  await fsyncDir(dirname(target));
}

export async function installRelease(req: InstallRequest): Promise<InstallResult> {
  const existing = await installedManifest(req.target, req.release, req.binaries);
  if (existing && !req.whileLocked) return { dir: req.target, downloaded: false, manifest: existing };

  try {
    await mkdir(req.cacheDir, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw fsError(`cannot create ${req.cacheDir}`, err);
  }
  const lock = await acquireLock(req.cacheDir, {
    onWait: req.onWait,
    signal: req.signal,
    staleMs: req.lockStaleMs,
    isDone: async () => (await installedManifest(req.target, req.release, req.binaries)) !== undefined,
  });
  if (!lock) {
    const manifest = await installedManifest(req.target, req.release, req.binaries);
    if (!manifest) throw new ToolsError('EFS', `${req.target} vanished after another process installed it`);
    return { dir: req.target, downloaded: false, manifest };
  }
  checkpoint('lock-taken');
  let staging: string | undefined;
  try {
    await sweep(req.cacheDir);
    const ready = await installedManifest(req.target, req.release, req.binaries);
    if (ready) {
      const result = { dir: req.target, downloaded: false, manifest: ready };
      await req.whileLocked?.(result);
      return result;
    }
    try {
      staging = await mkdtemp(join(req.cacheDir, `${STAGING_PREFIX}${basename(req.target)}-`));
    } catch (err) {
      throw fsError(`cannot write to ${req.cacheDir}`, err);
    }
    const name = archiveName(req.release);
    const entries = Object.fromEntries(req.binaries.map((b) => [entryPath(req.release.edition, b), b]));
    const scope = scopedSignal([req.signal, lock.compromised]);
    const { signal } = scope;
    const got = await downloadVerified({
      http: req.http,
      archiveUrl: archiveUrl(req.cdnBaseUrl, req.release),
      archiveName: name,
      destDir: staging,
      spec: { entries, ...(req.limits ?? DEFAULT_LIMITS) },
      signal,
      onStart: req.onStart,
      onProgress: req.onProgress,
    })
      .catch((err: unknown) => {
        if (lock.compromised.aborted) throw lock.compromised.reason;
        throw wrapFs(err, `installing ${name} into ${req.cacheDir}`);
      })
      .finally(() => scope.dispose());
    const manifest: Manifest = {
      version: req.release.version,
      edition: req.release.edition,
      archive: name,
      sha256: got.sha256,
      binaries: [...req.binaries],
      files: got.files,
      installedAt: new Date().toISOString(),
    };
    try {
      await writeManifest(staging, manifest);
      await chmod(staging, 0o755); // mkdtemp made it 0700
      checkpoint('staging-complete');
      await publish(staging, req.target, req.cacheDir);
    } catch (err) {
      throw wrapFs(err, `installing ${name} into ${req.target}`);
    }
    staging = undefined;
    checkpoint('renamed');
    const result = { dir: req.target, downloaded: true, manifest };
    await req.whileLocked?.(result);
    return result;
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    await lock.release();
    checkpoint('lock-released');
  }
}

function wrapFs(err: unknown, action: string): unknown {
  if (err instanceof ToolsError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return code ? fsError(action, err) : err;
}
