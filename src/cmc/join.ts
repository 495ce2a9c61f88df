/**
 * Has the agent joined? (RFD 0133, as Connect checks it.) First `data/host_uuid` must appear (up to
 * 15 s), then the node of that UUID must be in the cluster, polled every 5 s for up to 15 s more. An
 * agent that exits meanwhile fails the wait at once; every failure carries the agent's last lines.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { ToolsError } from '../errors.js';
import type { ClientTools, Node } from './cluster.js';
import { getNode } from './cluster.js';
import type { AgentPaths } from './paths.js';
import type { AgentExit, AgentProcess } from './process.js';
import { describeExit } from './process.js';

export const HOST_UUID_TIMEOUT_MS = 15_000;
export const NODE_POLL_MS = 5_000;
export const NODE_TIMEOUT_MS = 15_000;
const FILE_POLL_MS = 100;

export class AgentFailed extends ToolsError {
  readonly lines: string[];

  constructor(message: string, lines: string[]) {
    super('ECMC', lines.length ? `${message}; its last lines:\n  ${lines.join('\n  ')}` : message);
    this.lines = lines;
  }
}

export async function readHostUuid(paths: AgentPaths): Promise<string | undefined> {
  const text = await readFile(paths.hostUuid, 'utf8').catch(() => '');
  return text.trim() || undefined;
}

type Waited<T> = { value: T } | { exit: AgentExit } | { aborted: true };

/** Polls `probe` until it yields a value, the agent exits, `signal` aborts, or the time is up. */
async function poll<T>(probe: () => Promise<T | undefined>, everyMs: number, timeoutMs: number, agent: AgentProcess, signal?: AbortSignal): Promise<Waited<T> | undefined> {
  const deadline = Date.now() + timeoutMs;
  let exit: AgentExit | undefined;
  void agent.exited.then((e) => {
    exit = e;
  });
  const wake = new AbortController();
  void agent.exited.then(() => wake.abort());
  signal?.addEventListener('abort', () => wake.abort(), { once: true });
  for (;;) {
    if (signal?.aborted) return { aborted: true };
    const value = await probe();
    if (value !== undefined) return { value };
    if (exit) return { exit };
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await delay(Math.min(everyMs, left), undefined, { signal: wake.signal }).catch(() => undefined);
    if (exit) return { exit };
  }
}

function fail(agent: AgentProcess, message: string): never {
  throw new AgentFailed(message, agent.lastLines());
}

export interface Joined {
  uuid: string;
  node: Node;
}

/** Resolves once the node is in the cluster; undefined when `signal` aborted the wait. */
export async function waitUntilJoined(tools: ClientTools, paths: AgentPaths, agent: AgentProcess, signal?: AbortSignal): Promise<Joined | undefined> {
  const uuid = await poll(() => readHostUuid(paths), FILE_POLL_MS, HOST_UUID_TIMEOUT_MS, agent, signal);
  if (!uuid) fail(agent, `the agent wrote no ${paths.hostUuid} within ${HOST_UUID_TIMEOUT_MS / 1000} s`);
  if ('aborted' in uuid) return undefined;
  if ('exit' in uuid) fail(agent, `the agent ${describeExit(uuid.exit)} before it started`);
  const node = await poll(() => getNode(tools, uuid.value), NODE_POLL_MS, NODE_TIMEOUT_MS, agent, signal);
  if (!node) fail(agent, `node ${uuid.value} did not appear in the cluster within ${NODE_TIMEOUT_MS / 1000} s after the agent started`);
  if ('aborted' in node) return undefined;
  if ('exit' in node) fail(agent, `the agent ${describeExit(node.exit)} before it joined the cluster`);
  return { uuid: uuid.value, node: node.value };
}
