/**
 * Windows refuses to rename or delete a file that is open, and antivirus scanners open every new
 * executable for a moment after it is written: a rename that fails with EPERM, EBUSY or EACCES there
 * is tried again a few times before it counts (docs/behaviour.md item 24). Anywhere else, and for any
 * other error, the first failure counts.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const BUSY = new Set(['EPERM', 'EBUSY', 'EACCES']);

export interface RetryOptions {
  platform?: string;
  attempts?: number;
  /** Wait before the second attempt; doubled for each one after it. */
  firstDelayMs?: number;
}

/** Is this the error Windows gives for a file in use? */
export function isBusy(err: unknown): boolean {
  return BUSY.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

export async function retryBusy<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const { platform = process.platform, attempts = 5, firstDelayMs = 50 } = opts;
  for (let attempt = 1, delay = firstDelayMs; ; attempt++, delay *= 2) {
    try {
      return await fn();
    } catch (err) {
      if (platform !== 'win32' || !isBusy(err) || attempt >= attempts) throw err;
      await sleep(delay);
    }
  }
}
