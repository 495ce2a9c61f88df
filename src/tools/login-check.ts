/**
 * The login check (docs/behaviour.md items 12 and 13): on `tsh login` (and `teleport-tools update --proxy`),
 * ask the proxy which client-tools version its cluster wants, at the same time as the cloud-stable
 * endpoint for a Cloud proxy, and record the answer for that profile. Never throws for network
 * reasons: the login runs whatever happens here.
 */
import { describeError, isToolsError } from '../errors.js';
import type { ToolsContext } from './context.js';
import { fetchFind, findUrl } from './find.js';
import type { FindAnswer } from './find.js';
import { readRecord, removeRecord } from './cluster-versions.js';
import { buildNeed, isInstalledFor } from './edition.js';
import type { BuildNeed } from './edition.js';
import { adoptVersion, fetchCloudStableVersion, installTools, selectVersion } from './update.js';
import { isCloudHost } from './proxy-address.js';
import { incompatibility, loginSteps } from './login-decision.js';

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

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));

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
  const url = findUrl(req.address);
  // Both at once: the login waits for the slower of the two, not for their sum.
  const found = settle(url ? fetchFind(ctx, url, req.insecure) : Promise.reject(new Error('no address')));
  const stable = cloud ? settle(fetchCloudStableVersion(ctx)) : undefined;
  const find = await found;
  const outcome: LoginCheckOutcome = find.ok ? { cluster: 'unmanaged' } : { cluster: 'no-answer', error: find.error };
  const steps = loginSteps(find.ok ? find.value : undefined, { cloud, followClusterVersion: settings.config.follow_cluster_version });
  try {
    if (steps.removeRecord && (await removeRecord(settings.home, req.profile))) outcome.cluster = 'record-removed';
    if (steps.clusterVersion !== undefined) {
      const need = buildNeed(settings, find.ok ? find.value.edition : undefined);
      outcome.cluster = (await adoptClusterVersion(ctx, req.profile, steps.clusterVersion, need, cloud)) ? 'recorded' : 'current';
      outcome.version = steps.clusterVersion;
    } else if (steps.cloudStable && stable) {
      const s = await stable;
      if (!s.ok) throw s.error;
      await adoptVersion(ctx, s.value, 'detected');
    }
  } catch (err) {
    warnFailed(ctx, err);
  }
  if (find.ok) await warnIfIncompatible(ctx, req, find.value);
  return outcome;
}

/** Item 13: one line when the version that will run for the profile is not one the cluster supports. */
async function warnIfIncompatible(ctx: ToolsContext, req: LoginCheckRequest, answer: FindAnswer): Promise<void> {
  if (!answer.serverVersion) return;
  const { version } = await selectVersion(ctx.settings, req.profile);
  if (!version) return;
  // Loaded here only, and only semver's parser (the whole package is slow to load on every login):
  // server versions carry pre-release tags (16.0.0-aa) that it understands.
  const { default: parse } = await import('semver/functions/parse.js');
  const server = parse(answer.serverVersion);
  const ours = parse(version);
  if (!server || !ours) return;
  const line = incompatibility({ tool: req.tool ?? 'tsh', version, ours, profile: req.profile, serverVersion: answer.serverVersion, server });
  if (line) ctx.reporter.warn(line);
}
