/**
 * The exclusive install lock of one cache directory (proper-lockfile: a `.lock` directory whose mtime
 * the holder refreshes; one left by a dead holder goes stale and is taken over). While waiting we say
 * so once, and keep checking whether the thing we are waiting for is already done by the holder.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ToolsError, fsError } from '../errors.js';

export const LOCK_NAME = '.lock';

export interface LockOptions {
  /** Called once, when another process holds the lock. */
  onWait?: () => void;
  /** While waiting: true means the holder already did our work, so stop waiting without the lock. */
  isDone?: () => Promise<boolean>;
  signal?: AbortSignal | undefined;
  /** How long to wait for a live holder before giving up. */
  maxWaitMs?: number;
  /** A lock not refreshed for this long belongs to a dead process. */
  staleMs?: number;
}

export interface Lock {
  /** Aborted when the lock was lost (taken over as stale while we still worked). */
  compromised: AbortSignal;
  release(): Promise<void>;
}

const POLL_MS = 100;

/** Takes the lock, or resolves `undefined` when isDone() said the work is already done. */
export async function acquireLock(dir: string, opts: LockOptions = {}): Promise<Lock | undefined> {
  const lost = new AbortController();
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = Date.now() + (opts.maxWaitMs ?? 30 * 60_000);
  let told = false;
  for (;;) {
    try {
      const release = await lockfile.lock(dir, {
        lockfilePath: join(dir, LOCK_NAME),
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 4)),
        retries: 0,
        onCompromised: (err) => lost.abort(new ToolsError('ELOCKED', `lost the lock on ${dir}: ${err.message}`, { cause: err })),
      });
      return {
        compromised: lost.signal,
        release: async () => {
          await release().catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw fsError(`cannot take the lock ${join(dir, LOCK_NAME)}`, err);
    }
    if (!told) {
      told = true;
      opts.onWait?.();
    }
    if (opts.isDone && (await opts.isDone())) return undefined;
    if (Date.now() > deadline) {
      throw new ToolsError('ELOCKED', `another teleport-tools process has held ${join(dir, LOCK_NAME)} for too long; if none is running, remove that directory`);
    }
    try {
      await delay(POLL_MS, undefined, { signal: opts.signal });
    } catch {
      throw new ToolsError('ECANCELLED', 'cancelled while waiting for another install');
    }
  }
}
