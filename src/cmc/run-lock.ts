/**
 * At most one process runs a profile's agent: a `cmc start`, or `cmc setup` while it joins. It says so
 * in `<agent dir>/teleport-tools-run.json` (its PID and the agent's, each with its proof: pids.ts); a
 * record whose process is gone, or cannot be proven to be ours, is stale and taken over, under a short
 * lock so two processes never both take it.
 */
import { readFile, rm } from 'node:fs/promises';
import { ToolsError } from '../errors.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { acquireLock } from '../artifacts/lock.js';
import type { AgentPaths } from './paths.js';
import { configArg } from './process.js';
import { isOurs, recordProof, signalOurs, waitGone } from './pids.js';
import type { LivenessOptions, ProcessProof } from './pids.js';

export interface RunRecord {
  pid: number;
  proof?: ProcessProof | undefined;
  command: 'start' | 'setup';
  since: string;
  agentPid?: number | undefined;
  agentProof?: ProcessProof | undefined;
}

export interface RunClaim {
  setAgent(pid: number): Promise<void>;
  release(): Promise<void>;
}

/** The recorded run, alive or not. */
export async function readRunRecord(paths: AgentPaths): Promise<RunRecord | undefined> {
  try {
    const data = JSON.parse(await readFile(paths.run, 'utf8')) as RunRecord;
    return typeof data.pid === 'number' ? data : undefined;
  } catch {
    return undefined;
  }
}

async function writeRecord(paths: AgentPaths, record: RunRecord): Promise<void> {
  await writeFileAtomic(paths.run, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** The live run of this profile's agent, if any. */
export async function currentRun(paths: AgentPaths, opts: LivenessOptions = {}): Promise<RunRecord | undefined> {
  const record = await readRunRecord(paths);
  return record && isOurs(record.pid, record.proof, opts) ? record : undefined;
}

/** The recorded agent, when it still runs and is provably the one the run started. */
export function agentAlive(record: RunRecord, opts: LivenessOptions = {}): boolean {
  return isOurs(record.agentPid, record.agentProof, opts);
}

export async function claimRun(paths: AgentPaths, command: RunRecord['command'], abort?: AbortSignal): Promise<RunClaim> {
  const lock = await acquireLock(paths.dir, { signal: abort, maxWaitMs: 15_000 });
  if (!lock) throw new ToolsError('ECMC', `could not lock ${paths.dir}`);
  try {
    const old = await readRunRecord(paths);
    if (old && old.pid !== process.pid && isOurs(old.pid, old.proof)) {
      throw new ToolsError('ECMC', `the agent is already run by teleport-tools cmc ${old.command} (pid ${old.pid}); stop it first with: teleport-tools cmc stop`);
    }
    // A killed run's watchdog stops its agent within 2 s; never start a second one on the same data.
    if (old && agentAlive(old) && !(await waitGone(old.agentPid as number, 3000, old.agentProof))) {
      throw new ToolsError('ECMC', `an agent left by an earlier run (pid ${old.agentPid}) is still running; stop it with: kill ${old.agentPid}`);
    }
    await writeRecord(paths, { pid: process.pid, proof: recordProof(process.pid), command, since: new Date().toISOString() });
  } finally {
    await lock.release();
  }
  let agent: Pick<RunRecord, 'agentPid' | 'agentProof'> = {};
  return {
    async setAgent(pid) {
      agent = { agentPid: pid, agentProof: recordProof(pid, { shows: configArg(paths) }) };
      const mine = await readRunRecord(paths);
      if (mine?.pid === process.pid) await writeRecord(paths, { ...mine, ...agent });
    },
    async release() {
      const mine = await readRunRecord(paths);
      if (mine?.pid === process.pid) await rm(paths.run, { force: true });
    },
  };
}

/**
 * Stops the profile's running agent: asks its `cmc start`/`setup` to stop (SIGTERM: it stops the agent
 * with SIGTERM, then SIGKILL after 5 s), and makes sure it is done. Every signal goes only to a process
 * that is provably the recorded one. Returns what was running.
 */
export async function stopRun(paths: AgentPaths, opts: LivenessOptions = {}): Promise<RunRecord | undefined> {
  const record = await readRunRecord(paths);
  if (!record) return undefined;
  const running = record.pid !== process.pid && isOurs(record.pid, record.proof, opts);
  const agentWasAlive = agentAlive(record, opts);
  if (running) {
    signalOurs(record.pid, record.proof, 'SIGTERM', opts);
    if (!(await waitGone(record.pid, 8000, record.proof, opts))) {
      signalOurs(record.pid, record.proof, 'SIGKILL', opts);
      await waitGone(record.pid, 2000, record.proof, opts);
    }
  }
  const agentPid = record.agentPid as number;
  if (agentAlive(record, opts) && !(await waitGone(agentPid, 3000, record.agentProof, opts))) {
    signalOurs(agentPid, record.agentProof, 'SIGKILL', opts);
    await waitGone(agentPid, 2000, record.agentProof, opts);
  }
  await rm(paths.run, { force: true });
  return running || agentWasAlive ? record : undefined;
}
