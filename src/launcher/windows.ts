/**
 * The Windows launcher (docs/behaviour.md item 23): what bin/tsh.cjs and bin/tctl.cjs run on Windows,
 * through npm's command shims (tsh.cmd, tsh.ps1). The build bundles it into windows.cjs, like run.cjs
 * (scripts/postbuild.mjs): no npm package is loaded when the selected version is installed. It chooses
 * the binary with the same code as the sh launchers' slow path (planLaunch: pin, the call's profile's
 * cluster-versions record, cloud-stable-version; the login check and Cloud refresh on `tsh login`).
 * Windows has no exec, so tsh.exe runs as a child: the arguments exactly as given, the same console and
 * standard streams, the environment of items 3 and 31. Ctrl-C and Ctrl-Break reach the child from the
 * console; this process ignores them and exits with the child's exit code, all 32 bits of it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, isToolsError } from '../errors.js';
import { loadSettings } from '../settings.js';
import { createReporter } from '../ui/reporter.js';
import { stderrIsTTY, stderrSink } from '../ui/stderr.js';
import { createToolsContext } from '../tools/context.js';
import { planLaunch } from '../tools/launch.js';
import type { Tool } from '../tools/cache.js';
import { binaryEnv } from '../binary-env.js';

/** npm's command shim for `tool` (`<prefix>\tsh.cmd`), else the bin entry itself. */
function launcherPath(tool: Tool, entry: string): string {
  // The bundle is <prefix>\node_modules\teleport-tools\dist\src\launcher\windows.cjs.
  const shim = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', `${tool}.cmd`);
  return existsSync(shim) ? shim : entry;
}

/** What to run, or the exit code when there is nothing (the reason already said). */
async function choose(tool: Tool, args: readonly string[], self: string, signal: AbortSignal): Promise<string | number> {
  const settings = await loadSettings({ env: process.env, stderrIsTTY: stderrIsTTY() });
  const reporter = createReporter(stderrSink, settings.interactive);
  const ctx = createToolsContext(settings, reporter, { signal });
  try {
    return (await planLaunch(ctx, { tool, args, self })).binary;
  } catch (err) {
    if (!isToolsError(err)) throw err;
    process.stderr.write(`teleport-tools: ${isToolsError(err, 'ECANCELLED') ? err.message : describeError(err)}\n`);
    return isToolsError(err, 'ECANCELLED') ? 130 : 1;
  } finally {
    await ctx.close();
  }
}

/** Runs `binary` and ends this process with its exit code (unsigned 32 bits, as Windows reports it). */
function runChild(binary: string, args: readonly string[], self: string): void {
  const child = spawn(binary, args, { stdio: 'inherit', env: binaryEnv(process.env, { launcher: self }), windowsHide: false });
  child.on('error', (err) => {
    process.stderr.write(`teleport-tools: cannot run ${binary}: ${err.message}\n`);
    process.exit(1);
  });
  // process.exit() takes a signed 32-bit number; Windows reads it back as the same unsigned one.
  child.on('exit', (code) => process.exit((code ?? 1) | 0));
}

export function launch(tool: Tool, args: readonly string[], entry: string): void {
  const controller = new AbortController();
  // While choosing, Ctrl-C cancels a download (a second one gives up); once tsh.exe runs, the console
  // delivers Ctrl-C and Ctrl-Break to it, and this process only waits for it.
  let running = false;
  let interrupts = 0;
  const onInterrupt = (): void => {
    if (running) return;
    if (++interrupts > 1) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGBREAK', onInterrupt);
  const self = launcherPath(tool, entry);
  choose(tool, args, self, controller.signal).then(
    (what) => {
      if (typeof what === 'number') return process.exit(what);
      running = true;
      runChild(what, args, self);
    },
    (err: unknown) => {
      process.stderr.write(`teleport-tools: unexpected error (please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
