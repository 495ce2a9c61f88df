/**
 * Is a process still there, and is it still the one we recorded? A PID alone can be reused, so on
 * Linux we also record the process's start time (/proc/<pid>/stat field 22) and compare it; a zombie
 * (exited, not yet reaped) counts as gone.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: split after its closing one.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The start time of `pid` where the OS tells it cheaply (Linux), else undefined. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

export function isAlive(pid: number, startTime?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (stat?.[0] === 'Z' || stat?.[0] === 'X') return false;
  return startTime === undefined || stat === undefined || stat[19] === startTime;
}

/** Waits until the process is gone; true if it went within `ms`. */
export async function waitGone(pid: number, ms: number, startTime?: string): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await delay(25);
  }
  return true;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}
