import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LOCK_NAME, acquireLock } from '../../src/artifacts/lock.js';
import { HOLDER_NAME, currentHolder, processStart, readHolder } from '../../src/artifacts/lock-holder.js';
import type { Holder } from '../../src/artifacts/lock-holder.js';
import { isToolsError } from '../../src/errors.js';
import { entries, rejectsWith, tempDir } from './support.js';

describe('cache lock', () => {
  test('is exclusive: a second taker waits, says so once, and gets it on release', async (t) => {
    const dir = await tempDir(t);
    const first = await acquireLock(dir);
    assert.ok(first);
    assert.deepEqual(await entries(dir), [LOCK_NAME]);
    let waits = 0;
    let polled = 0;
    let releaseFirst!: () => void;
    const polledTwice = new Promise<void>((resolve) => (releaseFirst = resolve));
    const second = acquireLock(dir, {
      onWait: () => waits++,
      isDone: async () => {
        if (++polled === 2) releaseFirst();
        return false;
      },
    });
    await polledTwice;
    await first.release();
    const lock = await second;
    assert.ok(lock, 'the second taker holds the lock');
    assert.equal(waits, 1, 'onWait is called once, however long the wait');
    await lock.release();
    assert.deepEqual(await entries(dir), [], 'release removes the lock');
  });

  test('a waiter whose work the holder did stops waiting without the lock', async (t) => {
    const dir = await tempDir(t);
    const holder = await acquireLock(dir);
    assert.ok(holder);
    const result = await acquireLock(dir, { isDone: async () => true });
    assert.equal(result, undefined);
    await holder.release();
  });

  test('a lock left by a dead process (not refreshed for longer than staleMs) is taken over', async (t) => {
    const dir = await tempDir(t);
    await mkdir(join(dir, LOCK_NAME));
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, LOCK_NAME), old, old);
    let waited = false;
    const lock = await acquireLock(dir, { onWait: () => (waited = true) });
    assert.ok(lock);
    assert.equal(waited, false, 'a stale lock is no reason to wait');
    await lock.release();
  });

  test('cancelling while waiting is ECANCELLED and leaves the holder alone', async (t) => {
    const dir = await tempDir(t);
    const holder = await acquireLock(dir);
    assert.ok(holder);
    const cancel = new AbortController();
    const waiting = acquireLock(dir, { signal: cancel.signal, onWait: () => cancel.abort() });
    await assert.rejects(waiting, (err: unknown) => {
      assert.ok(isToolsError(err, 'ECANCELLED'));
      assert.equal(err.message, 'cancelled while waiting for another install');
      return true;
    });
    assert.deepEqual(await entries(dir), [LOCK_NAME]);
    await holder.release();
  });

  test('giving up on a live holder names the lock and the way out', async (t) => {
    const dir = await tempDir(t);
    const holder = await acquireLock(dir);
    assert.ok(holder);
    await assert.rejects(acquireLock(dir, { maxWaitMs: 0 }), (err: unknown) => {
      assert.ok(isToolsError(err, 'ELOCKED'));
      assert.equal(err.message, `another teleport-tools process has held ${join(dir, LOCK_NAME)} for too long; if none is running, remove that directory`);
      return true;
    });
    await holder.release();
  });

  test('a holder whose lock was taken from it learns through `compromised`', async (t) => {
    const dir = await tempDir(t);
    const holder = await acquireLock(dir, { staleMs: 2000 });
    assert.ok(holder);
    // Another process decided the lock was stale and removed it: the next refresh notices.
    await rm(join(dir, LOCK_NAME), { recursive: true });
    // proper-lockfile's refresh timer is unref'd; real installs keep the loop busy with the download.
    const busy = setInterval(() => undefined, 1000);
    await once(holder.compromised, 'abort').finally(() => clearInterval(busy));
    const reason: unknown = holder.compromised.reason;
    assert.ok(isToolsError(reason, 'ELOCKED'), String(reason));
    assert.match(reason.message, /^lost the lock on /);
    await holder.release();
  });

  test('a lock that cannot be taken (no cache directory) is EFS, not a wait', async (t) => {
    const dir = join(await tempDir(t), 'missing', 'cache');
    await assert.rejects(acquireLock(dir), rejectsWith('EFS', `cannot take the lock ${join(dir, LOCK_NAME)}: ENOENT: no such file or directory, mkdir '${join(dir, LOCK_NAME)}'`));
  });

  test('a stale lock that is not a directory (not ours) is EFS naming it', async (t) => {
    const dir = await tempDir(t);
    await writeFile(join(dir, LOCK_NAME), 'not a lock');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, LOCK_NAME), old, old);
    await assert.rejects(acquireLock(dir), rejectsWith('EFS', new RegExp(`^cannot take the lock ${join(dir, LOCK_NAME)}: `)));
  });
});

