/**
 * Runs one short-lived Teleport command (tsh, tctl, `teleport version`/`node configure`) and collects
 * its output. Never through a shell: arguments go to the program as they are.
 */
import { spawn } from 'node:child_process';
import type { Env } from '../settings.js';
import { ToolsError } from '../errors.js';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env: Env;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
  /** Output beyond this is dropped (a runaway program cannot exhaust memory). */
  maxBytes?: number;
}

export async function execCommand(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const max = opts.maxBytes ?? 4 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (c: Buffer) => {
      if ((outBytes += c.length) <= max) out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if ((errBytes += c.length) <= max) err.push(c);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let failed: Error | undefined;
    child.on('error', (e) => {
      failed = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (opts.signal?.aborted) return reject(new ToolsError('ECANCELLED', 'cancelled'));
      if (failed) return reject(new ToolsError('ECMC', `cannot run ${file}: ${failed.message}`, { cause: failed }));
      if (timedOut) {
        return reject(new ToolsError('ECMC', `${file} ${args[0] ?? ''} did not finish within ${timeoutMs / 1000} s`));
      }
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The message a Teleport command printed for its failure: its `ERROR:` line, else its last line. */
export function errorText(result: ExecResult): string {
  const lines = result.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const line = lines.find((l) => l.startsWith('ERROR:')) ?? lines.at(-1) ?? `exit status ${result.code ?? result.signal}`;
  return line.replace(/^ERROR:\s*/, '');
}
