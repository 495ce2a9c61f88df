/**
 * Who holds a cache lock: `<lock>/holder` names the host, the PID and that process's start time. A
 * waiter on the same host can then tell a dead holder from a slow one at once, instead of waiting for
 * the lock to go stale; the start time keeps a PID that the system reused for another process from
 * passing for the holder. Holders on other hosts (a shared home directory) cannot be checked: for
 * them, and for a holder file that cannot be read, the staleness timeout decides as before.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { observeProcess } from '../process-liveness.js';

export const HOLDER_NAME = 'holder';

export interface Holder {
  host: string;
  pid: number;
  /** Opaque start time of the process (process-liveness.ts); null where unknown. */
  start: string | null;
}

/** The start time of `pid`, undefined when it does not run (or is a zombie), null when unknowable here. */
export function processStart(pid: number): string | null | undefined {
  const seen = observeProcess(pid);
  return seen === 'gone' ? undefined : seen === 'unknown' ? null : seen.start;
}

export function currentHolder(): Holder {
  return { host: hostname(), pid: process.pid, start: processStart(process.pid) ?? null };
}

export async function writeHolder(lockPath: string): Promise<void> {
  await writeFile(join(lockPath, HOLDER_NAME), `${JSON.stringify(currentHolder())}\n`, { mode: 0o644 }).catch(() => undefined);
}

/** The recorded holder, or undefined when there is none yet or it is not one we wrote. */
export async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    const h = JSON.parse(await readFile(join(lockPath, HOLDER_NAME), 'utf8')) as Partial<Holder> | null;
    if (!h || typeof h.host !== 'string' || !Number.isSafeInteger(h.pid) || (h.pid as number) <= 0) return undefined;
    if (h.start !== null && typeof h.start !== 'string') return undefined;
    return { host: h.host, pid: h.pid as number, start: h.start };
  } catch {
    return undefined;
  }
}

export function sameHolder(a: Holder, b: Holder): boolean {
  return a.host === b.host && a.pid === b.pid && a.start === b.start;
}

/** True only when `holder` is on this host and certainly gone (its PID runs no process, or another one). */
export function holderIsDead(holder: Holder): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  const start = processStart(holder.pid);
  if (start === undefined) return true;
  return holder.start !== null && start !== null && start !== holder.start;
}
