/**
 * Client-tools updates: ask the version endpoint for the cloud-stable version, install a version's
 * tsh and tctl through the artifact module, and record it (cloud-stable-version, a profile's
 * cluster-versions record) once it is installed.
 */
import { join } from 'node:path';
import { ToolsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';
import { parseVersionBody } from '../version.js';
import { archiveName } from '../artifacts/release.js';
import type { Platform } from '../artifacts/release.js';
import type { InstallResult } from '../artifacts/install.js';
import type { Settings } from '../settings.js';
import type { ToolsContext } from './context.js';
import { TOOLS, pruneVersions, versionDir } from './cache.js';
import { readVersionFile, writeVersionFile } from './version-file.js';
import { checkPrivate } from './safety.js';
import { clusterVersionsDir, readRecord, recordFile, recordedVersions, writeRecord } from './cluster-versions.js';
import { buildNeed, isInstalledFor, releaseFor } from './edition.js';
import type { InstallToolsOptions } from './install-options.js';

/** RFD 0144: 10 s, a tiny body. */
export const VERSION_TIMEOUT_MS = 10_000;
export const VERSION_MAX_BYTES = 256;

export type SelectedSource = 'TELEPORT_TOOLS_VERSION' | 'cluster-versions' | 'cloud-stable-version' | 'none';

export interface Selection {
  version: string | undefined;
  source: SelectedSource;
  /** The call's profile, when it has one. */
  profile?: string | undefined;
  /** The profile's record is there but unusable (a link, empty, garbage): its path and what is wrong. */
  badRecord?: { file: string; why: string } | undefined;
}

/**
 * The version the launchers run (docs/behaviour.md item 1): a pin from the environment, else the record of
 * the call's profile, else cloud-stable-version.
 */
export async function selectVersion(settings: Settings, profile?: string): Promise<Selection> {
  if (settings.pin.kind === 'version') return { version: settings.pin.version, source: 'TELEPORT_TOOLS_VERSION', profile };
  let badRecord: Selection['badRecord'];
  if (profile) {
    const record = await readRecord(settings.home, profile);
    if (record.kind === 'ok') return { version: record.version, source: 'cluster-versions', profile };
    if (record.kind === 'bad') badRecord = { file: recordFile(settings.home, profile), why: record.why };
  }
  const recorded = await readVersionFile(settings.versionFile);
  return recorded ? { version: recorded, source: 'cloud-stable-version', profile, badRecord } : { version: undefined, source: 'none', profile, badRecord };
}

/** Versions retention and `clean` keep: cloud-stable-version, every cluster record, the pin. */
export async function keptVersions(settings: Settings): Promise<string[]> {
  const keep = await recordedVersions(settings.home);
  const stable = await readVersionFile(settings.versionFile);
  if (stable) keep.push(stable);
  if (settings.pin.kind === 'version') keep.push(settings.pin.version);
  return [...new Set(keep)];
}

export function requireNetwork(ctx: ToolsContext): void {
  if (!ctx.network.allowed) {
    throw new ToolsError('EOFFLINE', `updates are off (${ctx.network.reason})`);
  }
}

export async function fetchCloudStableVersion(ctx: ToolsContext): Promise<string> {
  requireNetwork(ctx);
  const url = ctx.settings.versionUrl.value;
  const body = await ctx.http().getText(url, { maxBytes: VERSION_MAX_BYTES, timeoutMs: VERSION_TIMEOUT_MS, signal: ctx.signal });
  return parseVersionBody(body, url);
}

/** Installs tsh and tctl of `version` (if missing), then records and prunes under the same lock. */
export async function installTools(ctx: ToolsContext, version: string, opts: InstallToolsOptions): Promise<InstallResult> {
  requireNetwork(ctx);
  const { settings } = ctx;
  if (settings.platform instanceof ToolsError) throw settings.platform;
  checkPrivate(settings.cacheDir, 'cache directory');
  // A record written where others can write could be swapped before it is read, and the readers ignore
  // it there anyway (cluster-versions.ts): say so before downloading anything.
  if (opts.profile) checkPrivate(clusterVersionsDir(settings.home), 'cluster-versions directory');
  if (ctx.isolateInstalls) {
    const { installInChild } = await import('./install-process.js');
    return installInChild(ctx, version, opts);
  }
  return installInThisProcess(ctx, version, opts, settings.platform);
}

/** installTools' work: download, verify, publish, then record and prune under the cache lock. */
async function installInThisProcess(ctx: ToolsContext, version: string, opts: InstallToolsOptions, platform: Platform): Promise<InstallResult> {
  const { settings, reporter } = ctx;
  let started = false;
  let recorded = false;
  const release = releaseFor({ ...settings, platform }, version, opts.need);
  const record = async (): Promise<void> => {
    if (opts.record) await writeVersionFile(settings.versionFile, version);
    if (opts.profile) await writeRecord(settings.home, opts.profile, version);
  };
  // Loaded on demand: the archive, digest and lock modules are slow to load, and most launcher
  // runs (an up-to-date `tsh login`) never install anything.
  const { installRelease } = await import('../artifacts/install.js');
  const { versionIntact } = await import('../artifacts/verify.js');
  const result = await installRelease({
    http: ctx.http(),
    cdnBaseUrl: settings.cdnBaseUrl.value,
    release,
    binaries: TOOLS,
    cacheDir: settings.cacheDir,
    target: versionDir(settings.cacheDir, version),
    signal: ctx.signal,
    intact: opts.repair ? versionIntact : undefined,
    freeSpace: settings.testFreeBytes === undefined ? undefined : async () => settings.testFreeBytes as number,
    onWait: () => reporter.info(`Another teleport-tools process is installing; waiting for it to finish...`),
    onStart: (total) => {
      started = true;
      reporter.downloadStart(archiveName(release), total);
    },
    onProgress: (p) => reporter.downloadProgress(p),
    // App bundles (macOS): each binary's first run happens here, once, before anything execs it.
    afterPublish: async ({ dir, manifest }) => {
      const { firstRun } = await import('../artifacts/first-run.js');
      for (const [tool, exe] of Object.entries(manifest.bundles ?? {})) await firstRun(join(dir, exe), tool, settings.env);
    },
    whileLocked: async () => {
      if (started) reporter.downloadEnd(true);
      started = false;
      if (opts.record || opts.profile) {
        await record();
        recorded = true;
        checkpoint('version-file-written');
      }
      await pruneVersions(settings.cacheDir, [version, ...(await keptVersions(settings))]);
      checkpoint('old-versions-removed');
    },
  }).catch((err: unknown) => {
    if (started) reporter.downloadEnd(false);
    throw err;
  });
  if ((opts.record || opts.profile) && !recorded) {
    // Another process installed it while we waited without the lock: the record is still ours to make.
    await record();
  }
  return result;
}

/**
 * Makes `version` the recorded cloud-stable version, installing it first if needed, with RFD 0144's
 * messages (`detected` for a version the endpoint announced, `requested` for one the user named).
 * Resolves false, saying nothing, when it already was.
 */
export async function adoptVersion(ctx: ToolsContext, version: string, why: 'detected' | 'requested'): Promise<boolean> {
  const { settings, reporter } = ctx;
  const recorded = await readVersionFile(settings.versionFile);
  if (version === recorded && (await isInstalledFor(settings, version, buildNeed(settings)))) return false;
  reporter.info(why === 'detected' ? `New cloud-stable version of Teleport detected: v${version}` : `Installing Teleport client tools v${version}...`);
  await installTools(ctx, version, { record: true });
  reporter.info(`Updated tsh/tctl to version v${version}!`);
  return true;
}
