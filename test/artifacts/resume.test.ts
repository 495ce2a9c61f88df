// Resumable downloads (docs/behaviour.md item 16) against a CDN that honours Range, If-Range, ETag and
// Last-Modified, and against the ways servers get resuming wrong. Whatever happens, only an archive
// whose SHA-256 matches is installed, and its partial download is gone once it is.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { chown, lstat, mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { partialPaths, validatorOf } from '../../src/artifacts/partial.js';
import { parseContentRange } from '../../src/artifacts/resume.js';
import { archiveName } from '../../src/artifacts/release.js';
import type { CdnServer, RangeOptions } from '../helpers/cdn-server.js';
import { sha256Line } from '../helpers/release-layout.js';
import type { BuiltRelease } from '../helpers/release.js';
import { assertNothingLeft, cdnForFile, entries, freshCache, install, rejectsWith, releaseRef, serveRelease, tempDir, testClient } from './support.js';
import type { TestContext } from './support.js';

let cdn: CdnServer;
let release: BuiltRelease;
let bytes: Buffer;
cdnForFile(async (shared) => {
  cdn = shared.cdn;
  release = await serveRelease(cdn, shared.releases, { version: '13.2.3', padBytes: 2_300_000 });
  bytes = await readFile(release.archivePath);
});

let next = 0;
/** The archive served as a fresh version of its own (so tests never share a path), resumable as given. */
function serveAs(options: RangeOptions | undefined = {}): { version: string; path: string; name: string } {
  const version = `14.${next++}.0`;
  const name = archiveName(releaseRef(version));
  cdn.serve(`/${name}`, { file: release.archivePath });
  cdn.serve(`/${name}.sha256`, sha256Line(release.sha256, name));
  if (options) cdn.resumable(`/${name}`, options);
  return { version, path: `/${name}`, name };
}

/** A partial download as an earlier cut run leaves it: the first `have` bytes and their sidecar. */
async function leavePartial(dir: string, name: string, have: number, validator = '"v1"', data = bytes.subarray(0, have)): Promise<void> {
  await mkdir(dir, { recursive: true });
  const paths = partialPaths(dir, name);
  await writeFile(paths.meta, JSON.stringify({ url: cdn.urlFor(`/${name}`), validator, total: bytes.length }));
  await writeFile(paths.data, data);
}

async function installs(t: TestContext, dir: string, version: string): Promise<void> {
  const result = await install(cdn, { http: testClient(t), cacheDir: dir, version });
  assert.equal(result.manifest.sha256, release.sha256, 'only the verified archive is installed');
  await assertNothingLeft(dir, [version]);
}

const HALF = 1_000_000;

describe('resumed downloads', () => {
  test('a cut within a run continues with Range and If-Range, and the partial is gone once installed', async (t) => {
    const dir = await freshCache(t);
    const { version, path } = serveAs();
    cdn.behave(path, { kind: 'reset', after: HALF, times: 1 });
    await installs(t, dir, version);
    const [first, second, ...rest] = cdn.requests.filter((r) => r.path === path && r.method === 'GET');
    assert.equal(rest.length, 0);
    assert.equal(first?.headers.range, undefined);
    const from = Number(/^bytes=(\d+)-$/.exec(second?.headers.range ?? '')?.[1]);
    assert.ok(from > HALF / 2 && from <= HALF, `continued from about the cut: ${second?.headers.range}`);
    assert.equal(second?.headers['if-range'], '"v1"');
  });

  test('the next run fetches only the rest', async (t) => {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs();
    // Every attempt is cut after 200 KB more: five attempts do not make the archive, so this run gives
    // up, keeping what came.
    cdn.behave(path, { kind: 'reset', after: 200_000 });
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version }), rejectsWith('ENETWORK', /was cut short/));
    assert.ok(cdn.count(path) > 1, 'retried within the run');
    const { data } = partialPaths(dir, name);
    const have = (await lstat(data)).size;
    assert.ok(have > 200_000 && have < bytes.length, `kept ${have} bytes`);
    cdn.behave(path, { kind: 'ok' });
    const before = cdn.count(path);
    await installs(t, dir, version);
    assert.deepEqual(cdn.ranges(path).slice(before), [`bytes=${have}-`], 'one request, for the rest only');
  });

  test('without ETag, If-Range carries Last-Modified', async (t) => {
    const dir = await freshCache(t);
    const { version, path } = serveAs({ etag: false });
    cdn.behave(path, { kind: 'reset', after: HALF, times: 1 });
    await installs(t, dir, version);
    const resumed = cdn.requests.filter((r) => r.path === path && r.headers.range);
    assert.equal(resumed.length, 1);
    assert.equal(resumed[0]?.headers['if-range'], 'Tue, 01 Aug 2023 10:00:00 GMT');
  });

  test('an answer with neither validator is never resumed', async (t) => {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs({ etag: false, lastModified: false });
    cdn.behave(path, { kind: 'reset', after: HALF, times: 1 });
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version }), rejectsWith('ENETWORK', /was cut short/));
    await assertNothingLeft(dir);
    assert.deepEqual(cdn.ranges(path), [undefined]);
    await leavePartial(dir, name, HALF, 'Tue, 01 Aug 2023 10:00:00 GMT');
    await installs(t, dir, version);
    assert.deepEqual(cdn.ranges(path), [undefined, `bytes=${HALF}-`], 'the If-Range failed: a 200, used from its first byte');
  });
});

