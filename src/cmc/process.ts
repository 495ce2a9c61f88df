/**
 * Runs the agent the way Teleport Connect does: `teleport start [--insecure] --config=<agent dir>/config.yaml`,
 * its output into `logs/agent.log` (rotated) with the last 10 lines kept for error messages, stopped
 * with SIGTERM and SIGKILL 5 s later, and watched by a separate process that stops it if we die.
 * The agent gets its own process group, so a Ctrl-C in the terminal reaches us, and we stop it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ToolsError } from '../errors.js';
import type { Env } from '../settings.js';
import { LastLines, RotatingLog } from './logs.js';
import type { AgentPaths } from './paths.js';
import { recordProof } from './pids.js';

export const STOP_GRACE_MS = 5000;
// `../cmc/`, not `./`: this code also runs from the launcher's bundle in dist/src/launcher/.
const WATCHDOG = fileURLToPath(new URL('../cmc/watchdog.js', import.meta.url));

export interface AgentExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AgentProcess {
  pid: number;
  /** Resolves when the agent has exited (for any reason). */
  exited: Promise<AgentExit>;
  lastLines(): string[];
  /** SIGTERM, SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<AgentExit>;
}

export function describeExit(exit: AgentExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
}

/** Starts the watchdog for `pid` and waits until it is listening. */
async function startWatchdog(pid: number, paths: AgentPaths, env: Env): Promise<ChildProcess> {
  const proof = Buffer.from(JSON.stringify(recordProof(pid, { shows: configArg(paths) }) ?? {})).toString('base64url');
  const watchdog = spawn(process.execPath, [WATCHDOG, String(pid), proof], {
    detached: true,
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ToolsError('ECMC', 'the agent watchdog did not start within 10 s')), 10_000);
    watchdog.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    watchdog.once('exit', (code) => {
      clearTimeout(timer);
      reject(new ToolsError('ECMC', `the agent watchdog exited (status ${code}) before it was ready`));
    });
    watchdog.once('error', (err) => {
      clearTimeout(timer);
      reject(new ToolsError('ECMC', `cannot start the agent watchdog: ${err.message}`, { cause: err }));
    });
  });
  watchdog.removeAllListeners('exit');
  watchdog.unref();
  watchdog.channel?.unref();
  return watchdog;
}

/** The agent's `--config=…` argument: what tells its process apart (and Teleport Connect's). */
export function configArg(paths: AgentPaths): string {
  return `--config=${paths.config}`;
}

/** `teleport start [--insecure] --config=…`, as Teleport Connect starts it. */
export function agentArgs(paths: AgentPaths, insecure: boolean): string[] {
  return ['start', ...(insecure ? ['--insecure'] : []), configArg(paths)];
}

export async function spawnAgent(binary: string, paths: AgentPaths, env: Env, insecure = false): Promise<AgentProcess> {
  const log = new RotatingLog(paths.log);
  const last = new LastLines(10);
  const child = spawn(binary, agentArgs(paths, insecure), {
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<AgentExit>((resolve) => {
    child.once('error', (err) => {
      last.push(`cannot run ${binary}: ${err.message}\n`);
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, sig) => resolve({ code, signal: sig }));
  });
  const onOutput = (chunk: Buffer): void => {
    last.push(chunk);
    try {
      log.write(chunk);
    } catch {
      // A full disk must not take the agent down with it; the last lines are still kept.
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  void exited.then((exit) => {
    try {
      log.write(`# teleport-tools: the agent (pid ${child.pid}) ${describeExit(exit)} at ${new Date().toISOString()}\n`);
      log.close();
    } catch {
      // The log is a convenience; its failure must not take us down.
    }
  });

  if (child.pid === undefined) {
    await exited;
    throw new ToolsError('ECMC', `cannot start the agent: ${last.get().join(' ')}`);
  }
  const pid = child.pid;
  log.write(`# teleport-tools: started the agent (pid ${pid}) at ${new Date().toISOString()}\n`);
  let watchdog: ChildProcess;
  try {
    watchdog = await startWatchdog(pid, paths, env);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  void exited.then(() => {
    if (watchdog.connected) {
      watchdog.send('done');
      watchdog.disconnect();
    }
  });

  let stopping: Promise<AgentExit> | undefined;
  return {
    pid,
    exited,
    lastLines: () => last.get(),
    stop() {
      stopping ??= (async () => {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        const exit = await exited;
        clearTimeout(timer);
        return exit;
      })();
      return stopping;
    },
  };
}
