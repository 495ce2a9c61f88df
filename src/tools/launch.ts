/**
 * The launcher's slow path: decide which binary a `tsh`/`tctl` invocation runs, installing or
 * refreshing first when that is called for. Every failure to update falls back (fail open) with one
 * warning; only "nothing to run at all" is an error. The decisions themselves are launch-decision.ts.
 */
import { ToolsError, describeError, isToolsError } from '../errors.js';
import type { ToolsContext } from './context.js';
import { installedWith, isInstalled } from './cache.js';
import type { Tool } from './cache.js';
import { fetchCloudStableVersion, installTools, selectVersion } from './update.js';
import type { Selection } from './update.js';
import { findOnPath } from './fallback.js';
import { checkPrivate, trustedTool } from './safety.js';
import { repairIfDamaged } from './repair.js';
import { readCall } from './profile.js';
import type { Call } from './profile.js';
import { readQuietly } from './record-line.js';
import { removeRecord } from './cluster-versions.js';
import { afterDamage, chooseVersion, hookHost, lastResort, shouldInstall } from './launch-decision.js';

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
  /** login: the profile logged in to; logout: the host logged out of (undefined: all of them). Case as given. */
  proxyHost: string | undefined;
}

async function binaryOf(ctx: ToolsContext, version: string, tool: Tool): Promise<string> {
  return trustedTool(ctx.settings.cacheDir, version, tool);
}

/**
 * `tsh login`: the login check (item 12) against the proxy logged in to. Its module (and the find
 * request's) load only here: ordinary slow-path runs do not pay for them.
 */
async function checkOnLogin(ctx: ToolsContext, call: Call, profile: string): Promise<void> {
  const { profileProxyAddress } = await import('./find.js');
  const { loginCheck } = await import('./login-check.js');
  const address = call.namedProxy ?? (await profileProxyAddress(ctx.settings.home, profile));
  await loginCheck(ctx, { address, profile, insecure: call.insecure, tool: 'tsh' });
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

function warnAboutSettings(ctx: ToolsContext): void {
  const { settings, reporter } = ctx;
  if (settings.pin.kind === 'invalid') {
    reporter.warn(`ignoring TELEPORT_TOOLS_VERSION=${JSON.stringify(settings.pin.raw.slice(0, 40))}: use off or a version X.Y.Z`);
  }
  if (settings.configError) reporter.warn(`${describeError(settings.configError)}; automatic updates are off until it is fixed`);
}

/** The selected version, installed first when it is missing and requests are allowed. */
async function installIfMissing(ctx: ToolsContext, selection: Selection, tool: Tool): Promise<{ version: string | undefined; failure: string | undefined }> {
  const { version } = selection;
  const there = version !== undefined && (await isInstalled(ctx.settings.cacheDir, version, tool));
  if (!shouldInstall(there, ctx.network.allowed)) return { version, failure: undefined };
  const attempt = await installSelected(ctx, version, selection.source === 'cluster-versions');
  return { version: attempt.version ?? version, failure: attempt.failure };
}

/** `version`'s binary, or (damaged beyond repair) the first of `fallbacks` that checks out; else why not. */
async function runnable(ctx: ToolsContext, version: string, fallbacks: readonly string[], tool: Tool): Promise<{ binary?: string; failure?: string }> {
  const damaged = await repairIfDamaged(ctx, version, tool);
  if (damaged === undefined) return { binary: await binaryOf(ctx, version, tool) };
  // The others are only checked, never installed again: one repair attempt per run.
  const offline = { ...ctx, network: { allowed: false, reason: '' } };
  let fallback: string | undefined;
  for (const v of fallbacks) {
    if ((await repairIfDamaged(offline, v, tool)) === undefined) {
      fallback = v;
      break;
    }
  }
  const next = afterDamage(damaged, fallback);
  if (next.version === undefined) return { failure: next.failure };
  ctx.reporter.warn(next.warning);
  return { binary: await binaryOf(ctx, next.version, tool) };
}

/** What runs: the selected version, else another installed one, else the tool on PATH. */
async function chooseBinary(ctx: ToolsContext, req: LaunchRequest, profile: string | undefined): Promise<string> {
  const { settings, reporter } = ctx;
  const selection = await selectVersion(settings, profile);
  await repairRecord(ctx, selection);
  const { version, failure } = await installIfMissing(ctx, selection, req.tool);
  const choice = chooseVersion({ selected: version, installed: await installedWith(settings.cacheDir, req.tool), failure });
  let why = choice.version === undefined ? choice.failure : undefined;
  if (choice.version !== undefined) {
    if (choice.warning) reporter.warn(choice.warning);
    const ran = await runnable(ctx, choice.version, choice.fallbacks, req.tool);
    if (ran.binary) return ran.binary;
    why = ran.failure;
  }
  if (ctx.signal?.aborted) throw new ToolsError('ECANCELLED', 'cancelled, and no version is installed');
  const last = lastResort({
    tool: req.tool,
    failure: why,
    onPath: await findOnPath(req.tool, settings.env.PATH, req.self),
    networkAllowed: ctx.network.allowed,
    cacheDir: settings.cacheDir,
    updatesOffReason: settings.autoUpdates.reason,
    pinnedOff: settings.pin.kind === 'off',
  });
  if (last.warning) reporter.warn(last.warning);
  if (last.binary === undefined) throw new ToolsError('ENOTOOL', last.error);
  return last.binary;
}

export async function planLaunch(ctx: ToolsContext, req: LaunchRequest): Promise<LaunchPlan> {
  const { settings } = ctx;
  const currentProfile = readQuietly(settings.currentProfileFile);
  const call = readCall({ tool: req.tool, args: req.args, envProxy: settings.env.TELEPORT_PROXY, currentProfile });
  // Before any request: a cache others could write is neither installed into nor run from, and
  // saying so once beats a warning about the update followed by the same refusal.
  checkPrivate(settings.cacheDir, 'cache directory');
  warnAboutSettings(ctx);
  if (call.subcommand === 'login' && ctx.network.allowed && settings.pin.kind !== 'version' && call.profile) {
    await checkOnLogin(ctx, call, call.profile);
  }
  const binary = await chooseBinary(ctx, req, call.profile);
  return { binary, subcommand: call.subcommand, proxyHost: hookHost(call) };
}
