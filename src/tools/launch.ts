/**
 * The launcher's slow path: decide which binary a `tsh`/`tctl` invocation runs, installing or
 * refreshing first when that is called for. Every failure to update falls back (fail open) with one
 * warning; only "nothing to run at all" is an error.
 */
import { join } from 'node:path';
import { ToolsError, describeError, isToolsError } from '../errors.js';
import type { ToolsContext } from './context.js';
import { isInstalled, listInstalled, toolFile, versionDir } from './cache.js';
import { readManifest } from '../artifacts/manifest.js';
import { exeName } from '../artifacts/exe-name.js';
import type { Tool } from './cache.js';
import { fetchCloudStableVersion, installTools, selectVersion } from './update.js';
import type { Selection } from './update.js';
import { findOnPath } from './fallback.js';
import { checkPrivate } from './safety.js';
import { repairIfDamaged } from './repair.js';
import { parseTshArgs, proxyHost } from './tsh-args.js';
import { callProfile, proxyFlag, readQuietly } from './profile.js';
import { removeRecord } from './cluster-versions.js';

export interface LaunchRequest {
  tool: Tool;
  args: readonly string[];
  /** The launcher's own path, as started. */
  self: string;
}

export interface LaunchPlan {
  binary: string;
  /** tsh's subcommand, when it matters to the caller (login/logout hooks). */
  subcommand: string | undefined;
  /** login: the proxy logged in to; logout: the one logged out of (undefined: all of them). */
  proxyHost: string | undefined;
}

/** The proxy a `tsh login` talks to: --proxy, else TELEPORT_PROXY, else the current profile. */
function loginProxy(ctx: ToolsContext, flag: string | undefined, currentProfile: string | undefined): string | undefined {
  const raw = flag ?? ctx.settings.env.TELEPORT_PROXY;
  if (raw) return proxyHost(raw);
  return proxyHost((currentProfile ?? '').trim());
}

async function binaryOf(ctx: ToolsContext, version: string, tool: Tool): Promise<string> {
  const dir = versionDir(ctx.settings.cacheDir, version);
  await checkPrivate(ctx.settings.cacheDir, 'cache directory');
  await checkPrivate(dir, 'version directory');
  const bin = join(dir, exeName(tool));
  // An app bundle's `tsh` is a link into `tsh.app`: the file it leads to is the one that must be private.
  const bundled = (await readManifest(dir))?.bundles?.[tool] !== undefined;
  const real = bundled ? await toolFile(dir, tool) : bin;
  if (!real) throw new ToolsError('EUNSAFE', `${bin} does not lead to a file inside ${dir}; remove ${dir} and the next run installs v${version} again`);
  await checkPrivate(real, tool);
  return bin;
}

/**
 * `tsh login`: the login check (item 12) against the proxy logged in to. Its module (and the find
 * request's) load only here: ordinary slow-path runs do not pay for them.
 */
async function checkOnLogin(ctx: ToolsContext, args: readonly string[], profile: string): Promise<void> {
  const { settings } = ctx;
  const { profileProxyAddress } = await import('./find.js');
  const { loginCheck } = await import('./login-check.js');
  const address = proxyFlag(args) || settings.env.TELEPORT_PROXY || (await profileProxyAddress(settings.home, profile));
  const end = args.indexOf('--');
  const insecure = (end === -1 ? args : args.slice(0, end)).includes('--insecure');
  await loginCheck(ctx, { address, profile, insecure, tool: 'tsh' });
}

/** A profile record the launchers may not use (a link, empty, garbage): removed, with one warning. */
async function repairRecord(ctx: ToolsContext, selection: Selection): Promise<void> {
  const { badRecord, profile } = selection;
  if (!badRecord || !profile) return;
  const removed = await removeRecord(ctx.settings.home, profile).catch(() => false);
  ctx.reporter.warn(`${removed ? 'removed' : 'ignoring'} ${badRecord.file}: it ${badRecord.why} (the next 'tsh login --proxy=${profile}' records the cluster's version again)`);
}

/**
 * First run, or the selected version is missing: fetch (if needed) and install it. On failure, says
 * nothing yet and returns why: the caller adds what runs instead, so the user gets one warning line.
 */
async function installSelected(ctx: ToolsContext, version: string | undefined, recordedForProfile: boolean): Promise<{ version?: string; failure?: string }> {
  const { settings, reporter } = ctx;
  try {
    const pinned = settings.pin.kind === 'version';
    const target = version ?? (await fetchCloudStableVersion(ctx));
    reporter.info(`Installing Teleport client tools v${target}${pinned ? ' (TELEPORT_TOOLS_VERSION)' : ''}...`);
    // A profile's record already names its version; only cloud-stable-version is written here.
    await installTools(ctx, target, { record: !pinned && !recordedForProfile });
    reporter.info(`Installed tsh/tctl v${target}.`);
    return { version: target };
  } catch (err) {
    if (isToolsError(err, 'ECANCELLED')) return { failure: 'install cancelled' };
    return { failure: `could not install ${version ? `v${version}` : 'the cloud-stable version'}: ${describeError(err)}` };
  }
}

