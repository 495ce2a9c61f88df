/**
 * The cache lock's holder file: read as a holder (host, positive PID, start time or null) or as
 * nothing; never an exception. Whatever is read can be compared and judged dead or alive, also as if
 * it were on this host.
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { HOLDER_NAME, holderIsDead, readHolder, sameHolder } from '../adapters/lock-holder.js';
import { check } from '../lib/check.js';
import { reusedDir } from '../lib/scratch.js';

export async function fuzz(data: Buffer): Promise<void> {
  const lock = reusedDir('lock');
  writeFileSync(join(lock, HOLDER_NAME), data);
  const holder = await readHolder(lock);
  if (!holder) return;
  check(typeof holder.host === 'string', 'host is not a string');
  check(Number.isSafeInteger(holder.pid) && holder.pid > 0, `pid ${holder.pid}`);
  check(holder.start === null || typeof holder.start === 'string', 'start is neither a string nor null');
  check(sameHolder(holder, { ...holder }), 'a holder is not the same as itself');
  for (const h of [holder, { ...holder, host: hostname() }]) check(typeof holderIsDead(h) === 'boolean', 'holderIsDead answered no boolean');
}
