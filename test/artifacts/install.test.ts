import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { STAGING_PREFIX } from '../../src/artifacts/install.js';
import { LOCK_NAME, acquireLock } from '../../src/artifacts/lock.js';
import { MANIFEST_NAME, readManifest } from '../../src/artifacts/manifest.js';
import { archiveName } from '../../src/artifacts/release.js';
import { isToolsError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { HOSTILE_NAMES, hostileArchives } from '../helpers/hostile-archives.js';
import { versionLine, fakeVersion } from '../helpers/fake-programs.js';
import type { BuiltRelease } from '../helpers/release.js';
import { assertNothingLeft, cdnForFile, entries, freshCache, install, rejectsWith, releaseRef, serveRelease, tempDir, testClient } from './support.js';

const VERSION = '13.2.3';
const NAME = archiveName(releaseRef(VERSION));

let cdn: CdnServer;
let release: BuiltRelease;
cdnForFile(async (shared) => {
  cdn = shared.cdn;
  release = await serveRelease(cdn, shared.releases, { version: VERSION });
});


const count = (name: string): number => cdn.count(`/${name}`);

describe('install', () => {
  test('publishes verified tsh and tctl, 0755, with a manifest, in one directory', async (t) => {
    const dir = await freshCache(t);
    const before = count(NAME);
    const result = await install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION });
    assert.equal(result.downloaded, true);
    assert.equal(result.dir, join(dir, VERSION));
    assert.deepEqual(await entries(dir), [VERSION], 'no lock, staging or trash left');
    assert.deepEqual(await entries(result.dir), [MANIFEST_NAME, 'tctl', 'tsh']);
    for (const tool of ['tsh', 'tctl']) assert.equal((await stat(join(result.dir, tool))).mode & 0o777, 0o755);
    const manifest = await readManifest(result.dir);
    assert.equal(manifest?.sha256, release.sha256);
    assert.equal(manifest?.archive, NAME);
    assert.deepEqual(manifest?.binaries, ['tsh', 'tctl']);
    assert.deepEqual(Object.keys(manifest?.files ?? {}).sort(), ['tctl', 'tsh']);
    const { stdout } = await promisify(execFile)(join(result.dir, 'tsh'), ['version']);
    assert.equal(stdout.trim(), versionLine(fakeVersion({ version: VERSION })), 'the installed tsh runs');
    assert.equal(count(NAME) - before, 1, 'one archive download');
  });

  test('an installed version is used as is: no request at all', async (t) => {
    const dir = await freshCache(t);
    const http = testClient(t);
    await install(cdn, { http, cacheDir: dir, version: VERSION });
    const requests = cdn.requests.length;
    const again = await install(cdn, { http, cacheDir: dir, version: VERSION });
    assert.equal(again.downloaded, false);
    const locked = await install(cdn, { http, cacheDir: dir, version: VERSION, whileLocked: async () => undefined });
    assert.equal(locked.downloaded, false);
    assert.equal(cdn.requests.length, requests);
  });

  test('whileLocked runs with the lock held and the target in place', async (t) => {
    const dir = await freshCache(t);
    let seen: string[] = [];
    await install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION, whileLocked: async () => void (seen = await entries(dir)) });
    assert.deepEqual(seen, [LOCK_NAME, VERSION]);
    assert.deepEqual(await entries(dir), [VERSION]);
  });

  test('staging and trash left by killed processes are removed', async (t) => {
    const dir = await freshCache(t);
    await mkdir(join(dir, `${STAGING_PREFIX}${VERSION}-Ab12Cd`), { recursive: true });
    await writeFile(join(dir, `${STAGING_PREFIX}${VERSION}-Ab12Cd`, 'tsh'), 'half a binary');
    await mkdir(join(dir, '.trash-13.1.0-4242', 'x'), { recursive: true });
    await install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION });
    assert.deepEqual(await entries(dir), [VERSION]);
  });

  test('a lock left by a dead process is taken over', async (t) => {
    const dir = await freshCache(t);
    await mkdir(join(dir, LOCK_NAME), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    await utimes(join(dir, LOCK_NAME), old, old);
    let waited = false;
    await install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION, onWait: () => (waited = true) });
    assert.equal(waited, false);
    assert.deepEqual(await entries(dir), [VERSION]);
  });

  test('a version directory without our manifest (not ours, or half-deleted) is replaced', async (t) => {
    const dir = await freshCache(t);
    await mkdir(join(dir, VERSION), { recursive: true });
    await writeFile(join(dir, VERSION, 'tsh'), '#!/bin/sh\necho stale\n');
    const result = await install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION });
    assert.equal(result.downloaded, true);
    assert.notEqual(await readFile(join(dir, VERSION, 'tsh'), 'utf8'), '#!/bin/sh\necho stale\n');
  });

  test('when another process installed the version while we waited, its result is used', async (t) => {
    const dir = await freshCache(t);
    const elsewhere = await freshCache(t);
    const http = testClient(t);
    await install(cdn, { http, cacheDir: elsewhere, version: VERSION });
    await mkdir(dir, { recursive: true });
    const holder = await acquireLock(dir);
    assert.ok(holder);
    let waiting!: () => void;
    const waited = new Promise<void>((resolve) => (waiting = resolve));
    const pending = install(cdn, { http, cacheDir: dir, version: VERSION, onWait: waiting });
    await waited;
    await cp(join(elsewhere, VERSION), join(dir, VERSION), { recursive: true }); // the other process's rename
    const downloads = count(NAME);
    await holder.release();
    const result = await pending;
    assert.equal(result.downloaded, false);
    assert.equal(count(NAME), downloads, 'no second download');
    assert.deepEqual(await entries(dir), [VERSION]);
  });

  test('other versions are left alone (retention is the caller’s)', async (t) => {
    const dir = await freshCache(t);
    const other = await serveRelease(cdn, await tempDir(t, 'tt-release-'), { version: '13.1.0' });
    const http = testClient(t);
    await install(cdn, { http, cacheDir: dir, version: '13.1.0' });
    await install(cdn, { http, cacheDir: dir, version: VERSION });
    assert.deepEqual(await entries(dir), ['13.1.0', VERSION]);
    assert.equal((await readManifest(join(dir, '13.1.0')))?.sha256, other.sha256);
  });

  test('another edition of the same version replaces the published one in one rename', async (t) => {
    const dir = await freshCache(t);
    await serveRelease(cdn, await tempDir(t, 'tt-release-'), { version: '14.1.0', edition: 'ent' });
    await serveRelease(cdn, await tempDir(t, 'tt-release-'), { version: '14.1.0' });
    const http = testClient(t);
    await install(cdn, { http, cacheDir: dir, version: '14.1.0' });
    const ent = await install(cdn, { http, cacheDir: dir, version: '14.1.0', release: releaseRef('14.1.0', 'ent') });
    assert.equal(ent.downloaded, true);
    assert.equal((await readManifest(join(dir, '14.1.0')))?.edition, 'ent');
    assert.deepEqual(await entries(dir), ['14.1.0'], 'the old one went to trash and was deleted');
  });

  test('the agent binary of an enterprise release, into its own directory', async (t) => {
    const dir = await freshCache(t);
    await serveRelease(cdn, await tempDir(t, 'tt-release-'), { version: '14.0.0', edition: 'ent' });
    const result = await install(cdn, {
      http: testClient(t), cacheDir: dir, version: '14.0.0', release: releaseRef('14.0.0', 'ent'), binaries: ['teleport'], target: join(dir, 'teleport'),
    });
    assert.equal(result.manifest.archive, archiveName(releaseRef('14.0.0', 'ent')));
    assert.match(result.manifest.archive, /^teleport-ent-v14\.0\.0-/);
    assert.deepEqual(await entries(join(dir, 'teleport')), [MANIFEST_NAME, 'teleport']);
  });
});