describe('bad answers and bad partial files start over', () => {
  const cases: { name: string; options: RangeOptions; ranges: (string | undefined)[] }[] = [
    { name: 'a changed validator (If-Range fails: 200)', options: { etag: '"v2"' }, ranges: [`bytes=${HALF}-`] },
    { name: 'a 200 to a Range request', options: { ignoreRange: true }, ranges: [`bytes=${HALF}-`] },
    { name: 'a 206 with the wrong Content-Range', options: { lieStart: -100 }, ranges: [`bytes=${HALF}-`, undefined] },
    { name: 'a 416', options: { refuse: true }, ranges: [`bytes=${HALF}-`, undefined] },
  ];
  for (const c of cases) {
    test(c.name, async (t) => {
      const dir = await freshCache(t);
      const { version, path, name } = serveAs(c.options);
      await leavePartial(dir, name, HALF);
      await installs(t, dir, version);
      assert.deepEqual(cdn.ranges(path), c.ranges);
    });
  }

  test('a 206 to a request without Range is refused; nothing is installed', async (t) => {
    const dir = await freshCache(t);
    const { version, path } = serveAs({ partialWithoutRange: true });
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version }), rejectsWith('EHTTP', /answered 206 \(a part\) to a request for the whole archive$/));
    await assertNothingLeft(dir);
    assert.deepEqual(cdn.ranges(path), [undefined]);
  });

  test('a partial file that is not the archive\'s bytes: replayed, refused by the digest or gunzip, then downloaded from the start', async (t) => {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs();
    await leavePartial(dir, name, HALF, '"v1"', Buffer.alloc(HALF, 0x41));
    await installs(t, dir, version);
    assert.deepEqual(cdn.ranges(path), [`bytes=${HALF}-`, undefined]);
  });

  test('a truncated partial file: continued from where it now ends', async (t) => {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs();
    await leavePartial(dir, name, HALF);
    await truncate(partialPaths(dir, name).data, 1000);
    await installs(t, dir, version);
    assert.deepEqual(cdn.ranges(path), ['bytes=1000-']);
  });

  test('a partial file longer than the archive is thrown away', async (t) => {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs();
    await leavePartial(dir, name, 0, '"v1"', Buffer.concat([bytes, Buffer.alloc(10)]));
    await installs(t, dir, version);
    assert.deepEqual(cdn.ranges(path), [undefined]);
  });

  test('a partial file that is a symbolic link is removed, never followed', async (t) => {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs();
    const elsewhere = join(await tempDir(t), 'victim');
    await writeFile(elsewhere, bytes.subarray(0, HALF));
    await leavePartial(dir, name, HALF);
    const { data } = partialPaths(dir, name);
    await rm(data);
    await symlink(elsewhere, data);
    await installs(t, dir, version);
    assert.deepEqual(cdn.ranges(path), [undefined]);
    assert.equal((await lstat(elsewhere)).size, HALF, 'the link target is untouched');
  });

  test('a partial file owned by another user is thrown away', { skip: process.getuid?.() !== 0 ? 'needs root to give a file away' : false }, async (t) => {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs();
    await leavePartial(dir, name, HALF);
    await chown(partialPaths(dir, name).data, 4321, 4321);
    await installs(t, dir, version);
    assert.deepEqual(cdn.ranges(path), [undefined]);
  });

  test('partial downloads of other archives are swept by the next install', async (t) => {
    const dir = await freshCache(t);
    const old = serveAs();
    await leavePartial(dir, old.name, HALF);
    const { version } = serveAs();
    await installs(t, dir, version);
    assert.deepEqual(await entries(dir), [version]);
  });
});

