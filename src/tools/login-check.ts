/**
 * The login check (CONTRACT items 12 and 13): on `tsh login` (and `teleport-tools update --proxy`),
 * ask the proxy which client-tools version its cluster wants, at the same time as the cloud-stable
 * endpoint for a Cloud proxy, and record the answer for that profile. Never throws for network
 * reasons: the login runs whatever happens here.
 */
import { describeError, isToolsError } from '../errors.js';
import { isPlainVersion } from '../version.js';
import type { ToolsContext } from './context.js';
import { fetchFind, findUrl } from './find.js';
import type { FindAnswer } from './find.js';
import { readRecord, removeRecord } from './cluster-versions.js';
import { buildNeed, isInstalledFor } from './edition.js';
import type { BuildNeed } from './edition.js';
import { adoptVersion, fetchCloudStableVersion, installTools, selectVersion } from './update.js';
import { isCloudHost } from './proxy-address.js';

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

/** The version the cluster asks for, or undefined (managed updates off, and no follow_cluster_version). */
function wanted(ctx: ToolsContext, answer: FindAnswer): string | undefined {
  const au = answer.autoUpdate;
  if (au?.toolsAutoUpdate) return au.toolsVersion;
  if (ctx.settings.config.follow_cluster_version && answer.serverVersion && isPlainVersion(answer.serverVersion)) return answer.serverVersion;
  return undefined;
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
  try {
    if (find.ok) {
      const need = buildNeed(settings, find.value.edition);
      const target = wanted(ctx, find.value);
      const managedOff = !find.value.autoUpdate?.toolsAutoUpdate;
      // The cluster turned managed updates off (or never had them): its record goes.
      if (managedOff && (await removeRecord(settings.home, req.profile))) outcome.cluster = 'record-removed';
      if (target) {
        outcome.cluster = (await adoptClusterVersion(ctx, req.profile, target, need, cloud)) ? 'recorded' : 'current';
        outcome.version = target;
      } else if (stable) {
        const s = await stable;
        if (s.ok) await adoptVersion(ctx, s.value, 'detected');
        else throw s.error;
      }
    } else if (stable) {
      // No answer from the cluster (a network error, an old cluster's 404, a bad body): the record stays, and
      // a Cloud proxy falls back to the cloud-stable version. A self-hosted one says nothing: tsh reports an
      // unreachable proxy itself.
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

/**
 * Item 13: Teleport supports clients of the cluster's major version and the one before. One line
 * when the version that will run for the profile is ahead of that, or further behind.
 */
async function warnIfIncompatible(ctx: ToolsContext, req: LoginCheckRequest, answer: FindAnswer): Promise<void> {
  if (!answer.serverVersion) return;
  const { version } = await selectVersion(ctx.settings, req.profile);
  if (!version) return;
  // Loaded here only, and only semver's parser (the whole package costs ~45 ms of loading on every
  // login): server versions carry pre-release tags (16.0.0-aa) that it understands.
  const { default: parse } = await import('semver/functions/parse.js');
  const server = parse(answer.serverVersion);
  const ours = parse(version);
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