describe('checksum files', () => {
  const hex = (): string => release.sha256;
  const cases: [string, () => string | Buffer, ErrorCode, RegExp][] = [
    ['empty', () => '', 'ECHECKSUM', /^checksum file for .* is not "<64 hex> {2}<file name>": ""$/],
    ['HTML', () => '<!DOCTYPE html>\n<html><body>Access denied</body></html>\n', 'ECHECKSUM', /must be one line, got 2 lines: "<!DOCTYPE html>/],
    ['short', () => `${hex().slice(0, 40)}  NAME\n`, 'ECHECKSUM', /is not "<64 hex> {2}<file name>": "[0-9a-f]{40} {2}teleport-v/],
    ['extra lines', () => `${hex()}  NAME\n${hex()}  NAME\n`, 'ECHECKSUM', /must be one line, got 2 lines/],
    ['oversize', () => Buffer.alloc(5000, 'a'), 'EHTTP', /sent 5000 bytes; at most 4096 expected$/],
  ];
  for (const [what, body, code, message] of cases) {
    test(`${what}: ${code}, and the archive is never requested`, async (t) => {
      const dir = await freshCache(t);
      const payload = body();
      cdn.behave(`/${NAME}.sha256`, { kind: 'body', body: typeof payload === 'string' ? payload.replaceAll('NAME', NAME) : payload, times: 1 });
      const downloads = count(NAME);
      await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION }), rejectsWith(code, message));
      assert.equal(count(NAME), downloads);
      await assertNothingLeft(dir);
    });
  }

  test('wrong digest: EINTEGRITY, expected and actual shown, nothing installed', async (t) => {
    const dir = await freshCache(t);
    const wrong = 'f'.repeat(64);
    cdn.behave(`/${NAME}.sha256`, { kind: 'body', body: `${wrong}  ${NAME}\n`, times: 1 });
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION }), (err: unknown) => {
      assert.ok(isToolsError(err, 'EINTEGRITY'), String(err));
      assert.equal(err.message, `checksum mismatch for ${NAME}: expected ${wrong}, got ${release.sha256}`);
      return true;
    });
    await assertNothingLeft(dir);
  });

  test('upper-case hex is accepted', async (t) => {
    const dir = await freshCache(t);
    cdn.behave(`/${NAME}.sha256`, { kind: 'body', body: `${release.sha256.toUpperCase()}  ${NAME}\n`, times: 1 });
    const result = await install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION });
    assert.equal(result.manifest.sha256, release.sha256);
  });

  test('no checksum file: EHTTP, and the archive is never requested', async (t) => {
    const dir = await freshCache(t);
    cdn.behave(`/${NAME}.sha256`, { kind: 'status', status: 404, times: 1 });
    const downloads = count(NAME);
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version: VERSION }),
      (err: unknown) => isToolsError(err, 'EHTTP') && err.message === `${cdn.url}/${NAME}.sha256 answered HTTP 404`);
    assert.equal(count(NAME), downloads);
    await assertNothingLeft(dir);
  });
});

describe('hostile archives through the installer', () => {
  const catalogue = hostileArchives(VERSION);
  HOSTILE_NAMES.forEach((name, i) => {
    const hostile = catalogue[name];
    test(`${name} -> ${hostile.expect}`, async (t) => {
      // Each under its own version, so the shared CDN can serve them side by side.
      const version = `13.9.${i}`;
      cdn.serveArchive(archiveName(releaseRef(version)), await hostile.data());
      const dir = await freshCache(t);
      const attempt = install(cdn, { http: testClient(t), cacheDir: dir, version });
      if (hostile.expect === 'accept') {
        await attempt;
        assert.deepEqual(await entries(join(dir, version)), [MANIFEST_NAME, 'tctl', 'tsh']);
        return;
      }
      await assert.rejects(attempt, (err: unknown) => {
        assert.ok(isToolsError(err, 'EARCHIVE'), String(err));
        assert.match(err.message, /^refusing archive: /);
        return true;
      });
      await assertNothingLeft(dir);
    });
  });
});
