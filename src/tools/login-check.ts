/**
 * The login check (CONTRACT items 12 and 13): on `tsh login` (and `teleport-tools update --proxy`),
 * ask the proxy which client-tools version its cluster wants and record the answer for that profile;
 * only when the cluster names none does a Cloud proxy fall back to the cloud-stable endpoint. Never throws for network
 * reasons: the login runs whatever happens here.
 */
import { ToolsError, describeError, isToolsError } from '../errors.js';
import { isPlainVersion, releaseParts } from '../version.js';
import type { ToolsContext } from './context.js';
import { fetchFind, findUrl } from './find.js';
import type { FindAnswer } from './find.js';
import { readRecord, removeRecord } from './cluster-versions.js';
import { buildNeed, isInstalledFor } from './edition.js';
import type { BuildNeed } from './edition.js';
import { adoptVersion, fetchCloudStableVersion, installTools, selectVersion } from './update.js';
import { isCloudHost } from './tsh-args.js';

export interface LoginCheckRequest {
  /** The proxy address as given (`host`, `host:port`, a URL). */
  address: string;
  /** Its profile name (a plain host name). */
  profile: string;
  /** `--insecure` among tsh's arguments. */
  insecure: boolean;
  /** The tool that will run, for the compatibility warning. */
  tool?: string;
}

export interface LoginCheckOutcome {
  /** What the cluster said: a version it wants, managed updates off/absent, or no usable answer. */
  cluster: 'recorded' | 'current' | 'record-removed' | 'unmanaged' | 'no-answer';
  /** The version now recorded for the profile, when there is one. */
  version?: string | undefined;
  /** Why there was no usable answer. */
  error?: unknown;
}

function warnFailed(ctx: ToolsContext, err: unknown): void {
  if (isToolsError(err, 'ECANCELLED')) ctx.reporter.warn('update cancelled; using the installed version');
  else ctx.reporter.warn(`could not update tsh/tctl: ${describeError(err)}; using the installed version`);
}

/**
 * Makes `version` the profile's recorded version, installing it first if needed (in the build the
 * cluster needs). Resolves false, saying nothing, when the record already names it.
 */
export async function adoptClusterVersion(ctx: ToolsContext, profile: string, version: string, need: BuildNeed, cloud: boolean): Promise<boolean> {
  const { settings, reporter } = ctx;
  const record = await readRecord(settings.home, profile);
  if (record.kind === 'ok' && record.version === version && (await isInstalledFor(settings, version, need))) return false;
  reporter.info(`New client tools version for ${profile} detected: v${version}`);
  await installTools(ctx, version, { record: cloud, profile, need });
  reporter.info(`Updated tsh/tctl to version v${version}!`);
  return true;
}

/** The version the cluster asks for, or undefined (managed updates off, and no follow_cluster_version). */
function wanted(ctx: ToolsContext, answer: FindAnswer): string | undefined {
  const au = answer.autoUpdate;
  if (au?.toolsAutoUpdate) return au.toolsVersion;
  if (ctx.settings.config.follow_cluster_version && answer.serverVersion && isPlainVersion(answer.serverVersion)) return answer.serverVersion;
  return undefined;
}