describe('the lock\'s holder', () => {
  /** Far longer than any test: only the holder check can explain taking such a lock. */
  const NEVER_STALE = 600_000;

  /** A lock directory as a holder wrote it, fresh (so proper-lockfile would wait for it). */
  async function heldBy(dir: string, holder: unknown): Promise<void> {
    await mkdir(join(dir, LOCK_NAME));
    await writeFile(join(dir, LOCK_NAME, HOLDER_NAME), typeof holder === 'string' ? holder : JSON.stringify(holder));
  }

  /** The PID of a process that has just ended (and been reaped). */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'close');
    return child.pid as number;
  }

  test('names this host, this PID and its start time', async (t) => {
    const dir = await tempDir(t);
    const lock = await acquireLock(dir, { staleMs: NEVER_STALE });
    assert.ok(lock);
    const holder = JSON.parse(await readFile(join(dir, LOCK_NAME, HOLDER_NAME), 'utf8')) as Holder;
    assert.deepEqual(holder, currentHolder());
    assert.equal(holder.host, hostname());
    assert.equal(holder.pid, process.pid);
    if (process.platform === 'linux') assert.match(holder.start ?? '', /^\d+$/);
    await lock.release();
    assert.deepEqual(await entries(dir), [], 'release removes the lock and its holder file');
  });

  test('a holder on this host that no longer runs: taken over at once, without waiting', async (t) => {
    const dir = await tempDir(t);
    await heldBy(dir, { host: hostname(), pid: await deadPid(), start: '1' });
    let waited = false;
    const lock = await acquireLock(dir, { staleMs: NEVER_STALE, onWait: () => (waited = true) });
    assert.ok(lock);
    assert.equal(waited, false);
    assert.deepEqual(await readHolder(join(dir, LOCK_NAME)), currentHolder(), 'the lock is ours now');
    await lock.release();
  });

  test('a PID that now belongs to another process (another start time) is not the holder', { skip: process.platform !== 'linux' ? 'start times are read from /proc' : false }, async (t) => {
    const dir = await tempDir(t);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    t.after(() => child.kill());
    const pid = child.pid as number;
    await heldBy(dir, { host: hostname(), pid, start: `${Number(processStart(pid)) + 1}` });
    const lock = await acquireLock(dir, { staleMs: NEVER_STALE, maxWaitMs: 0 });
    assert.ok(lock);
    await lock.release();
    // The same PID with its real start time is a live holder: no takeover.
    await heldBy(dir, { host: hostname(), pid, start: processStart(pid) });
    await assert.rejects(acquireLock(dir, { staleMs: NEVER_STALE, maxWaitMs: 0 }), rejectsWith('ELOCKED', /has held .* for too long/));
  });

  const unknown: [string, (pid: number) => unknown][] = [
    ['a holder on another host (a shared home directory)', (pid) => ({ host: `not-${hostname()}`, pid, start: null })],
    ['a holder file with garbage in it', () => 'garbage {'],
    ['a holder file with a PID that is not one', () => ({ host: hostname(), pid: -1, start: null })],
  ];
  for (const [name, holder] of unknown) {
    test(`${name}: the staleness timeout decides, as before`, async (t) => {
      const dir = await tempDir(t);
      await heldBy(dir, holder(await deadPid()));
      await assert.rejects(acquireLock(dir, { staleMs: NEVER_STALE, maxWaitMs: 0 }), rejectsWith('ELOCKED', /has held .* for too long/));
      const old = new Date(Date.now() - 60_000);
      await utimes(join(dir, LOCK_NAME), old, old);
      const lock = await acquireLock(dir, { staleMs: 10_000 });
      assert.ok(lock, 'taken once stale');
      await lock.release();
    });
  }
});