export async function planLaunch(ctx: ToolsContext, req: LaunchRequest): Promise<LaunchPlan> {
  const { settings, reporter } = ctx;
  const cmd = req.tool === 'tsh' ? parseTshArgs(req.args) : { subcommand: undefined, proxy: undefined };
  const isLogin = cmd.subcommand === 'login';
  // `tsh logout` without --proxy (or TELEPORT_PROXY) logs out of every profile: no host then.
  const logoutProxy = cmd.proxy ?? settings.env.TELEPORT_PROXY;
  // Read once: both the login's proxy and the call's profile may come from it.
  const currentProfile = readQuietly(settings.currentProfileFile);
  const host = isLogin ? loginProxy(ctx, cmd.proxy, currentProfile) : cmd.subcommand === 'logout' && logoutProxy ? proxyHost(logoutProxy) : undefined;
  const network = ctx.network.allowed;
  const profile = callProfile({ tool: req.tool, args: req.args, envProxy: settings.env.TELEPORT_PROXY, currentProfile });
  // Before any request: a cache others could write is neither installed into nor run from, and
  // saying so once beats a warning about the update followed by the same refusal.
  await checkPrivate(settings.cacheDir, 'cache directory');

  if (settings.pin.kind === 'invalid') {
    reporter.warn(`ignoring TELEPORT_TOOLS_VERSION=${JSON.stringify(settings.pin.raw.slice(0, 40))}: use off or a version X.Y.Z`);
  }
  if (settings.configError) reporter.warn(`${describeError(settings.configError)}; automatic updates are off until it is fixed`);

  if (isLogin && network && settings.pin.kind !== 'version' && profile) {
    await checkOnLogin(ctx, req.args, profile);
  }

  const selection = await selectVersion(settings, profile);
  await repairRecord(ctx, selection);
  let { version } = selection;
  let failure: string | undefined;
  if (!(version && (await isInstalled(settings.cacheDir, version, req.tool))) && network) {
    const attempt = await installSelected(ctx, version, selection.source === 'cluster-versions');
    version = attempt.version ?? version;
    failure = attempt.failure;
  }
  let chosen = version && (await isInstalled(settings.cacheDir, version, req.tool)) ? version : undefined;
  if (!chosen) {
    for (const v of await listInstalled(settings.cacheDir)) {
      if (await isInstalled(settings.cacheDir, v.version, req.tool)) {
        chosen = v.version;
        break;
      }
    }
    const why = failure ?? (version ? `v${version} is not installed` : undefined);
    if (chosen && why) reporter.warn(`${why}; running the newest installed version, v${chosen}`);
  }
  if (chosen) {
    const damaged = await repairIfDamaged(ctx, chosen, req.tool);
    if (damaged === undefined) return { binary: await binaryOf(ctx, chosen, req.tool), subcommand: cmd.subcommand, proxyHost: host };
    for (const v of await listInstalled(settings.cacheDir)) {
      if (v.version !== chosen && (await isInstalled(settings.cacheDir, v.version, req.tool)) && (await repairIfDamaged({ ...ctx, network: { allowed: false, reason: '' } }, v.version, req.tool)) === undefined) {
        reporter.warn(`${damaged}; running v${v.version}`);
        return { binary: await binaryOf(ctx, v.version, req.tool), subcommand: cmd.subcommand, proxyHost: host };
      }
    }
    failure = damaged;
  }
  if (ctx.signal?.aborted) throw new ToolsError('ECANCELLED', 'cancelled, and no version is installed');
  const onPath = await findOnPath(req.tool, settings.env.PATH, req.self);
  if (onPath) {
    reporter.warn(`${failure ? `${failure}; ` : ''}no Teleport client tools installed by teleport-tools; running ${onPath}`);
    return { binary: onPath, subcommand: cmd.subcommand, proxyHost: host };
  }
  if (failure) reporter.warn(failure);
  const fix = network
    ? `check your network or proxy settings (HTTPS_PROXY, NODE_EXTRA_CA_CERTS) and run 'teleport-tools update'`
    : `automatic updates are off (${settings.autoUpdates.reason}); install a version with 'teleport-tools update'${settings.pin.kind === 'off' ? ' (without TELEPORT_TOOLS_VERSION=off)' : ''}`;
  throw new ToolsError('ENOTOOL', `no ${req.tool} to run: none is installed in ${settings.cacheDir} and none is on PATH; ${fix}`);
}