describe('a lying resume server (docs/behaviour.md item 28): a resumed answer carries exactly the missing bytes', () => {
  /**
   * Installs from a partial download of HALF bytes, watching the whole time: the most bytes the
   * download reported and the largest the partial file grew.
   */
  async function installWatched(t: TestContext, options: RangeOptions): Promise<{ path: string; mostReceived: number; largestPartial: number }> {
    const dir = await freshCache(t);
    const { version, path, name } = serveAs(options);
    await leavePartial(dir, name, HALF);
    let mostReceived = 0;
    let largestPartial = 0;
    const onProgress = (p: { received: number }): void => {
      mostReceived = Math.max(mostReceived, p.received);
      largestPartial = Math.max(largestPartial, statSync(partialPaths(dir, name).data, { throwIfNoEntry: false })?.size ?? 0);
    };
    const result = await install(cdn, { http: testClient(t), cacheDir: dir, version, onProgress });
    assert.equal(result.manifest.sha256, release.sha256, 'only the verified archive is installed');
    await assertNothingLeft(dir, [version]);
    return { path, mostReceived, largestPartial };
  }

  const cases: { name: string; options: RangeOptions }[] = [
    { name: 'the rest, then 4 MB of empty gzip members, no Content-Length', options: { gzipTail: 4_000_000 } },
    { name: 'the rest, then endless empty gzip members, no Content-Length', options: { gzipTail: Infinity } },
    { name: 'a 206 whose Content-Length (and body) is 100 kB more than what is missing', options: { lieLength: 100_000 } },
    { name: 'a 206 whose Content-Length (and body) is 1000 bytes less than what is missing', options: { lieLength: -1000 } },
  ];
  for (const c of cases) {
    test(`${c.name}: nothing past the archive's size is taken or kept; then the archive from its start`, async (t) => {
      const { path, mostReceived, largestPartial } = await installWatched(t, c.options);
      assert.ok(mostReceived <= bytes.length, `received ${mostReceived} bytes of a ${bytes.length}-byte archive`);
      assert.ok(largestPartial <= bytes.length, `the partial file grew to ${largestPartial} bytes for a ${bytes.length}-byte archive`);
      assert.deepEqual(cdn.ranges(path), [`bytes=${HALF}-`, undefined]);
    });
  }
});

describe('what a resume trusts', () => {
  test('Content-Range: only one satisfiable byte range with a known total', () => {
    assert.deepEqual(parseContentRange('bytes 100-199/200'), { start: 100, end: 199, total: 200 });
    for (const bad of [undefined, '', 'bytes */200', 'bytes 100-199/*', 'bytes 200-100/300', 'bytes 0-200/200', 'items 0-1/2', 'bytes 0-1/2, 3-4/5', 'bytes -1-2/3']) {
      assert.equal(parseContentRange(bad), undefined, String(bad));
    }
  });

  test('validator: a strong ETag, else Last-Modified; a weak ETag is not one', () => {
    assert.equal(validatorOf({ etag: '"abc"', 'last-modified': 'Tue, 01 Aug 2023 10:00:00 GMT' }), '"abc"');
    assert.equal(validatorOf({ etag: 'W/"abc"', 'last-modified': 'Tue, 01 Aug 2023 10:00:00 GMT' }), 'Tue, 01 Aug 2023 10:00:00 GMT');
    assert.equal(validatorOf({ etag: 'W/"abc"' }), undefined);
    assert.equal(validatorOf({}), undefined);
  });
});
