/**
 * At most one process runs a profile's agent: a `cmc start`, or `cmc setup` while it joins. It says so
 * in `<agent dir>/teleport-tools-run.json` (its PID and the agent's); a record whose process is gone is
 * stale and taken over, under a short lock so two processes never both take it.
 */
import { readFile, rm } from 'node:fs/promises';
import { ToolsError } from '../errors.js';
import { writeFileAtomic } from '../write-file-atomic.js';
import { acquireLock } from '../artifacts/lock.js';
import type { AgentPaths } from './paths.js';
import { isAlive, processStartTime, signal, waitGone } from './pids.js';

export interface RunRecord {
  pid: number;
  startTime?: string | undefined;
  command: 'start' | 'setup';
  since: string;
  agentPid?: number | undefined;
  agentStartTime?: string | undefined;
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
export async function currentRun(paths: AgentPaths): Promise<RunRecord | undefined> {
  const record = await readRunRecord(paths);
  return record && isAlive(record.pid, record.startTime) ? record : undefined;
}

function agentAlive(record: RunRecord): boolean {
  return record.agentPid !== undefined && isAlive(record.agentPid, record.agentStartTime);
}

export async function claimRun(paths: AgentPaths, command: RunRecord['command'], abort?: AbortSignal): Promise<RunClaim> {
  const lock = await acquireLock(paths.dir, { signal: abort, maxWaitMs: 15_000 });
  if (!lock) throw new ToolsError('ECMC', `could not lock ${paths.dir}`);
  try {
    const old = await readRunRecord(paths);
    if (old && old.pid !== process.pid && isAlive(old.pid, old.startTime)) {
      throw new ToolsError('ECMC', `the agent is already run by teleport-tools cmc ${old.command} (pid ${old.pid}); stop it first with: teleport-tools cmc stop`);
    }
    // A killed run's watchdog stops its agent within 2 s; never start a second one on the same data.
    if (old && agentAlive(old) && !(await waitGone(old.agentPid as number, 3000, old.agentStartTime))) {
      throw new ToolsError('ECMC', `an agent left by an earlier run (pid ${old.agentPid}) is still running; stop it with: kill ${old.agentPid}`);
    }
    await writeRecord(paths, { pid: process.pid, startTime: processStartTime(process.pid), command, since: new Date().toISOString() });
  } finally {
    await lock.release();
  }
  let agent: Pick<RunRecord, 'agentPid' | 'agentStartTime'> = {};
  return {
    async setAgent(pid) {
      agent = { agentPid: pid, agentStartTime: processStartTime(pid) };
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
 * with SIGTERM, then SIGKILL after 5 s), and makes sure it is done. Returns what was running.
 */
export async function stopRun(paths: AgentPaths): Promise<RunRecord | undefined> {
  const record = await readRunRecord(paths);
  if (!record) return undefined;
  const running = isAlive(record.pid, record.startTime) && record.pid !== process.pid;
  const agentWasAlive = agentAlive(record);
  if (running) {
    signal(record.pid, 'SIGTERM');
    if (!(await waitGone(record.pid, 8000, record.startTime))) {
      signal(record.pid, 'SIGKILL');
      await waitGone(record.pid, 2000, record.startTime);
    }
  }
  if (agentAlive(record) && !(await waitGone(record.agentPid as number, 3000, record.agentStartTime))) {
    signal(record.agentPid as number, 'SIGKILL');
    await waitGone(record.agentPid as number, 2000, record.agentStartTime);
  }
  await rm(paths.run, { force: true });
  return running || agentWasAlive ? record : undefined;
}
