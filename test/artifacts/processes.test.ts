// Installs in real processes (test/helpers/install-driver.ts): several at once on one cache, one killed
// mid-download or at each named point of the install, and Ctrl-C. No sleeps: the CDN's gate and the
// driver's event lines say when each process is where the test needs it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { STAGING_PREFIX } from '../../src/artifacts/install.js';
import { LOCK_NAME } from '../../src/artifacts/lock.js';
import { MANIFEST_NAME } from '../../src/artifacts/manifest.js';
import { archiveName } from '../../src/artifacts/release.js';
import type { Checkpoint } from '../../src/checkpoint.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import type { DriverRequest } from '../helpers/install-driver.js';
import { sha256Line } from '../helpers/release-layout.js';
import type { BuiltRelease } from '../helpers/release.js';
import { assertNothingLeft, cdnForFile, entries, freshCache, releaseRef, serveRelease, startDriver, tempDir } from './support.js';
import type { DriverRun, TestContext } from './support.js';

/**
 * Far longer than any test: a killed process's lock never goes stale here, so when the next install
 * gets in, it is because it saw the lock's holder (this host, its PID) no longer runs.
 */
const STALE_MS = 600_000;
/** A hang is a failure, not a stuck CI job. */
const TIMEOUT = { timeout: 60_000 };

let cdn: CdnServer;
let release: BuiltRelease;
cdnForFile(async (shared) => {
  cdn = shared.cdn;
  // Big enough to still be streaming when a test acts on the first progress line.
  release = await serveRelease(cdn, shared.releases, { version: '13.2.3', padBytes: 3_000_000 });
});


/** Serves the built archive as release `version` (its own URL, so concurrent tests do not share gates). */
function serveAs(version: string): string {
  const name = archiveName(releaseRef(version));
  cdn.serve(`/${name}`, { file: release.archivePath });
  cdn.serve(`/${name}.sha256`, sha256Line(release.sha256, name));
  return `/${name}`;
}

const request = (dir: string, version: string): DriverRequest => ({ cdn: cdn.url, version, cacheDir: dir, lockStaleMs: STALE_MS });

async function assertInstalled(dir: string, version: string, rest: string[] = []): Promise<void> {
  assert.deepEqual(await entries(dir), [...rest, version], 'the version directory, and no staging or trash');
  assert.deepEqual(await entries(join(dir, version)), [MANIFEST_NAME, 'tctl', 'tsh']);
  const manifest = JSON.parse(await readFile(join(dir, version, MANIFEST_NAME), 'utf8')) as { sha256: string };
  assert.equal(manifest.sha256, release.sha256);
}

async function assertSucceeded(run: DriverRun, downloaded: boolean): Promise<void> {
  const { result, stderr } = await run.done;
  assert.equal(result?.ok, true, `${result?.code}: ${result?.message} ${stderr}`);
  assert.equal(result.downloaded, downloaded);
}

/** Resolves once `n` of `runs` have said they wait for the lock. */
function waiting(runs: DriverRun[], n: number): Promise<void> {
  let said = 0;
  return new Promise((resolve) => {
    for (const run of runs) void run.next('wait').then(() => ++said === n && resolve(), () => undefined);
  });
}

/** Starts `n` installs on one empty cache at once; exactly one downloads, the rest wait and use it. */
async function race(t: TestContext, n: number, version: string): Promise<void> {
  const path = serveAs(version);
  const dir = await freshCache(t, 'tt-processes-');
  const gate = cdn.gate(path);
  const runs = Array.from({ length: n }, () => startDriver(request(dir, version)));
  await gate.arrived(1); // one process holds the lock and asked for the archive
  await waiting(runs, n - 1); // every other one found the lock taken
  gate.release();
  const outcomes = await Promise.all(runs.map((r) => r.done));
  for (const o of outcomes) assert.equal(o.result?.ok, true, `${o.result?.code}: ${o.result?.message} ${o.stderr}`);
  assert.equal(outcomes.filter((o) => o.result?.downloaded).length, 1, 'exactly one process downloaded');
  assert.equal(cdn.count(path), 1, 'one archive download');
  assert.equal(cdn.count(`${path}.sha256`), 1, 'one checksum request');
  await assertInstalled(dir, version);
}

describe('installs racing in separate processes', { concurrency: true }, () => {
  test('two at once: one download, both succeed', TIMEOUT, (t) => race(t, 2, '13.5.2'));
  test('eight at once: one download, all succeed', TIMEOUT, (t) => race(t, 8, '13.5.8'));
});

