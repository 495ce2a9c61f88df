/**
 * Installs in a Node.js process of their own, started with V8 flags that keep memory low.
 *
 * The launcher's slow path runs without V8 flags: any flag makes Node.js set aside its built-in code
 * cache, which makes a `tsh login` that installs nothing compile Node.js's own modules again.
 * But an install streams a 100-200 MB archive, and with the default young generation its peak RSS
 * is ~130 MiB instead of ~90. So the launcher hands the install (download, verify, publish, record,
 * retention: all of installTools) to a child started with INSTALL_NODE_FLAGS; the extra Node.js
 * start happens only when something is downloaded anyway.
 *
 * The child (install-child.ts) reports progress on the shared stderr, and one JSON line on stdout:
 * `{"ok":true,"downloaded":…}` or `{"ok":false,"code":…,"message":…}`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ToolsError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { readManifest } from '../artifacts/manifest.js';
import type { InstallResult } from '../artifacts/install.js';
import type { ToolsContext } from './context.js';
import type { InstallToolsOptions } from './install-options.js';
import { versionDir } from './cache.js';

/** A small young generation (flat memory while streaming) and quick WebAssembly compiles (undici's parser). */
export const INSTALL_NODE_FLAGS = ['--max-semi-space-size=1', '--liftoff-only'] as const;

export interface ChildRequest {
  version: string;
  opts: InstallToolsOptions;
}

export type ChildAnswer = { ok: true; downloaded: boolean } | { ok: false; code: ErrorCode; message: string };

export async function installInChild(ctx: ToolsContext, version: string, opts: InstallToolsOptions): Promise<InstallResult> {
  // `../tools/`, not `./`: this code also runs from the launcher's bundle in dist/src/launcher/.
  const entry = fileURLToPath(new URL('../tools/install-child.js', import.meta.url));
  const request: ChildRequest = { version, opts };
  const child = spawn(process.execPath, [...INSTALL_NODE_FLAGS, entry, JSON.stringify(request)], {
    env: ctx.settings.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Ctrl-C at a terminal reaches the child directly (same process group); a cancel that comes
  // another way is passed on.
  const cancel = (): void => {
    child.kill('SIGINT');
  };
  ctx.signal?.addEventListener('abort', cancel, { once: true });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c, s) => resolve([c, s]));
  }).finally(() => ctx.signal?.removeEventListener('abort', cancel));

  let answer: ChildAnswer | undefined;
  try {
    answer = JSON.parse(out.trim().split('\n').pop() ?? '') as ChildAnswer;
  } catch {
    answer = undefined;
  }
  if (answer?.ok) {
    const dir = versionDir(ctx.settings.cacheDir, version);
    const manifest = await readManifest(dir);
    if (!manifest) throw new ToolsError('EFS', `${dir} vanished right after it was installed`);
    return { dir, downloaded: answer.downloaded, manifest };
  }
  if (answer) throw new ToolsError(answer.code, answer.message);
  if (ctx.signal?.aborted) throw new ToolsError('ECANCELLED', 'install cancelled');
  throw new ToolsError('EINSTALL', `the install process ${signal ? `was killed by ${signal}` : `exited with status ${code ?? '?'}`} without a result`);
}
