/**
 * The exclusive install lock of one cache directory (proper-lockfile: a `.lock` directory whose mtime
 * the holder refreshes; one left by a dead holder goes stale and is taken over). The directory also
 * names its holder (lock-holder.ts), so that a waiter on the same host takes over at once from a
 * holder that died. While waiting we say so once, and keep checking whether the thing we are waiting
 * for is already done by the holder.
 */
import * as fs from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { ToolsError, fsError } from '../errors.js';
import { holderIsDead, readHolder, sameHolder, writeHolder } from './lock-holder.js';
import type { Holder } from './lock-holder.js';

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
/** A takeover takes milliseconds; a guard older than this was left by a waiter that died in it. */
const GUARD_STALE_MS = 5_000;

/**
 * proper-lockfile's file system, with two changes: the holder file is written inside the new lock
 * directory before the library first reads its mtime (so writing it does not look like another
 * process touching the lock), and removing the lock removes the holder file with it.
 */
const lockFs = {
  ...fs,
  mkdir(path: string, cb: (err: NodeJS.ErrnoException | null) => void): void {
    fs.mkdir(path, (err) => {
      if (err) return cb(err);
      writeHolder(path).then(() => cb(null), () => cb(null));
    });
  },
  rmdir(path: string, cb: (err: NodeJS.ErrnoException | null) => void): void {
    fs.rmdir(path, (err) => {
      if (err?.code === 'ENOTEMPTY' || err?.code === 'EEXIST') fs.rm(path, { recursive: true }, cb);
      else cb(err);
    });
  },
};

/**
 * Removes the lock of `dead` if that is still its holder. A guard directory makes waiters take over
 * one at a time, so none of them can remove a lock that another one has just taken.
 */
async function takeOver(lockPath: string, dead: Holder): Promise<boolean> {
  const guard = `${lockPath}.takeover`;
  try {
    await mkdir(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    const s = await stat(guard).catch(() => undefined);
    if (s && s.mtimeMs < Date.now() - GUARD_STALE_MS) await rm(guard, { recursive: true, force: true });
    return false;
  }
  try {
    const now = await readHolder(lockPath);
    if (!now || !sameHolder(now, dead)) return false;
    await rm(lockPath, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  } finally {
    await rm(guard, { recursive: true, force: true });
  }
}

/** Takes the lock, or resolves `undefined` when isDone() said the work is already done. */
export async function acquireLock(dir: string, opts: LockOptions = {}): Promise<Lock | undefined> {
  const lost = new AbortController();
  const staleMs = opts.staleMs ?? 10_000;
  const deadline = Date.now() + (opts.maxWaitMs ?? 30 * 60_000);
  let told = false;
  // Loaded here: the launcher's bundle must not load it on runs that never take the lock.
  const { default: lockfile } = await import('proper-lockfile');
  for (;;) {
    try {
      const release = await lockfile.lock(dir, {
        lockfilePath: join(dir, LOCK_NAME),
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 4)),
        retries: 0,
        fs: lockFs,
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
    const holder = await readHolder(join(dir, LOCK_NAME));
    if (holder && holderIsDead(holder) && (await takeOver(join(dir, LOCK_NAME), holder))) continue;
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
