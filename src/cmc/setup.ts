/**
 * `cmc setup`: RFD 0133's four steps, each reported as it runs and each safe to run again after any
 * failure: setting up the role, downloading the agent, generating the config file, joining the cluster.
 * Joining starts the agent, waits for its node to be in the cluster, then stops it: sharing is `cmc
 * start`'s job.
 */
import { rm } from 'node:fs/promises';
import { ToolsError, describeError, isToolsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';
import { addNodeToken, permissionError, removeToken } from './cluster.js';
import type { CmcContext, LoggedIn } from './context.js';
import { loggedIn } from './context.js';
import { ensureAgentBinary } from './agent-binary.js';
import { requireCompatibleCluster } from './compat.js';
import { writeAgentConfig } from './config-file.js';
import { recordEvent } from './events.js';
import type { SetupStepName } from './events.js';
import { runAgentUntilJoined } from './run-agent.js';
import { roleName } from './paths.js';
import { requireLocalUser, setupRole } from './role.js';
import { currentRun } from './run-lock.js';
import { refreshCertificate } from './cert-refresh.js';
import type { Refresh } from './cert-refresh.js';
import { refuseIfConnectShares } from './connect-agent.js';
import { explainCertificateError, insecureNotice } from './insecure.js';
import { updateProfileState } from './state.js';

interface Step {
  name: SetupStepName;
  title: string;
  run(): Promise<string>;
}

export interface SetupOptions {
  /** --insecure (true), --no-insecure (false), or neither: what the profile remembers. */
  insecure?: boolean | undefined;
}

/** Checks that hold before any step changes anything; returns what the steps need. */
async function preflight(ctx: CmcContext, print: (line: string) => void, opts: SetupOptions): Promise<LoggedIn> {
  const start = await loggedIn(ctx, opts.insecure);
  const { tools, profile, paths, insecure } = start;
  if (insecure) ctx.reporter.warn(insecureNotice(profile.name));
  const running = await currentRun(paths);
  if (running) {
    throw new ToolsError('ECMC', `the agent for ${profile.name} is running (teleport-tools cmc ${running.command}, pid ${running.pid}); stop it first with: teleport-tools cmc stop`);
  }
  await requireCompatibleCluster(ctx.http(), profile.proxyAddr, tools.version, (l) => ctx.reporter.warn(l), ctx.signal, insecure);
  await refuseIfConnectShares(paths, profile.name);
  print(`Setting up Connect My Computer for ${profile.user} on cluster ${profile.cluster} (${profile.proxyAddr}), agent v${tools.version}.`);
  return start;
}

export async function runSetup(ctx: CmcContext, print: (line: string) => void, opts: SetupOptions = {}): Promise<void> {
  const { settings } = ctx;
  const { tools, profile, paths, insecure } = await preflight(ctx, print, opts);
  const user = await requireLocalUser(tools, profile).catch((err: unknown) => {
    throw explainCertificateError(err, 'cannot read your cluster user', insecure);
  });
  const who = { cluster: profile.cluster, user: profile.user };
  let agentBinary = '';
  let token = '';
  let refresh: Refresh | undefined;

  const steps: Step[] = [
    {
      name: 'setting_up_role',
      title: 'Setting up the role',
      run: async () => {
        const outcome = await setupRole(tools, profile, user, ctx.systemUser);
        await updateProfileState(settings.connect, profile.name, (s) => ({
          ...s, clusterName: profile.cluster, clusterUser: profile.user, role: outcome.role, proxyAddr: profile.proxyAddr, insecure,
        }));
        checkpoint('cmc-role');
        // The certificate lacks the role when it was just added (or added by a run whose refresh failed).
        refresh = profile.roles.includes(outcome.role) ? undefined : await refreshCertificate(tools, outcome.role);
        const parts = [
          outcome.created ? `created role ${outcome.role}` : `role ${outcome.role} exists`,
          ...outcome.added.map((a) => `added ${a}`),
          outcome.assigned ? `added it to user ${profile.user}` : `user ${profile.user} has it`,
          ...(refresh?.ok ? ['refreshed your certificate without a new login (tsh request drop)'] : []),
        ];
        return parts.join('; ');
      },
    },
    {
      name: 'downloading_agent',
      title: 'Downloading the agent',
      run: async () => {
        const binary = await ensureAgentBinary({ settings, http: ctx.http, version: tools.version, reporter: ctx.reporter, signal: ctx.signal });
        agentBinary = binary.path;
        checkpoint('cmc-agent-downloaded');
        return `${binary.downloaded ? 'downloaded and verified' : 'verified'} teleport v${binary.version} (${binary.path})`;
      },
    },
    {
      name: 'generating_config_file',
      title: 'Generating the config file',
      run: async () => {
        await updateProfileState(settings.connect, profile.name, (s) => ({ ...s, setupCompleted: false }));
        try {
          token = await addNodeToken(tools);
        } catch (err) {
          throw permissionError(err, 'create join tokens', 'resource "token"', 'verb "create"');
        }
        await writeAgentConfig({ binary: agentBinary, env: ctx.childEnv, paths, proxyAddr: profile.proxyAddr, token, clusterUser: profile.user, signal: ctx.signal });
        checkpoint('cmc-config-written');
        return `wrote ${paths.config}`;
      },
    },
    {
      name: 'joining_cluster',
      title: 'Joining the cluster',
      run: async () => {
        const run = await runAgentUntilJoined(ctx, { profile: profile.name, tools, paths, binary: agentBinary, command: 'setup', insecure }, async () => undefined);
        if (!run) throw new ToolsError('ECANCELLED', 'cancelled');
        const { joined } = run;
        // The token has done its job; it expires in 5 minutes anyway. (`tctl tokens rm` must name it.)
        await removeToken(tools, token).catch(() => undefined);
        await rm(paths.token, { force: true });
        await updateProfileState(settings.connect, profile.name, (s) => ({
          ...s, setupCompleted: true, nodeUuid: joined.uuid, nodeName: joined.node.spec.hostname ?? joined.uuid, lastFailure: undefined,
        }));
        return `node ${joined.node.spec.hostname ?? ''} (${joined.uuid}) joined cluster ${profile.cluster}`;
      },
    },
  ];

  for (const [i, step] of steps.entries()) {
    print(`[${i + 1}/${steps.length}] ${step.title}...`);
    try {
      print(`      ${await step.run()}`);
    } catch (err) {
      if (isToolsError(err, 'ECANCELLED')) throw err;
      await recordEvent(ctx.events, who, { event: 'connect.connectMyComputer.setup', success: false, failedStep: step.name });
      if (!isToolsError(err) && !(err as NodeJS.ErrnoException).syscall) throw err;
      throw new ToolsError('ECMC', `${step.title} failed: ${describeError(explainCertificateError(err, '', insecure))}\nFix the cause and run 'teleport-tools cmc setup' again; it continues safely.`, { cause: err });
    }
  }
  await recordEvent(ctx.events, who, { event: 'connect.connectMyComputer.setup', success: true });
  print('Setup complete. Share this computer with: teleport-tools cmc start');
  if (refresh && !refresh.ok) {
    print(
      `Role ${roleName(profile.user)} is not in your certificate yet: ${refresh.reason}. Log in again (tsh login${insecure ? ' --insecure' : ''} --proxy=${profile.proxyAddr}) so that it is; until then the cluster will not let you log in to this computer.`,
    );
  }
}
