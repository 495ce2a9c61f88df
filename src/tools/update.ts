/**
 * Client-tools updates: ask the version endpoint for the cloud-stable version, install a version's
 * tsh and tctl through the artifact module, and record cloud-stable-version once it is installed.
 */
import { ToolsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';
import { parseVersionBody } from '../version.js';
import { archiveName } from '../artifacts/release.js';
import type { InstallResult } from '../artifacts/install.js';
import type { Settings } from '../settings.js';
import type { ToolsContext } from './context.js';
import { TOOLS, isInstalled, pruneVersions, versionDir } from './cache.js';
import { readVersionFile, writeVersionFile } from './version-file.js';
import { checkPrivate } from './safety.js';

/** RFD 0144: 10 s, a tiny body. */
export const VERSION_TIMEOUT_MS = 10_000;
export const VERSION_MAX_BYTES = 256;

export type SelectedSource = 'TELEPORT_TOOLS_VERSION' | 'cloud-stable-version' | 'none';

export interface Selection {
  version: string | undefined;
  source: SelectedSource;
}

/** The version the launchers run: a pin from the environment, else cloud-stable-version. */
export async function selectVersion(settings: Settings): Promise<Selection> {
  if (settings.pin.kind === 'version') return { version: settings.pin.version, source: 'TELEPORT_TOOLS_VERSION' };
  const recorded = await readVersionFile(settings.versionFile);
  return recorded ? { version: recorded, source: 'cloud-stable-version' } : { version: undefined, source: 'none' };
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

export interface InstallToolsOptions {
  /** Record the version in cloud-stable-version once installed. */
  record: boolean;
  /** The installed version is damaged: install it again unless, under the lock, it checks out. */
  repair?: boolean;
}

/** Installs tsh and tctl of `version` (if missing), then records and prunes under the same lock. */
export async function installTools(ctx: ToolsContext, version: string, opts: InstallToolsOptions): Promise<InstallResult> {
  requireNetwork(ctx);
  const { settings, reporter } = ctx;
  if (settings.platform instanceof ToolsError) throw settings.platform;
  await checkPrivate(settings.cacheDir, 'cache directory');
  let started = false;
  let recorded = false;
  const release = { version, edition: settings.config.edition, platform: settings.platform };
  // Loaded on demand: the archive, digest and lock modules cost ~45 ms to load, and most launcher
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
    whileLocked: async () => {
      if (started) reporter.downloadEnd(true);
      started = false;
      const keep = [version];
      if (opts.record) {
        await writeVersionFile(settings.versionFile, version);
        recorded = true;
        checkpoint('version-file-written');
      } else {
        const recorded = await readVersionFile(settings.versionFile);
        if (recorded) keep.push(recorded);
      }
      if (settings.pin.kind === 'version') keep.push(settings.pin.version);
      await pruneVersions(settings.cacheDir, keep);
      checkpoint('old-versions-removed');
    },
  }).catch((err: unknown) => {
    if (started) reporter.downloadEnd(false);
    throw err;
  });
  if (opts.record && !recorded) {
    // Another process installed it while we waited without the lock: the record is still ours to make.
    await writeVersionFile(settings.versionFile, version);
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
  if (version === recorded && (await isInstalled(settings.cacheDir, version))) return false;
  reporter.info(why === 'detected' ? `New cloud-stable version of Teleport detected: v${version}` : `Installing Teleport client tools v${version}...`);
  await installTools(ctx, version, { record: true });
  reporter.info(`Updated tsh/tctl to version v${version}!`);
  return true;
}
