// The crash matrix, end to end: `tsh login` to a Cloud proxy, installing the new cloud-stable version,
// SIGKILLed at each named step of the install (TELEPORT_TOOLS_TEST_CRASH_AT). Whatever the step, the cache
// holds only complete verified versions, cloud-stable-version names an installed one (the old or the new),
// tsh runs, and the next `tsh login` finishes the update and leaves no staging. Killed while holding the
// lock, the next run takes it over at once (the lock names a holder on this host that no longer runs)
// instead of waiting for it to go stale. The same points in a bare install process:
// test/artifacts/processes.test.ts.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Checkpoint } from '../../src/checkpoint.js';
import { leftovers, recordedVersion, verifiedVersions } from '../helpers/cache-invariants.js';
import { fakeVersion, versionLine } from '../helpers/fake-programs.js';
import type { RunResult } from '../helpers/sandbox.js';
import { world } from '../launcher/world.js';
import type { World } from '../launcher/world.js';

const V1 = '13.2.3';
const V2 = '13.3.0';
const LOGIN = ['login', '--proxy=acme.teleport.sh'];
const TIMEOUT = { timeout: 60_000 };
/** What the shim reports when its Node.js child was killed by SIGKILL: 128 + 9. */
const KILLED = 137;

const versionOut = (v: string): string => `${versionLine(fakeVersion({ version: v }))}\n`;

interface Point {
  point: Checkpoint;
  /** Was the new version in place when the process died? Recorded in cloud-stable-version? */
  published: boolean;
  recorded: boolean;
  /** Did the dead process still hold the lock (so the next run, needing it, says it waits)? */
  heldLock: boolean;
  /** Had it requested the archive? */
  fetched: boolean;
}

const POINTS: Point[] = [
  { point: 'lock-taken', published: false, recorded: false, heldLock: true, fetched: false },
  { point: 'archive-streaming', published: false, recorded: false, heldLock: true, fetched: true },
  { point: 'digest-verified', published: false, recorded: false, heldLock: true, fetched: true },
  { point: 'staging-complete', published: false, recorded: false, heldLock: true, fetched: true },
  { point: 'renamed', published: true, recorded: false, heldLock: true, fetched: true },
  { point: 'version-file-written', published: true, recorded: true, heldLock: true, fetched: true },
  { point: 'old-versions-removed', published: true, recorded: true, heldLock: true, fetched: true },
  { point: 'lock-released', published: true, recorded: true, heldLock: false, fetched: true },
];

function assertKilled(r: RunResult): void {
  assert.equal(r.code, KILLED, `the launcher was killed at its crash point:\n${r.stderr}`);
  assert.equal(r.stdout, '', 'no binary was exec\'d');
}

/** The invariants that hold at every instant: verified versions only, a recorded one installed, tsh runs it. */
async function assertConsistent(w: World, expected: { versions: string[]; recorded: string | undefined }): Promise<void> {
  const versions = await verifiedVersions(w.sb.cacheDir);
  assert.deepEqual(versions, expected.versions);
  const recorded = await recordedVersion(w.sb.teleportHome);
  assert.equal(recorded, expected.recorded === undefined ? undefined : `${expected.recorded}\n`);
  if (expected.recorded) {
    assert.ok(versions.includes(expected.recorded), 'cloud-stable-version names an installed version');
    const v = await w.sb.tool('tsh', ['version']);
    assert.equal(v.stdout, versionOut(expected.recorded), v.stderr);
  }
}

/** After the next run: V2 installed, recorded and running; no staging or trash (a dead lock may stay until needed). */
async function assertFinished(w: World, versions: string[]): Promise<void> {
  assert.deepEqual(await verifiedVersions(w.sb.cacheDir), versions);
  assert.equal(await recordedVersion(w.sb.teleportHome), `${V2}\n`);
  assert.deepEqual(await leftovers(w.sb.cacheDir), []);
  const v = await w.sb.tool('tsh', ['version']);
  assert.equal(v.stdout, versionOut(V2), v.stderr);
  const tctl = await w.sb.tool('tctl', ['version']);
  assert.equal(tctl.stdout, versionOut(V2), tctl.stderr);
}

// Both groups side by side: most of their time is waiting for a dead process's lock to go stale.
describe('crash matrix', { concurrency: true }, () => {
  describe('tsh login killed at each install step', { concurrency: true }, () => {
    for (const p of POINTS) {
      test(`${p.point}: old or new state, tsh runs, the next login finishes the update`, TIMEOUT, async (t) => {
        const w = await world([V1, V2], V1, t);
        await w.preinstall(V1);
        w.cdn.setVersion(`v${V2}`);

        const killed = await w.sb.tool('tsh', LOGIN, { TELEPORT_TOOLS_TEST_CRASH_AT: p.point });
        assertKilled(killed);
        assert.match(killed.stderr, /^New cloud-stable version of Teleport detected: v13\.3\.0$/m);
        assert.equal(existsSync(join(w.sb.cacheDir, '.lock', 'holder')), p.heldLock, 'the lock names its holder while held');
        await assertConsistent(w, { versions: p.published ? [V1, V2] : [V1], recorded: p.recorded ? V2 : V1 });

        const next = await w.sb.tool('tsh', LOGIN);
        assert.doesNotMatch(next.stderr, /warning/);
        if (!p.recorded) assert.match(next.stderr, /^Updated tsh\/tctl to version v13\.3\.0!$/m);
        else assert.equal(next.stderr.includes('New cloud-stable version'), false, 'already up to date');
        // The dead process's lock is fresh (not stale for 10 s): the next run gets in at once only
        // because it sees that the holder recorded in the lock (this host, that PID) no longer runs.
        assert.doesNotMatch(next.stderr, /waiting for it to finish/, 'a dead holder is no reason to wait');
        const downloads = (p.fetched ? 1 : 0) + (p.published ? 0 : 1);
        assert.equal(w.cdn.count(await w.archivePath(V2)), downloads, 'downloaded again only if it was not published');
        await assertFinished(w, [V1, V2]);
      });
    }
  });

  describe('first run (nothing installed) killed during the install', { concurrency: true }, () => {
    const firstRun: Point[] = [
      { point: 'archive-streaming', published: false, recorded: false, heldLock: true, fetched: true },
      { point: 'renamed', published: true, recorded: false, heldLock: true, fetched: true },
      { point: 'version-file-written', published: true, recorded: true, heldLock: true, fetched: true },
    ];
    for (const p of firstRun) {
      test(`${p.point}: nothing or the new version, and the next run installs and runs it`, TIMEOUT, async (t) => {
        const w = await world([V2], V2, t);
        const killed = await w.sb.tool('tsh', ['version'], { TELEPORT_TOOLS_TEST_CRASH_AT: p.point });
        assertKilled(killed);
        await assertConsistent(w, { versions: p.published ? [V2] : [], recorded: p.recorded ? V2 : undefined });

        const next = await w.sb.tool('tsh', ['version']);
        assert.equal(next.code, 0, next.stderr);
        assert.equal(next.stdout, versionOut(V2));
        assert.doesNotMatch(next.stderr, /warning/);
        await assertFinished(w, [V2]);
      });
    }
  });
});
