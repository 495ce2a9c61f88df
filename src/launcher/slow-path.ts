/**
 * The launchers' slow path, run by run.ts (through the code cache) once main.ts (the runtime gate)
 * has passed, when shims/tsh and shims/tctl start
 *   node main.cjs <tool> <launcher path> [args...]
 * The build bundles this module and everything it imports into slow-path.cjs (scripts/postbuild.mjs).
 * Decides what to run (installing or refreshing first if called for), then prints that binary's path
 * on stdout for the shim to exec, so the caller always ends up with the real binary's PID, exit
 * status and signals. Everything said to the user goes to stderr. Exit status (LAUNCHER_EXIT): 0 with
 * a path printed; 69 nothing to run; 2 bad invocation; 130 Ctrl-C with nothing installed. A bug exits
 * 1 with its stack, and the shim then runs what is installed.
 */
import { describeError, isToolsError } from '../errors.js';
import { loadSettings } from '../settings.js';
import { armCheckpoint } from '../checkpoint.js';
import { createReporter } from '../ui/reporter.js';
import { createToolsContext } from '../tools/context.js';
import { planLaunch } from '../tools/launch.js';
import { TOOLS } from '../tools/cache.js';
import type { Tool } from '../tools/cache.js';
import { afterPlan } from './hooks.js';
import { LAUNCHER_EXIT } from '../runtime-gate.js';
import { runAfterOutput } from './after-output.js';
import { afterFlush, writeAnswer } from './stdio.js';
import { stderr, stderrIsTTY, stderrSink } from '../ui/stderr.js';

function isTool(value: string | undefined): value is Tool {
  return (TOOLS as readonly string[]).includes(value ?? '');
}

async function main(argv: string[]): Promise<number> {
  const [tool, self, ...args] = argv;
  if (!isTool(tool) || !self) {
    stderr().write('teleport-tools: the launcher entry point is run by shims/tsh and shims/tctl, not directly\n');
    return LAUNCHER_EXIT.usage;
  }
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(LAUNCHER_EXIT.cancelled);
    controller.abort();
  });
  const settings = await loadSettings({ env: process.env, stderrIsTTY: stderrIsTTY() });
  armCheckpoint(settings.crashAt);
  const reporter = createReporter(stderrSink, settings.interactive);
  // Installs run in a child with lean V8 flags (tools/install-process.ts); this process has none.
  const ctx = createToolsContext(settings, reporter, { signal: controller.signal, isolateInstalls: true });
  try {
    const plan = await planLaunch(ctx, { tool, args, self });
    await afterPlan(settings, reporter, plan);
    writeAnswer(plan.binary);
    return 0;
  } catch (err) {
    if (isToolsError(err, 'ECANCELLED')) {
      stderr().write(`teleport-tools: ${err.message}\n`);
      return LAUNCHER_EXIT.cancelled;
    }
    if (isToolsError(err)) {
      stderr().write(`teleport-tools: ${describeError(err)}\n`);
      return LAUNCHER_EXIT.nothingToRun;
    }
    throw err;
  } finally {
    await ctx.close();
  }
}

// No top-level await: the build bundles this module as CommonJS (scripts/postbuild.mjs).
void main(process.argv.slice(2))
  .catch((err: unknown) => {
    stderr().write(`teleport-tools: unexpected error (please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
    return 1;
  })
  // Exit as soon as our output is flushed (and the work queued for after it is done, such as writing
  // the code cache): closing keep-alive TLS sockets would otherwise hold the shell (and the user's
  // tsh) for tens of milliseconds more.
  .then((code) => afterFlush(() => void runAfterOutput().then(() => process.exit(code))));
