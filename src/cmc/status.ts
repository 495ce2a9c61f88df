/**
 * `cmc status`: for one profile, how far setup got, whether the agent runs (and who runs it), the
 * node, autoStart, agent/cluster compatibility, and the agent's last errors. Works without a login:
 * only the compatibility check asks the network (the proxy's ping endpoint, 5 s at most).
 */
import { access } from 'node:fs/promises';
import { describeError } from '../errors.js';
import { selectVersion } from '../tools/update.js';
import type { CmcContext } from './context.js';
import { checkAgentBinary } from './agent-binary.js';
import type { Compatibility } from './compat.js';
import { checkCompatibility, fetchClusterVersion } from './compat.js';
import { readHostUuid } from './join.js';
import { tailFile } from './logs.js';
import { agentBinary, agentPaths } from './paths.js';
import { currentRun } from './run-lock.js';
import { connectAgents, sharedByConnect } from './connect-agent.js';
import { readProfileState } from './state.js';

export interface CmcStatus {
  profile: string;
  agentDirectory: string;
  setup: {
    completed: boolean;
    role: string | null;
    configFile: boolean;
    agentBinary: { path: string; version: string | null; verified: boolean; problem: string | null };
  };
  running: boolean;
  /** An agent for this profile that teleport-tools did not start: Teleport Connect's. */
  sharedByConnect: { pids: number[] } | null;
  /** Set up with --insecure: certificate checks of the proxy are off. */
  insecure: boolean;
  runBy: { command: string; pid: number; agentPid: number | null; since: string } | null;
  autoStart: boolean;
  nodeUuid: string | null;
  nodeName: string | null;
  compatibility: { status: Compatibility | 'unknown'; agentVersion: string | null; clusterVersion: string | null; message: string };
  lastFailure: { at: string; message: string } | null;
  lastErrors: string[];
  logFile: string;
}

const ERROR_LINE = /\b(ERRO|ERROR|FATAL|panic)\b/;

export async function cmcStatus(ctx: CmcContext, profile: string): Promise<CmcStatus> {
  const { settings } = ctx;
  const paths = agentPaths(settings.connect, profile);
  const state = await readProfileState(settings.connect, profile);
  const run = await currentRun(paths);
  const connect = await connectAgents(paths);
  const insecure = Boolean(state.insecure);
  const configFile = await access(paths.config).then(() => true, () => false);
  // The agent runs the version tsh runs for this profile (its cluster's record, else cloud-stable).
  const { version } = await selectVersion(settings, profile);
  const binary = version ? await checkAgentBinary(settings, version) : { ok: false as const, reason: 'no client-tools version is selected' };

  let compatibility: CmcStatus['compatibility'] = { status: 'unknown', agentVersion: version ?? null, clusterVersion: null, message: '' };
  if (!version) compatibility.message = 'no client-tools version is installed: teleport-tools update';
  else if (!state.proxyAddr) compatibility.message = 'not set up yet';
  else {
    try {
      const clusterVersion = await fetchClusterVersion(ctx.http(), state.proxyAddr, ctx.signal, 5000, insecure);
      const report = checkCompatibility(version, clusterVersion);
      compatibility = { status: report.status, agentVersion: version, clusterVersion, message: report.message };
    } catch (err) {
      compatibility.message = `cannot ask the cluster for its version: ${describeError(err)}`;
    }
  }
  return {
    profile,
    agentDirectory: paths.dir,
    setup: {
      completed: Boolean(state.setupCompleted) && configFile,
      role: state.role ?? null,
      configFile,
      agentBinary: { path: agentBinary(settings.connect), version: binary.ok ? binary.version : null, verified: binary.ok, problem: binary.ok ? null : binary.reason },
    },
    running: run !== undefined,
    sharedByConnect: connect.length ? { pids: connect } : null,
    insecure,
    runBy: run ? { command: run.command, pid: run.pid, agentPid: run.agentPid ?? null, since: run.since } : null,
    autoStart: Boolean(state.autoStart),
    nodeUuid: (await readHostUuid(paths)) ?? state.nodeUuid ?? null,
    nodeName: state.nodeName ?? null,
    compatibility,
    lastFailure: state.lastFailure ? { at: state.lastFailure.at, message: state.lastFailure.message } : null,
    lastErrors: state.lastFailure?.lines.length ? state.lastFailure.lines : (await tailFile(paths.log, 200)).filter((l) => ERROR_LINE.test(l)).slice(-10),
    logFile: paths.log,
  };
}

export function formatStatus(s: CmcStatus): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    `Profile:          ${s.profile}`,
    `Agent directory:  ${s.agentDirectory}`,
    `Setup:            ${s.setup.completed ? 'complete' : 'not complete (run: teleport-tools cmc setup)'}`,
    `  Role:           ${s.setup.role ?? 'not set up'}`,
    `  Agent binary:   ${s.setup.agentBinary.verified ? `v${s.setup.agentBinary.version} (${s.setup.agentBinary.path})` : `not ready: ${s.setup.agentBinary.problem}`}`,
    `  Config file:    ${yes(s.setup.configFile)}`,
    `Running:          ${[
      ...(s.runBy ? [`yes (teleport-tools cmc ${s.runBy.command}, pid ${s.runBy.pid}; agent pid ${s.runBy.agentPid ?? '-'}; since ${s.runBy.since})`] : []),
      ...(s.sharedByConnect ? [sharedByConnect(s.sharedByConnect.pids)] : []),
    ].join('; ') || 'no'}`,
    `Certificates:     ${s.insecure ? 'not verified (set up with --insecure)' : 'verified'}`,
    `Auto start:       ${yes(s.autoStart)}`,
    `Node:             ${s.nodeUuid ? `${s.nodeName ?? ''} (${s.nodeUuid})`.trim() : 'none yet'}`,
    `Compatibility:    ${s.compatibility.status}${s.compatibility.clusterVersion ? ` (agent v${s.compatibility.agentVersion}, cluster v${s.compatibility.clusterVersion})` : ''}${s.compatibility.message ? `: ${s.compatibility.message}` : ''}`,
    `Logs:             ${s.logFile}`,
  ];
  if (s.lastFailure) lines.push(`Last failure:     ${s.lastFailure.at}: ${s.lastFailure.message}`);
  if (s.lastErrors.length) lines.push('Last agent errors:', ...s.lastErrors.map((l) => `  ${l}`));
  return lines;
}
