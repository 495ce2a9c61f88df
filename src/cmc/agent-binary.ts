/**
 * Step 2, "Downloading the agent": the `teleport` binary of the client-tools version's release
 * archive, installed by the artifact module (locked, verified against the `.sha256`, atomic) into
 * `<Connect cache>/teleport/`. Reused only while it is still the file we verified: same version in the
 * manifest, same SHA-256 now as then, and `teleport version --raw` answering that version.
 */
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { binaryEnv } from '../binary-env.js';
import { ToolsError } from '../errors.js';
import type { HttpClient } from '../http.js';
import type { Settings } from '../settings.js';
import type { Reporter } from '../ui/reporter.js';
import { installRelease, matchingManifest } from '../artifacts/install.js';
import { releaseFor } from '../tools/edition.js';
import { manifestFileFor, readManifest } from '../artifacts/manifest.js';
import { sha256Of } from '../artifacts/verify.js';
import type { ReleaseRef } from '../artifacts/release.js';
import { unsafeLine, unsafeReason } from '../trust.js';
import { execCommand } from './exec.js';
import { agentBinary, agentBinaryDir } from './paths.js';

const BINARIES = ['teleport'] as const;

export interface AgentBinary {
  path: string;
  version: string;
  downloaded: boolean;
}

export type AgentBinaryState =
  | { ok: true; version: string }
  /** `unsafe`: a directory or the binary could have been written by another user: never run it. */
  | { ok: false; reason: string; unsafe?: boolean };

/** What `teleport version --raw` answers, or undefined when it does not run. */
export async function agentVersion(binary: string, env: Settings['env']): Promise<string | undefined> {
  try {
    const result = await execCommand(binary, ['version', '--raw'], { env: binaryEnv(env), timeoutMs: 15_000 });
    return result.code === 0 ? result.stdout.trim().replace(/^v/, '') : undefined;
  } catch {
    return undefined;
  }
}

/** The one line when the Connect cache, `teleport/` or the agent binary could have been written by another user. */
function untrustedAgentPath(settings: Settings): string | undefined {
  const paths: [string, string][] = [
    [settings.connect.cache, 'agent cache directory'],
    [agentBinaryDir(settings.connect), 'agent directory'],
    [agentBinary(settings.connect), 'agent binary'],
  ];
  for (const [path, what] of paths) {
    const unsafe = unsafeReason(path);
    if (unsafe) return unsafeLine(path, what, unsafe);
  }
  return undefined;
}

function release(settings: Settings, version: string): ReleaseRef {
  if (settings.platform instanceof ToolsError) throw settings.platform;
  return releaseFor({ ...settings, platform: settings.platform }, version);
}

/** The check, and whether the directory holds `version` by its manifest (so a failure means its bytes changed). */
async function inspectAgentBinary(settings: Settings, version: string): Promise<{ state: AgentBinaryState; published: boolean }> {
  const dir = agentBinaryDir(settings.connect);
  const untrusted = untrustedAgentPath(settings);
  if (untrusted) return { state: { ok: false, reason: untrusted, unsafe: true }, published: false };
  const manifest = await matchingManifest(dir, release(settings, version), BINARIES);
  if (!manifest) {
    const other = await readManifest(dir);
    return { state: { ok: false, reason: other ? `the agent in ${dir} is v${other.version}, not v${version}` : `no agent in ${dir}` }, published: false };
  }
  const binary = agentBinary(settings.connect);
  // `teleport` is a bare binary in every layout, macOS app-bundle archives included.
  const expected = manifestFileFor(manifest, 'teleport')?.sha256;
  const actual = await sha256Of(binary);
  if (!expected || actual !== expected) return { state: { ok: false, reason: `${binary} changed since it was verified` }, published: true };
  const answered = await agentVersion(binary, settings.env);
  if (answered !== version) return { state: { ok: false, reason: `${binary} answers version ${answered ?? '(nothing)'}, not ${version}` }, published: true };
  return { state: { ok: true, version }, published: true };
}

/** Is the installed agent binary the verified one for `version`? */
export async function checkAgentBinary(settings: Settings, version: string): Promise<AgentBinaryState> {
  return (await inspectAgentBinary(settings, version)).state;
}

export interface EnsureOptions {
  settings: Settings;
  http: () => HttpClient;
  version: string;
  reporter: Reporter;
  signal?: AbortSignal | undefined;
}

/** The verified agent for `version`, downloading it when needed (never with TELEPORT_TOOLS_VERSION=off). */
export async function ensureAgentBinary(opts: EnsureOptions): Promise<AgentBinary> {
  const { settings, version, reporter } = opts;
  const path = agentBinary(settings.connect);
  const { state, published } = await inspectAgentBinary(settings, version);
  if (state.ok) return { path, version, downloaded: false };
  if (state.unsafe) throw new ToolsError('EUNSAFE', state.reason);
  if (settings.pin.kind === 'off') {
    throw new ToolsError('EOFFLINE', `${state.reason}, and TELEPORT_TOOLS_VERSION=off forbids downloading it`);
  }

  const dir = agentBinaryDir(settings.connect);
  if (published) {
    // The right version by its manifest, but not the bytes we verified: move it aside so it is fetched again.
    const trash = join(dirname(dir), `.trash-${basename(dir)}-${process.pid}`);
    await rename(dir, trash).catch(() => undefined);
    await rm(trash, { recursive: true, force: true });
  }
  let started = false;
  const result = await installRelease({
    http: opts.http(),
    cdnBaseUrl: settings.cdnBaseUrl.value,
    release: release(settings, version),
    binaries: BINARIES,
    cacheDir: settings.connect.cache,
    target: dir,
    signal: opts.signal,
    onWait: () => reporter.info('Another process is downloading the agent; waiting for it...'),
    onStart: (total) => {
      started = true;
      reporter.downloadStart(`teleport v${version}`, total);
    },
    onProgress: (p) => reporter.downloadProgress(p),
  }).then(
    (r) => {
      if (started) reporter.downloadEnd(true);
      return r;
    },
    (err: unknown) => {
      if (started) reporter.downloadEnd(false);
      throw err;
    },
  );
  const untrusted = untrustedAgentPath(settings);
  if (untrusted) throw new ToolsError('EUNSAFE', untrusted);
  const answered = await agentVersion(path, settings.env);
  if (answered !== version) {
    throw new ToolsError('ECMC', `the downloaded agent ${path} answers version ${answered ?? '(nothing)'} instead of ${version}`);
  }
  return { path, version, downloaded: result.downloaded };
}