export async function loginCheck(ctx: ToolsContext, req: LoginCheckRequest): Promise<LoginCheckOutcome> {
  const { settings } = ctx;
  const cloud = isCloudHost(req.profile.toLowerCase(), settings.config.cloud_proxy_suffixes);
  const url = findUrl(req.address);
  // The cluster first (docs/behaviour.md item 32): version_url only when the cluster names no version.
  let answer: FindAnswer | undefined;
  const outcome: LoginCheckOutcome = { cluster: 'no-answer' };
  try {
    if (!url) throw new ToolsError('EUSAGE', `not a proxy address: ${JSON.stringify(req.address.slice(0, 80))}`);
    answer = await fetchFind(ctx, url, req.insecure);
    outcome.cluster = 'unmanaged';
  } catch (err) {
    outcome.error = err;
  }
  let guarded = false;
  try {
    if (answer) {
      const need = buildNeed(settings, answer.edition);
      const target = wanted(ctx, answer);
      // The cluster turned managed updates off (or never had them): its record goes.
      if (!answer.autoUpdate?.toolsAutoUpdate && (await removeRecord(settings.home, req.profile))) outcome.cluster = 'record-removed';
      if (target) {
        outcome.cluster = (await adoptClusterVersion(ctx, req.profile, target, need, cloud)) ? 'recorded' : 'current';
        outcome.version = target;
        return outcome;
      }
    }
    // No version from the cluster (managed updates off, a cluster older than v17, no answer at all): a
    // Cloud proxy falls back to the cloud channel; a self-hosted one says nothing more (tsh itself
    // reports an unreachable proxy).
    if (cloud) guarded = await adoptCloudChannel(ctx, req.profile, answer?.serverVersion ?? (await recordedVersion(ctx, req.profile)));
  } catch (err) {
    warnFailed(ctx, err);
  } finally {
    if (answer && !guarded) await warnIfIncompatible(ctx, req, answer);
  }
  return outcome;
}

async function recordedVersion(ctx: ToolsContext, profile: string): Promise<string | undefined> {
  const record = await readRecord(ctx.settings.home, profile);
  return record.kind === 'ok' ? record.version : undefined;
}

/**
 * The cloud channel's answer is adopted unless it is more than one major version behind what the
 * cluster is known to run: the global channel is frozen at the oldest version any Cloud tenant runs,
 * and following it could move the user several majors back, onto a tsh that cannot talk to the
 * cluster. Resolves true when it refused (and said so in one line).
 */
async function adoptCloudChannel(ctx: ToolsContext, profile: string, clusterVersion: string | undefined): Promise<boolean> {
  const offered = await fetchCloudStableVersion(ctx);
  const cluster = clusterVersion === undefined ? undefined : releaseParts(clusterVersion);
  const behind = cluster ? cluster.major - (releaseParts(offered)?.major ?? cluster.major) : 0;
  if (behind > 1) {
    ctx.reporter.warn(
      `not adopting v${offered} from version_url: it is ${behind} major versions behind the cluster ${profile} (Teleport v${clusterVersion}); ` +
        `keeping the installed version (the cloud channel is frozen at an old release): ask the cluster's admins to enable managed updates ('tctl autoupdate client-tools enable'), or set TELEPORT_TOOLS_VERSION`,
    );
    return true;
  }
  await adoptVersion(ctx, offered, 'detected');
  return false;
}

/**
 * Item 13: Teleport supports clients of the cluster's major version and the one before. One line
 * when the version that will run for the profile is ahead of that, or further behind.
 */
async function warnIfIncompatible(ctx: ToolsContext, req: LoginCheckRequest, answer: FindAnswer): Promise<void> {
  if (!answer.serverVersion) return;
  const { version } = await selectVersion(ctx.settings, req.profile);
  if (!version) return;
  // Server versions carry pre-release tags (16.0.0-aa).
  const server = releaseParts(answer.serverVersion);
  const ours = releaseParts(version);
  if (!server || !ours) return;
  const diff = ours.major - server.major;
  if (diff <= 0 && diff >= -1) return;
  const tool = req.tool ?? 'tsh';
  const plain = `${server.major}.${server.minor}.${server.patch}`;
  const where = diff > 0 ? `${diff} major version${diff > 1 ? 's' : ''} ahead of` : `${-diff} major versions behind`;
  ctx.reporter.warn(
    `${tool} v${version} is ${where} the cluster ${req.profile} (Teleport v${answer.serverVersion}), which supports clients of v${server.major} and v${server.major - 1}: ` +
      `use a matching version with TELEPORT_TOOLS_VERSION=${plain}, or ask the cluster's admins to enable managed updates ('tctl autoupdate client-tools enable')`,
  );
}
