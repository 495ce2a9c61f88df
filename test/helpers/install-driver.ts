// One install in its own process, for the tests that race several processes or kill one mid-download
// (the benchmark starts the launchers' own install child instead: scripts/bench/install-child.ts).
// Run `node dist/test/helpers/install-driver.js '<json>'` (the request below) with the environment of a launcher: HTTP settings, proxies, NODE_EXTRA_CA_CERTS and
// TELEPORT_TOOLS_TEST_CRASH_AT come from it, as in the real entry points.
//
// stdout gets one JSON object a line: {"event":"wait"} when another process holds the lock,
// {"event":"start","total":n} when the archive response arrived, {"event":"progress","received":n} for the
// first archive bytes, and last {"event":"result",...} (InstallOutcome). SIGINT cancels, like Ctrl-C.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { armCheckpoint } from '../../src/checkpoint.js';
import { describeError, isToolsError } from '../../src/errors.js';
import { createHttpClient } from '../../src/http.js';
import { installRelease } from '../../src/artifacts/install.js';
import type { InstallResult } from '../../src/artifacts/install.js';
import { detectPlatform } from '../../src/artifacts/release.js';
import type { Edition } from '../../src/artifacts/release.js';
import { loadSettings } from '../../src/settings.js';
import type { Reporter } from '../../src/ui/reporter.js';

export interface DriverRequest {
  /**
   * `release` (default): installRelease() into `cacheDir`. `tools`: installTools() as the launchers do
   * (TELEPORT_HOME, TELEPORT_CDN_BASE_URL from the environment; records cloud-stable-version, prunes).
   */
  mode?: 'release' | 'tools';
  version: string;
  /** release mode: the CDN base URL. */
  cdn?: string;
  cacheDir?: string;
  /** Default `<cacheDir>/<version>`. */
  target?: string;
  binaries?: string[];
  edition?: Edition;
  lockStaleMs?: number;
}

export type DriverEvent =
  | { event: 'wait' }
  | { event: 'start'; total: number | undefined }
  | { event: 'progress'; received: number }
  | ({ event: 'result' } & InstallOutcome);

export interface InstallOutcome {
  ok: boolean;
  downloaded?: boolean;
  dir?: string;
  files?: Record<string, string>;
  code?: string;
  message?: string;
  ms: number;
  /** Peak resident set size of this process (VmHWM, else maxRSS), in bytes. */
  peakRssBytes: number;
}

function emit(event: DriverEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function peakRss(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) * 1024;
}

async function run(req: DriverRequest, signal: AbortSignal): Promise<InstallResult> {
  const settings = await loadSettings({ env: process.env });
  armCheckpoint(settings.crashAt);
  let progressed = false;
  const onProgress = (received: number): void => {
    if (progressed) return;
    progressed = true;
    emit({ event: 'progress', received });
  };
  if (req.mode === 'tools') {
    // Loaded only here, so release mode (the benchmark's) carries only what installRelease needs.
    const { createToolsContext } = await import('../../src/tools/context.js');
    const { installTools } = await import('../../src/tools/update.js');
    const quiet: Reporter = {
      info: () => emit({ event: 'wait' }),
      warn: (line) => process.stderr.write(`${line}\n`),
      downloadStart: (_name, total) => emit({ event: 'start', total }),
      downloadProgress: (p) => onProgress(p.received),
      downloadEnd: () => undefined,
    };
    const ctx = createToolsContext(settings, quiet, { signal, requested: true });
    try {
      return await installTools(ctx, req.version, { record: true });
    } finally {
      await ctx.close();
    }
  }
  if (!req.cdn || !req.cacheDir) throw new Error('release mode needs cdn and cacheDir');
  const http = createHttpClient(settings.http);
  try {
    return await installRelease({
      http,
      cdnBaseUrl: req.cdn,
      release: { version: req.version, edition: req.edition ?? 'oss', platform: detectPlatform() },
      binaries: req.binaries ?? ['tsh', 'tctl'],
      cacheDir: req.cacheDir,
      target: req.target ?? join(req.cacheDir, req.version),
      signal,
      lockStaleMs: req.lockStaleMs,
      onWait: () => emit({ event: 'wait' }),
      onStart: (total) => emit({ event: 'start', total }),
      onProgress: (p) => onProgress(p.received),
    });
  } finally {
    await http.close();
  }
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as DriverRequest;
  const cancel = new AbortController();
  process.on('SIGINT', () => cancel.abort());
  const started = performance.now();
  let outcome: Omit<InstallOutcome, 'ms' | 'peakRssBytes'>;
  try {
    const result = await run(req, cancel.signal);
    outcome = { ok: true, downloaded: result.downloaded, dir: result.dir, files: result.manifest.files };
  } catch (err) {
    if (!isToolsError(err)) process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    outcome = { ok: false, code: isToolsError(err) ? err.code : 'EBUG', message: describeError(err) };
  }
  const ms = performance.now() - started;
  emit({ event: 'result', ...outcome, ms, peakRssBytes: await peakRss() });
  process.exitCode = outcome.ok ? 0 : 1;
}

await main();
