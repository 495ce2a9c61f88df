/**
 * `cmc start`: shares this computer in the foreground, like Connect's window: checks compatibility,
 * starts the agent, waits until its node is in the cluster, says what is shared, and runs until
 * Ctrl-C (or `cmc stop`). Sets autoStart; a closed window keeps it, only `cmc stop` clears it.
 */
import { access } from 'node:fs/promises';
import { ToolsError } from '../errors.js';
import type { CmcContext } from './context.js';
import { loggedIn } from './context.js';
import { ensureAgentBinary } from './agent-binary.js';
import { requireCompatibleCluster } from './compat.js';
import { recordEvent } from './events.js';
import { AgentFailed } from './join.js';
import { describeExit } from './process.js';
import { runAgentUntilJoined } from './run-agent.js';
import { updateProfileState } from './state.js';
import { refuseIfConnectShares } from './connect-agent.js';
import { explainCertificateError, insecureNotice } from './insecure.js';

export interface StartOptions {
  /** --insecure (true), --no-insecure (false), or neither: what the profile remembers. */
  insecure?: boolean | undefined;
}

export async function runStart(ctx: CmcContext, print: (line: string) => void, opts: StartOptions = {}): Promise<void> {
  const { settings } = ctx;
  const { tools, profile, paths, state, insecure } = await loggedIn(ctx, opts.insecure);
  const configured = await access(paths.config).then(() => true, () => false);
  if (!state.setupCompleted || !configured) {
    throw new ToolsError('ECMC', `Connect My Computer is not set up for ${profile.name}; run: teleport-tools cmc setup${opts.insecure ? ' --insecure' : ''}`);
  }
  if (insecure) ctx.reporter.warn(insecureNotice(profile.name));

  await requireCompatibleCluster(ctx.http(), profile.proxyAddr, tools.version, (l) => ctx.reporter.warn(l), ctx.signal, insecure);
  // After the network: what counts is whether Teleport Connect runs its agent now, not a moment ago.
  await refuseIfConnectShares(paths, profile.name);
  if (opts.insecure !== undefined && opts.insecure !== Boolean(state.insecure)) {
    await updateProfileState(settings.connect, profile.name, (s) => ({ ...s, insecure }));
  }

  // A client-tools update changes the agent's version too: fetch the matching agent first.
  const binary = await ensureAgentBinary({ settings, http: ctx.http, version: tools.version, reporter: ctx.reporter, signal: ctx.signal });
  const who = { cluster: profile.cluster, user: profile.user };

  const run = await runAgentUntilJoined(
    ctx,
    {
      profile: profile.name,
      tools,
      paths,
      binary: binary.path,
      command: 'start',
      insecure,
      onStarted: async (agent) => {
        await updateProfileState(settings.connect, profile.name, (s) => ({ ...s, autoStart: true }));
        await recordEvent(ctx.events, who, { event: 'connect.connectMyComputer.agentStart' });
        print(`Started the agent v${binary.version} (pid ${agent.pid}); waiting for it to join ${profile.cluster}...`);
      },
    },
    async (agent, joined, stop) => {
      const host = joined.node.spec.hostname ?? joined.uuid;
      await updateProfileState(settings.connect, profile.name, (s) => ({ ...s, nodeUuid: joined.uuid, nodeName: host, lastFailure: undefined }));
      print(`Sharing this computer with cluster ${profile.cluster} as node ${host} (${joined.uuid}).`);
      print(`${profile.user} can log in to it as ${ctx.systemUser}: tsh ssh ${ctx.systemUser}@${host}`);
      print(`Agent logs: ${paths.log}`);
      print('Press Ctrl-C to stop sharing.');
      const stopped = new Promise<'stopped'>((resolve) => {
        if (stop.aborted) resolve('stopped');
        stop.addEventListener('abort', () => resolve('stopped'), { once: true });
      });
      const outcome = await Promise.race([agent.exited, stopped]);
      if (outcome !== 'stopped') {
        throw new AgentFailed(`the agent ${describeExit(outcome)}; this computer is no longer shared`, agent.lastLines());
      }
      print('Stopping the agent...');
      await agent.stop();
    },
  ).catch((err: unknown) => {
    // An agent (or tctl) that does not trust the proxy says so in Go's words: name the flag.
    throw explainCertificateError(err, '', insecure);
  });
  print(run ? 'Stopped sharing this computer.' : 'Stopped the agent before it joined the cluster.');
}
