/**
 * One run of the agent, shared by `cmc setup` (join, then stop) and `cmc start` (join, then share until
 * told to stop): claim the profile's run, start the agent and its watchdog, wait until its node is in
 * the cluster, hand over, and always stop the agent and release the run at the end. A failure of the
 * agent is remembered (with its last lines) for `cmc status`.
 */
import { scopedSignal } from '../abort.js';
import type { Scoped } from '../abort.js';
import { checkpoint } from '../checkpoint.js';
import type { ClientTools } from './cluster.js';
import type { CmcContext } from './context.js';
import type { Joined } from './join.js';
import { AgentFailed, waitUntilJoined } from './join.js';
import type { AgentPaths } from './paths.js';
import type { AgentProcess } from './process.js';
import { spawnAgent } from './process.js';
import { claimRun } from './run-lock.js';
import type { RunClaim } from './run-lock.js';
import { makeAgentDirs } from './config-file.js';
import { refuseIfConnectShares } from './connect-agent.js';
import { updateProfileState } from './state.js';

export interface AgentRun {
  profile: string;
  tools: ClientTools;
  paths: AgentPaths;
  binary: string;
  command: 'setup' | 'start';
  /** `teleport start --insecure`: the profile was set up with --insecure. */
  insecure: boolean;
  /** Right after the agent started (before it joined). */
  onStarted?: (agent: AgentProcess) => Promise<void>;
}

/**
 * An AbortSignal for "stop now": Ctrl-C (the context's signal), SIGTERM (`cmc stop`, `tsh logout`),
 * SIGHUP (the terminal closed). Listeners are removed by dispose().
 */
export function stopSignal(ctx: CmcContext): Scoped {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stop);
  const scope = scopedSignal([ctx.signal, controller.signal]);
  return {
    signal: scope.signal,
    dispose: () => {
      for (const s of signals) process.off(s, stop);
      scope.dispose();
    },
  };
}

/**
 * Runs the agent until `whileJoined` returns (then stops it). Resolves undefined when stopped before
 * the node joined; throws AgentFailed when the agent failed or exited.
 */
export async function runAgentUntilJoined<T>(
  ctx: CmcContext,
  run: AgentRun,
  whileJoined: (agent: AgentProcess, joined: Joined, stop: AbortSignal) => Promise<T>,
): Promise<{ joined: Joined; result: T } | undefined> {
  // Also restores the directories' modes and a logs/ someone deleted.
  await makeAgentDirs(run.paths);
  const stop = stopSignal(ctx);
  let claim: RunClaim | undefined;
  let agent: AgentProcess | undefined;
  try {
    claim = await claimRun(run.paths, run.command, stop.signal);
    // Checked again at the last moment: Teleport Connect may have started its agent meanwhile.
    await refuseIfConnectShares(run.paths, run.profile);
    agent = await spawnAgent(run.binary, run.paths, ctx.childEnv, run.insecure);
    await claim.setAgent(agent.pid);
    await run.onStarted?.(agent);
    checkpoint('cmc-agent-started');
    const joined = await waitUntilJoined(run.tools, run.paths, agent, stop.signal);
    if (!joined) return undefined;
    return { joined, result: await whileJoined(agent, joined, stop.signal) };
  } catch (err) {
    if (err instanceof AgentFailed) {
      const failure = { at: new Date().toISOString(), message: err.message.split('\n')[0] ?? '', lines: err.lines };
      await updateProfileState(ctx.settings.connect, run.profile, (s) => ({ ...s, lastFailure: failure })).catch(() => undefined);
    }
    throw err;
  } finally {
    await agent?.stop();
    await claim?.release();
    stop.dispose();
  }
}
