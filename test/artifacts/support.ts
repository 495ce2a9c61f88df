// What the artifact and HTTP tests share: HTTP options that trust the test CA, temp directories that
// clean up after themselves, a release served by a fake CDN, one-call installs, and the install driver
// run as a real process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isToolsError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import { createHttpClient } from '../../src/http.js';
import type { HttpClient, HttpOptions } from '../../src/http.js';
import { installRelease } from '../../src/artifacts/install.js';
import type { InstallRequest, InstallResult } from '../../src/artifacts/install.js';
import { detectPlatform } from '../../src/artifacts/release.js';
import type { Edition, ReleaseRef } from '../../src/artifacts/release.js';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { ESCAPE_PATHS } from '../helpers/hostile-archives.js';
import type { DriverEvent, DriverRequest, InstallOutcome } from '../helpers/install-driver.js';
import { buildRelease } from '../helpers/release.js';
import type { BuildReleaseOptions, BuiltRelease } from '../helpers/release.js';
import { SYSTEM_PATH } from '../helpers/sandbox.js';
import { tlsPaths, tlsPems } from '../helpers/tls.js';

export const PLATFORM = detectPlatform();
export const DRIVER = fileURLToPath(new URL('../helpers/install-driver.js', import.meta.url));

/** Generous limits (a loaded CI machine), the test CA trusted, quick backoff. */
export function testHttpOptions(overrides: Partial<HttpOptions> = {}): HttpOptions {
  return {
    proxy: {},
    connectTimeoutMs: 10_000,
    idleTimeoutMs: 20_000,
    attempts: 3,
    backoffMs: 5,
    maxRetryAfterMs: 5_000,
    userAgent: 'teleport-tools-test',
    ca: [tlsPems.ca],
    ...overrides,
  };
}

/** A client closed by the test's `after` hook. */
export function testClient(t: TestContext, overrides: Partial<HttpOptions> = {}): HttpClient {
  const http = createHttpClient(testHttpOptions(overrides));
  t.after(() => http.close());
  return http;
}

export type TestContext = { after(fn: () => unknown): void };

export async function tempDir(t: TestContext, prefix = 'tt-artifacts-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** `<temp>/cache`, not yet created, alone in its temp directory (so escapes beside it show). */
export async function freshCache(t: TestContext, prefix?: string): Promise<string> {
  return join(await tempDir(t, prefix), 'cache');
}

/** For assert.rejects/throws: a ToolsError with this code and this message (exact, or matching). */
export function rejectsWith(code: ErrorCode, message: string | RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isToolsError(err), `expected a ToolsError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };
}

export function releaseRef(version: string, edition: Edition = 'oss'): ReleaseRef {
  return { version, edition, platform: PLATFORM };
}

/** Builds a release into `dir` and serves it from `cdn`. */
export async function serveRelease(cdn: CdnServer, dir: string, options: Omit<BuildReleaseOptions, 'dir'>): Promise<BuiltRelease> {
  const built = await buildRelease({ dir, ...options });
  cdn.serveRelease(built);
  return built;
}

export interface FileCdn {
  cdn: CdnServer;
  /** Where the file's releases are built. */
  releases: string;
}

/**
 * One HTTPS CDN and one release directory for a whole test file: started by before(), which then runs
 * `setup` (build and serve the file's releases), and removed by after().
 */
export function cdnForFile(setup: (shared: FileCdn) => Promise<void>): FileCdn {
  const shared = {} as FileCdn;
  before(async () => {
    shared.cdn = await startCdn();
    shared.releases = await mkdtemp(join(tmpdir(), 'tt-release-'));
    await setup(shared);
  });
  after(async () => {
    await shared.cdn.close();
    await rm(shared.releases, { recursive: true, force: true });
  });
  return shared;
}

export type InstallOptions = Partial<InstallRequest> & Pick<InstallRequest, 'http' | 'cacheDir'> & { version: string };

/** installRelease() of tsh and tctl into `<cacheDir>/<version>`, from `cdn`. */
export function install(cdn: CdnServer, opts: InstallOptions): Promise<InstallResult> {
  const { version, ...rest } = opts;
  return installRelease({
    cdnBaseUrl: cdn.url,
    release: releaseRef(version),
    binaries: ['tsh', 'tctl'],
    target: join(opts.cacheDir, version),
    ...rest,
  });
}

export async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

/**
 * After a failed install: the cache holds exactly `expected` (no version directory, no `.staging-*`, no
 * `.lock`), and nothing escaped next to it or to the absolute path of the hostile catalogue.
 */
export async function assertNothingLeft(cacheDir: string, expected: string[] = []): Promise<void> {
  assert.deepEqual(await entries(cacheDir), expected.sort(), `${cacheDir} should hold only ${JSON.stringify(expected)}`);
  assert.deepEqual(await entries(dirname(cacheDir)), [cacheDir.slice(dirname(cacheDir).length + 1)], 'nothing written beside the cache');
  assert.equal(await exists(ESCAPE_PATHS.absolute), false, `${ESCAPE_PATHS.absolute} must not exist`);
}

/** A scrubbed environment for child processes: no proxies from the outside, the test CA trusted. */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: SYSTEM_PATH,
    HOME: tmpdir(),
    LANG: 'C.UTF-8',
    NODE_EXTRA_CA_CERTS: tlsPaths.ca,
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface DriverRun {
  child: ChildProcess;
  /** Every event so far. */
  events: DriverEvent[];
  /** Resolves with the first event of that kind (rejects if the process ends first). */
  next(event: DriverEvent['event']): Promise<DriverEvent>;
  /** The process's end: its result event (if it printed one), exit code and signal. */
  done: Promise<{ result: InstallOutcome | undefined; code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts dist/test/helpers/install-driver.js as its own process. */
export function startDriver(req: DriverRequest, env: Record<string, string | undefined> = {}): DriverRun {
  const child = spawn(process.execPath, [DRIVER, JSON.stringify(req)], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: DriverEvent[] = [];
  const waiters: { event: string; resolve: (e: DriverEvent) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const event = JSON.parse(line) as DriverEvent;
    seen.push(event);
    for (const w of waiters.filter((w) => w.event === event.event)) w.resolve(event);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  }).then(({ code, signal }) => {
    for (const w of waiters) w.reject(new Error(`driver ended (${code ?? signal}) before ${w.event}: ${stderr}`));
    const result = seen.find((e) => e.event === 'result') as (InstallOutcome & { event: 'result' }) | undefined;
    return { result, code, signal, stderr };
  });
  return {
    child,
    events: seen,
    done,
    next: (event) => {
      const found = seen.find((e) => e.event === event);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => waiters.push({ event, resolve, reject }));
    },
  };
}
