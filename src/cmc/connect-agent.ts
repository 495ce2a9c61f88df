/**
 * Teleport Connect shares the agent directory (`<userData>/agents/<profile>`), so it may run an agent
 * for the same profile: a process whose arguments name `<agent dir>/config.yaml`. One that teleport-tools
 * did not start (not in our run record) means Connect is sharing this computer for that profile, and
 * `cmc setup`/`start` must not start a second agent on the same data. We only look: such a process is
 * never signalled.
 *
 * Only processes of this user count (docs/behaviour.md item 27): Teleport Connect runs as the user,
 * and a process of anyone else that names our config must not block `cmc setup`, `start` or `remove`.
 *
 * How the processes are listed depends on the OS (a small table): Linux reads `/proc/<pid>/cmdline`
 * (arguments NUL-separated, so a path with spaces is one argument) and the owner of `/proc/<pid>`;
 * macOS has no /proc and asks `ps -axww -o pid=,uid=,args=`, whose arguments are joined by spaces, so
 * the path is matched as a whole word there: at the start or after a space or `=`, and followed by the
 * end or a space.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ToolsError } from '../errors.js';
import type { AgentPaths } from './paths.js';
import { pidRuns } from '../process-liveness.js';
import { agentAlive, readRunRecord } from './run-lock.js';

export interface ProcessInfo {
  pid: number;
  /** Whose process it is. */
  uid: number;
  /** The arguments, when the OS gives them one by one (Linux). */
  argv?: string[];
  /** The arguments joined by spaces (macOS `ps`). */
  args?: string;
}

export interface ScanOptions {
  /** Where Linux's process table is mounted (tests point it at a directory of their own). */
  procRoot?: string;
  /** The user whose processes count (default: this process's). */
  uid?: number;
}

/** Does one argument name the config: the path itself, or `--flag=<path>`? */
function argNames(arg: string, config: string): boolean {
  const flag = /^--?[A-Za-z][\w-]*=/.exec(arg)?.[0];
  return arg === config || (flag !== undefined && arg === `${flag}${config}`);
}

/** The same, for arguments joined by spaces (a path with spaces cannot be split back). */
export function joinedArgsName(args: string, config: string): boolean {
  for (let at = args.indexOf(config); at !== -1; at = args.indexOf(config, at + 1)) {
    const before = at === 0 ? ' ' : args[at - 1];
    const after = args[at + config.length];
    if ((before === ' ' || before === '=') && (after === undefined || after === ' ')) return true;
  }
  return false;
}

export function namesConfig(p: ProcessInfo, config: string): boolean {
  if (p.argv) return p.argv.some((a) => argNames(a, config));
  return p.args !== undefined && joinedArgsName(p.args, config);
}

/** `ps -axww -o pid=,uid=,args=` output: one process a line, the PID and the UID right-aligned, then its arguments. */
export function parsePs(text: string): ProcessInfo[] {
  const list: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line);
    if (m?.[1] && m[2] && m[3] !== undefined) list.push({ pid: Number(m[1]), uid: Number(m[2]), args: m[3].trim() });
  }
  return list;
}

async function listProc(opts: ScanOptions): Promise<ProcessInfo[]> {
  const root = opts.procRoot ?? '/proc';
  const list: ProcessInfo[] = [];
  // One at a time: thousands of processes must not run this process out of file descriptors.
  for (const pid of (await readdir(root)).filter((n) => /^\d+$/.test(n))) {
    try {
      const { uid } = await stat(`${root}/${pid}`);
      list.push({ pid: Number(pid), uid, argv: (await readFile(`${root}/${pid}/cmdline`, 'utf8')).split('\0') });
    } catch {
      // Gone while we looked (or not ours to read): not an agent we could be sharing with.
    }
  }
  return list;
}

async function listPs(): Promise<ProcessInfo[]> {
  const { stdout } = await promisify(execFile)('ps', ['-axww', '-o', 'pid=,uid=,args='], { maxBuffer: 16 * 1024 * 1024 });
  return parsePs(stdout);
}

const STRATEGIES: Partial<Record<NodeJS.Platform, (opts: ScanOptions) => Promise<ProcessInfo[]>>> = {
  linux: listProc,
  darwin: listPs,
};

/**
 * PIDs of live processes of this user whose arguments name `config`, except `exclude` (ours) and this process.
 * An OS without a strategy, or a listing that fails, finds nothing: this check must never be the
 * reason a command cannot run.
 */
export async function findConfigUsers(
  config: string,
  exclude: readonly number[] = [],
  platform: NodeJS.Platform = process.platform,
  opts: ScanOptions = {},
): Promise<number[]> {
  const list = STRATEGIES[platform];
  if (!list) return [];
  const processes = await list(opts).catch(() => [] as ProcessInfo[]);
  const uid = opts.uid ?? process.getuid?.();
  return processes
    .filter((p) => p.uid === uid && p.pid !== process.pid && !exclude.includes(p.pid) && namesConfig(p, config))
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

/** Agents for this profile that teleport-tools did not start: Teleport Connect's. */
export async function connectAgents(paths: AgentPaths, opts: ScanOptions & { platform?: NodeJS.Platform } = {}): Promise<number[]> {
  const record = await readRunRecord(paths);
  const ours = record && agentAlive(record) ? [record.agentPid as number] : [];
  // Alive now, not only when listed: an agent that has just exited (a zombie included) is no reason to refuse.
  return (await findConfigUsers(paths.config, ours, opts.platform, opts)).filter((pid) => pidRuns(pid));
}

export function sharedByConnect(pids: readonly number[]): string {
  return `shared by Teleport Connect (pid ${pids.join(', ')})`;
}

/** Refuses when Teleport Connect runs an agent for `profile`; never touches that agent. */
export async function refuseIfConnectShares(paths: AgentPaths, profile: string): Promise<void> {
  const pids = await connectAgents(paths);
  if (pids.length === 0) return;
  throw new ToolsError(
    'ECMC',
    `Teleport Connect is sharing this computer with ${profile} (its agent runs as pid ${pids.join(', ')}, with ${paths.config}); teleport-tools starts no second agent on the same agent directory. Stop sharing in Teleport Connect (Connect My Computer) first, or keep using Teleport Connect for ${profile}`,
  );
}
