/**
 * The login check (docs/behaviour.md items 12, 13 and 32): on `tsh login` (and `teleport-tools update
 * --proxy`), ask the proxy which client-tools version its cluster wants and record the answer for that
 * profile; only when the cluster names none does a Cloud proxy fall back to the cloud-stable endpoint.
 * Never throws for network reasons: the login runs whatever happens here.
 */
import { ToolsError, describeError, isToolsError } from '../errors.js';
import { releaseParts } from '../version.js';
import type { ToolsContext } from './context.js';
import { fetchFind, findUrl } from './find.js';
import type { FindAnswer } from './find.js';
import { readRecord, removeRecord } from './cluster-versions.js';
import { buildNeed, isInstalledFor } from './edition.js';
import type { BuildNeed } from './edition.js';
import { adoptVersion, fetchCloudStableVersion, installTools, selectVersion } from './update.js';
import { isCloudHost } from './proxy-address.js';
import { channelVerdict, incompatibility, loginSteps } from './login-decision.js';

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

export async function loginCheck(ctx: ToolsContext, req: LoginCheckRequest): Promise<LoginCheckOutcome> {
  const { settings } = ctx;
  const cloud = isCloudHost(req.profile, settings.config.cloud_proxy_suffixes);
  // The cluster first: version_url is asked only when the cluster names no version.
  const { answer, error } = await askCluster(ctx, req);
  const outcome: LoginCheckOutcome = answer ? { cluster: 'unmanaged' } : { cluster: 'no-answer', error };
  const steps = loginSteps(answer, { cloud, followClusterVersion: settings.config.follow_cluster_version });
  let refused = false;
  try {
    if (steps.removeRecord && (await removeRecord(settings.home, req.profile))) outcome.cluster = 'record-removed';
    if (steps.clusterVersion !== undefined) {
      const need = buildNeed(settings, answer?.edition);
      outcome.cluster = (await adoptClusterVersion(ctx, req.profile, steps.clusterVersion, need, cloud)) ? 'recorded' : 'current';
      outcome.version = steps.clusterVersion;
    } else if (steps.cloudStable) {
      refused = await adoptCloudChannel(ctx, req.profile, answer?.serverVersion ?? (await recordedVersion(ctx, req.profile)));
    }
  } catch (err) {
    warnFailed(ctx, err);
  }
  // A refused channel answer has said all there is to say in its one line.
  if (answer && !refused) await warnIfIncompatible(ctx, req, answer);
  return outcome;
}

/** The cluster's find answer, or why there is none (one attempt, like tsh). */
async function askCluster(ctx: ToolsContext, req: LoginCheckRequest): Promise<{ answer?: FindAnswer; error?: unknown }> {
  const url = findUrl(req.address);
  try {
    if (!url) throw new ToolsError('EUSAGE', `not a proxy address: ${JSON.stringify(req.address.slice(0, 80))}`);
    return { answer: await fetchFind(ctx, url, req.insecure) };
  } catch (error) {
    return { error };
  }
}

async function recordedVersion(ctx: ToolsContext, profile: string): Promise<string | undefined> {
  const record = await readRecord(ctx.settings.home, profile);
  return record.kind === 'ok' ? record.version : undefined;
}

/**
 * Adopts the cloud channel's answer unless it is too far behind what the cluster is known to run
 * (channelVerdict says why). Resolves true when it refused, having said so in one line.
 */
async function adoptCloudChannel(ctx: ToolsContext, profile: string, clusterVersion: string | undefined): Promise<boolean> {
  const offered = await fetchCloudStableVersion(ctx);
  const verdict = channelVerdict(offered, clusterVersion);
  if (verdict.adopt) {
    await adoptVersion(ctx, offered, 'detected');
    return false;
  }
  ctx.reporter.warn(
    `not adopting v${offered} from version_url: it is ${verdict.behind} major versions behind the cluster ${profile} (Teleport v${clusterVersion}); ` +
      `keeping the installed version (the cloud channel is frozen at an old release): ask the cluster's admins to enable managed updates ('tctl autoupdate client-tools enable'), or set TELEPORT_TOOLS_VERSION`,
  );
  return true;
}

/** Item 13: one line when the version that will run for the profile is not one the cluster supports. */
async function warnIfIncompatible(ctx: ToolsContext, req: LoginCheckRequest, answer: FindAnswer): Promise<void> {
  if (!answer.serverVersion) return;
  const { version } = await selectVersion(ctx.settings, req.profile);
  if (!version) return;
  // Server versions carry pre-release tags (16.0.0-aa).
  const server = releaseParts(answer.serverVersion);
  const ours = releaseParts(version);
  if (!server || !ours) return;
  const line = incompatibility({ tool: req.tool ?? 'tsh', version, ours, profile: req.profile, serverVersion: answer.serverVersion, server });
  if (line) ctx.reporter.warn(line);
}
