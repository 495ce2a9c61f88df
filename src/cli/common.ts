/**
 * Shared by the command modules: load Settings once per run, print errors the one way users see
 * them, and map outcomes to exit codes (0 success, 1 failure, 2 usage).
 */
import { describeError, isToolsError } from '../errors.js';
import { loadSettings } from '../settings.js';
import type { Settings } from '../settings.js';
import { createReporter } from '../ui/reporter.js';
import type { Reporter } from '../ui/reporter.js';
import { stderrIsTTY, stderrSink } from '../ui/stderr.js';
import { armCheckpoint } from '../checkpoint.js';

export interface CliContext {
  settings: Settings;
  reporter: Reporter;
  /** Aborted on the first Ctrl-C. */
  signal: AbortSignal;
}

let cached: Promise<CliContext> | undefined;

/** Settings for this process, loaded on first use. */
export function cliContext(): Promise<CliContext> {
  cached ??= (async () => {
    const settings = await loadSettings({ env: process.env, stderrIsTTY: stderrIsTTY() });
    armCheckpoint(settings.crashAt);
    const controller = new AbortController();
    // The first Ctrl-C cancels cleanly; a second one ends the process (130, as a shell reports it).
    // A listener that stays: proper-lockfile's signal-exit, loaded when a lock is first taken, kills the
    // process with the signal when it finds itself the only SIGINT listener left.
    let interrupts = 0;
    process.on('SIGINT', () => {
      if (++interrupts > 1) process.exit(130);
      controller.abort();
    });
    return {
      settings,
      reporter: createReporter(stderrSink, settings.interactive),
      signal: controller.signal,
    };
  })();
  return cached;
}

/** Prints to stdout; the only place command output goes. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Reports an error and sets the exit code: usage errors 2, ours 1, bugs 1 with their stack. */
export function fail(err: unknown): void {
  if (isToolsError(err, 'EUSAGE')) {
    process.stderr.write(`teleport-tools: ${err.message}\n`);
    process.exitCode = 2;
  } else if (isToolsError(err)) {
    process.stderr.write(`teleport-tools: ${describeError(err)}\n`);
    process.exitCode = 1;
  } else if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string') {
    // A system call failed (full disk, permissions): the user's to fix, not a bug.
    process.stderr.write(`teleport-tools: ${describeError(err)}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`teleport-tools: unexpected error (please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  }
}

/** Wraps a command handler so every error goes through fail(). */
export function handler<A>(fn: (args: A) => Promise<void>): (args: A) => Promise<void> {
  return async (args) => {
    try {
      await fn(args);
    } catch (err) {
      fail(err);
    }
  };
}
