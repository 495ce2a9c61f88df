/**
 * Signals for the processes Connect My Computer started, and only for them: each is recorded with its
 * proof (start time and command line, process-liveness.ts) and checked again right before every
 * signal (docs/behaviour.md item 27). A record without proof is stale: nobody is signalled for it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isSameProcess, proofOf } from '../process-liveness.js';
import type { ProcessProof } from '../process-liveness.js';

export type { ProcessProof } from '../process-liveness.js';

/** How processes are looked at: the OS's own way unless a test asks for another's. */
export interface LivenessOptions {
  platform?: NodeJS.Platform | undefined;
}

/**
 * The proof of `pid` to record, undefined where the OS does not give it. `shows`: the part of the
 * command line to require instead of all of it, for a process just started (it may not have exec'd
 * its final program yet).
 */
export function recordProof(pid: number, opts: LivenessOptions & { shows?: string } = {}): ProcessProof | undefined {
  const proof = proofOf(pid, opts.platform);
  return proof && { start: proof.start, command: opts.shows ?? proof.command };
}

/** Does the recorded process still run (same PID, start time and command line)? */
export function isOurs(pid: number | undefined, proof: ProcessProof | undefined, opts: LivenessOptions = {}): boolean {
  return pid !== undefined && Number.isSafeInteger(pid) && pid > 0 && isSameProcess(pid, proof, opts.platform);
}

/** Waits until the recorded process is gone (or no longer provably ours); true if that happened within `ms`. */
export async function waitGone(pid: number, ms: number, proof: ProcessProof | undefined, opts: LivenessOptions = {}): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isOurs(pid, proof, opts)) {
    if (Date.now() >= deadline) return false;
    await delay(25);
  }
  return true;
}

/** Sends `sig` to the recorded process only if it is still provably ours. */
export function signalOurs(pid: number, proof: ProcessProof | undefined, sig: NodeJS.Signals, opts: LivenessOptions = {}): boolean {
  if (!isOurs(pid, proof, opts)) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // gone meanwhile
  }
}
