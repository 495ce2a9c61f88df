/**
 * `cmc stop`, `cmc remove`, and what `tsh logout` / `tsh login` do through the launcher.
 * Remove follows RFD 0133's order: stop; remember the node; delete the agent directory; delete the
 * node (not fatal); clear state. The role and the agent binary stay.
 */
import { access, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import type { Settings } from '../settings.js';
import type { Reporter } from '../ui/reporter.js';
import { activeProfile, removeNode, TeleportCommandError } from './cluster.js';
import type { CmcContext } from './context.js';
import { clientTools } from './context.js';
import { readHostUuid } from './join.js';
import { connectAgents, refuseIfConnectShares } from './connect-agent.js';
import { explainCertificateError, resolveInsecure } from './insecure.js';
import { agentPaths, agentsRoot } from './paths.js';
import { currentRun, stopRun } from './run-lock.js';
import { clearProfileState, listStateProfiles, readProfileState, updateProfileState } from './state.js';

export async function runStop(settings: Settings, profile: string, print: (line: string) => void): Promise<void> {
  const paths = agentPaths(settings.connect, profile);
  const stopped = await stopRun(paths);
  const state = await readProfileState(settings.connect, profile);
  if (state.autoStart) await updateProfileState(settings.connect, profile, (s) => ({ ...s, autoStart: false }));
  print(stopped ? `Stopped sharing this computer with ${profile} (teleport-tools cmc ${stopped.command}, pid ${stopped.pid}).` : `Connect My Computer is not running for ${profile}.`);
}

export async function runRemove(ctx: CmcContext, profile: string, print: (line: string) => void, opts: { insecure?: boolean | undefined } = {}): Promise<void> {
  const { settings } = ctx;
  const paths = agentPaths(settings.connect, profile);
  // Its agent directory is Teleport Connect's too: never delete it from under Connect's agent.
  await refuseIfConnectShares(paths, profile);
  const stopped = await stopRun(paths);
  if (stopped) print(`Stopped the agent (pid ${stopped.agentPid ?? stopped.pid}).`);
  const state = await readProfileState(settings.connect, profile);
  const insecure = resolveInsecure(opts.insecure, state);
  const uuid = (await readHostUuid(paths)) ?? state.nodeUuid;
  await rm(paths.dir, { recursive: true, force: true });
  print(`Deleted the agent directory ${paths.dir}.`);
  if (uuid) {
    try {
      const tools = { ...(await clientTools(ctx)), insecure };
      const active = await activeProfile(tools);
      if (active.name !== profile) throw new Error(`you are logged in to ${active.name}, not ${profile}`);
      await removeNode(tools, uuid);
      print(`Deleted node ${uuid} from the cluster.`);
    } catch (err) {
      if (err instanceof TeleportCommandError && err.kind === 'not-found') {
        print(`Node ${uuid} was already gone from the cluster.`);
      } else {
        const why = err instanceof TeleportCommandError && err.kind === 'denied' ? `you lack permission to delete nodes (${err.detail})` : describeError(explainCertificateError(err, '', insecure));
        ctx.reporter.warn(`could not delete node ${uuid} from the cluster: ${why}. It may stay visible for a few minutes, until its last heartbeat expires; an admin can delete it now with: tctl rm node/${uuid}`);
      }
    }
  }
  await clearProfileState(settings.connect, profile);
  print(`Removed Connect My Computer from ${profile}. The role${state.role ? ` ${state.role}` : ''} and the agent binary are kept for a later setup.`);
}

/** Profiles that have an agent directory or remembered state. */
export async function knownProfiles(settings: Settings): Promise<string[]> {
  const dirs = await readdir(agentsRoot(settings.connect)).catch(() => [] as string[]);
  return [...new Set([...dirs, ...(await listStateProfiles(settings.connect))])];
}

/**
 * `tsh logout`, before it runs: stop the agent and delete the agent directory of each profile being
 * logged out: `host`, or (`tsh logout` without --proxy) every profile in TELEPORT_HOME. A directory
 * Teleport Connect's agent runs from is left alone, with a warning (docs/behaviour.md item 27).
 */
export async function cleanUpForLogout(settings: Settings, reporter: Reporter, host: string | undefined): Promise<void> {
  const inHome = (p: string) => access(join(settings.home, `${p}.yaml`)).then(() => true, () => false);
  const profiles = host ? [host] : (await Promise.all((await knownProfiles(settings)).map(async (p) => ((await inHome(p)) ? p : undefined)))).filter((p): p is string => p !== undefined);
  for (const profile of profiles) {
    try {
      const paths = agentPaths(settings.connect, profile);
      // The directory is Teleport Connect's too: never delete it from under Connect's running agent.
      const connect = await connectAgents(paths);
      if (connect.length > 0) {
        reporter.warn(`left ${paths.dir} alone: Teleport Connect's agent (pid ${connect.join(', ')}) is sharing this computer with ${profile} from it; stop sharing in Teleport Connect to remove it`);
        continue;
      }
      const stopped = await stopRun(paths);
      await rm(paths.dir, { recursive: true, force: true });
      await clearProfileState(settings.connect, profile);
      if (stopped) reporter.info(`Stopped sharing this computer with ${profile} (Connect My Computer) before logging out.`);
    } catch (err) {
      reporter.warn(`could not clean up Connect My Computer for ${profile}: ${describeError(err)}`);
    }
  }
}

/** `tsh login`: the agent never runs unattended, so only remind that sharing was on. */
export async function remindAfterLogin(settings: Settings, reporter: Reporter, host: string): Promise<void> {
  const state = await readProfileState(settings.connect, host);
  if (!state.autoStart || (await currentRun(agentPaths(settings.connect, host)))) return;
  reporter.info(`Connect My Computer was sharing this computer with ${host}; to share it again, run: teleport-tools cmc start`);
}