describe('killed installs', { concurrency: true }, () => {
  test('SIGKILL mid-download: the next install takes over the dead holder\'s lock at once, sweeps staging and succeeds', TIMEOUT, async (t) => {
    const version = '13.6.0';
    const path = serveAs(version);
    const dir = await freshCache(t, 'tt-processes-');
    const gate = cdn.gate(path);
    const first = startDriver(request(dir, version));
    await gate.arrived(1);
    first.child.kill('SIGKILL');
    assert.equal((await first.done).signal, 'SIGKILL');
    const left = await entries(dir);
    assert.equal(left.length, 2);
    assert.equal(left[0], LOCK_NAME);
    assert.ok(left[1]?.startsWith(`${STAGING_PREFIX}${version}-`), 'the killed process left its lock and staging');
    gate.release();
    // The dead process's lock is still fresh (STALE_MS): only the check of its holder lets the next one in.
    const second = startDriver(request(dir, version));
    await assertSucceeded(second, true);
    assert.deepEqual(second.events.filter((e) => e.event === 'wait'), [], 'a dead holder is no reason to wait');
    await assertInstalled(dir, version);
  });

  // Killed at each named point: the cache holds the old state or the new one, never a partial version,
  // and the next install completes (downloading again only when the rename had not happened). Killed
  // after the rename, the dead process's lock stays until an install needs the lock again: the next
  // one finds the version in place and takes no lock at all.
  const points: [Checkpoint, boolean][] = [
    ['lock-taken', false],
    ['archive-streaming', false],
    ['digest-verified', false],
    ['staging-complete', false],
    ['renamed', true],
    ['lock-released', true],
  ];
  points.forEach(([point, published], i) => {
    const deadLock = point === 'renamed' ? [LOCK_NAME] : [];
    test(`killed at ${point}: ${published ? 'already published' : 'nothing published'}, then the next install succeeds`, TIMEOUT, async (t) => {
      const version = `13.7.${i}`;
      serveAs(version);
      const dir = await freshCache(t, 'tt-processes-');
      const crashed = await startDriver(request(dir, version), { TELEPORT_TOOLS_TEST_CRASH_AT: point }).done;
      assert.equal(crashed.signal, 'SIGKILL', `the driver reached ${point}: ${crashed.stderr}`);
      const left = await entries(dir);
      assert.equal(left.includes(version), published);
      if (published) assert.deepEqual(await entries(join(dir, version)), [MANIFEST_NAME, 'tctl', 'tsh']);
      await assertSucceeded(startDriver(request(dir, version)), !published);
      await assertInstalled(dir, version, deadLock);
    });
  });

  test('a killed launcher (installTools) is taken over at once, without waiting out the 10 s stale time', TIMEOUT, async (t) => {
    const version = '13.8.0';
    serveAs(version);
    const home = join(await tempDir(t, 'tt-processes-'), '.tsh');
    const env = { TELEPORT_HOME: home, TELEPORT_CDN_BASE_URL: cdn.url };
    const crashed = await startDriver({ mode: 'tools', version }, { ...env, TELEPORT_TOOLS_TEST_CRASH_AT: 'archive-streaming' }).done;
    assert.equal(crashed.signal, 'SIGKILL');
    await assertSucceeded(startDriver({ mode: 'tools', version }, env), true);
    await assertInstalled(join(home, 'cache'), version);
    assert.equal(await readFile(join(home, 'cloud-stable-version'), 'utf8'), `${version}\n`);
  });
});

describe('Ctrl-C', () => {
  test('SIGINT mid-download cancels: ECANCELLED, no staging, no lock', TIMEOUT, async (t) => {
    const version = '13.9.0';
    const path = serveAs(version);
    cdn.behave(path, { kind: 'slow', bytesPerSecond: 1_000_000 });
    const dir = await freshCache(t, 'tt-processes-');
    const run = startDriver(request(dir, version));
    await run.next('progress');
    run.child.kill('SIGINT');
    const { result, code } = await run.done;
    assert.equal(code, 1);
    assert.equal(result?.code, 'ECANCELLED');
    assert.equal(result.message, 'download cancelled');
    await assertNothingLeft(dir);
  });
});

describe('retention through the launchers’ install (installTools)', () => {
  test('the two most recently installed versions are kept', TIMEOUT, async (t) => {
    const home = join(await tempDir(t, 'tt-processes-'), '.tsh');
    const env = { TELEPORT_HOME: home, TELEPORT_CDN_BASE_URL: cdn.url };
    for (const version of ['14.0.0', '14.1.0', '13.0.0']) {
      serveAs(version);
      await assertSucceeded(startDriver({ mode: 'tools', version }, env), true);
    }
    assert.deepEqual(await entries(join(home, 'cache')), ['13.0.0', '14.1.0']);
    assert.equal(await readFile(join(home, 'cloud-stable-version'), 'utf8'), '13.0.0\n');
  });
});
