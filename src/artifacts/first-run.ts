/**
 * The first run of a freshly published app bundle's binary: `<binary> version`, once, before anything
 * else runs it. macOS records its first-run checks (signature, quarantine, provenance) against the
 * bundle where it stands, which is why a published bundle is never moved afterwards, and a binary
 * that cannot even print its version must not be recorded as installed.
 */
import { spawn } from 'node:child_process';
import { binaryEnv } from '../binary-env.js';
import { ToolsError } from '../errors.js';

export const FIRST_RUN_TIMEOUT_MS = 30_000;

/** Runs `<file> version` (output discarded); throws an EINSTALL error when it does not exit 0. */
export function firstRun(file: string, binary: string, env: Readonly<Record<string, string | undefined>>, timeoutMs = FIRST_RUN_TIMEOUT_MS): Promise<void> {
  const failed = (why: string, cause?: unknown) =>
    new ToolsError('EINSTALL', `the first run of ${file} (${binary} version) ${why}`, cause === undefined ? undefined : { cause });
  return new Promise((resolve, reject) => {
    const child = spawn(file, ['version'], {
      env: binaryEnv(env),
      stdio: 'ignore',
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let timedOut = false;
    const timer = setTimeout(() => (timedOut = true), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(failed(`could not start: ${err.message}`, err));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else if (timedOut && signal) reject(failed(`did not finish within ${timeoutMs / 1000} s`));
      else reject(failed(signal ? `was killed by ${signal}` : `exited with status ${code}`));
    });
  });
}
