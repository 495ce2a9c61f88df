// The archive download against a misbehaving CDN: every failure is one clear error, and the cache is
// left as it was (no version directory, no staging, no lock).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { STAGING_PREFIX } from '../../src/artifacts/install.js';
import { LOCK_NAME, acquireLock } from '../../src/artifacts/lock.js';
import { isToolsError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import { startCdn } from '../helpers/cdn-server.js';
import type { BehaviourSetting, CdnServer } from '../helpers/cdn-server.js';
import type { BuiltRelease } from '../helpers/release.js';
import { assertNothingLeft, cdnForFile, entries, freshCache, install, serveRelease, testClient } from './support.js';
import type { InstallOptions, TestContext } from './support.js';

/** About 2 MB on the wire: many chunks, so failures can land mid-body. */
const BIG = '13.2.3';
/** A few KB. */
const SMALL = '13.1.0';

let cdn: CdnServer;
let big: BuiltRelease;
let small: BuiltRelease;
const shared = cdnForFile(async ({ cdn: server, releases }) => {
  cdn = server;
  big = await serveRelease(cdn, releases, { version: BIG, padBytes: 2_300_000 });
  small = await serveRelease(cdn, releases, { version: SMALL });
});

const path = (r: BuiltRelease): string => `/${r.archiveName}`;

/** Installs `release` once with the archive path behaving as given, and expects `code` and `message`. */
async function failsWith(t: TestContext, release: BuiltRelease, behaviour: BehaviourSetting, code: ErrorCode, message: RegExp, opts: Partial<InstallOptions> = {}): Promise<void> {
  const dir = await freshCache(t);
  cdn.behave(path(release), behaviour);
  t.after(() => cdn.behave(path(release), { kind: 'ok' }));
  const version = release === big ? BIG : SMALL;
  await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version, ...opts }), (err: unknown) => {
    assert.ok(isToolsError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
  await assertNothingLeft(dir);
}

async function succeeds(t: TestContext, release: BuiltRelease, behaviour: BehaviourSetting, opts: Partial<InstallOptions> = {}): Promise<void> {
  const dir = await freshCache(t);
  cdn.behave(path(release), behaviour);
  t.after(() => cdn.behave(path(release), { kind: 'ok' }));
  const version = release === big ? BIG : SMALL;
  const result = await install(cdn, { http: testClient(t), cacheDir: dir, version, ...opts });
  assert.equal(result.manifest.sha256, release.sha256);
  assert.deepEqual(await entries(dir), [version]);
}

describe('archive download failures', () => {
  test('connection reset mid-body', async (t) => {
    assert.ok(big.size > 2_000_000);
    await failsWith(t, big, { kind: 'reset', after: 600_000 }, 'ENETWORK', new RegExp(`^download of ${big.archiveName} was cut short after \\d+ of ${big.size} bytes: `));
  });

  test('truncated body (clean close before Content-Length)', async (t) => {
    await failsWith(t, big, { kind: 'truncate', after: 1_000_000 }, 'ENETWORK', new RegExp(`^download of ${big.archiveName} was cut short after \\d+ of ${big.size} bytes: other side closed$`));
  });

  test('headers, then silence: the idle timeout ends it', async (t) => {
    await failsWith(t, big, { kind: 'hangBody' }, 'ENETWORK',
      /was cut short after 0 of \d+ bytes: the server stopped sending \(on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT\)$/,
      { http: testClient(t, { idleTimeoutMs: 300 }) });
  });

  test('no answer at all: retried, then ENETWORK', async (t) => {
    await failsWith(t, small, { kind: 'hang' }, 'ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: no answer for 0\.3 s \(on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT\)$/, { http: testClient(t, { idleTimeoutMs: 300 }) });
    assert.equal(cdn.requests.filter((r) => r.path === path(small)).length >= 3, true);
  });

  test('500 forever', async (t) => {
    const before = cdn.count(path(small));
    await failsWith(t, small, { kind: 'status', status: 500 }, 'EHTTP', new RegExp(`/${small.archiveName} answered HTTP 500 \\(3 attempts\\)$`));
    assert.equal(cdn.count(path(small)) - before, 3);
  });

  test('404: not retried', async (t) => {
    const before = cdn.count(path(small));
    await failsWith(t, small, { kind: 'status', status: 404 }, 'EHTTP', /answered HTTP 404$/);
    assert.equal(cdn.count(path(small)) - before, 1);
  });

  test('an untrusted certificate', async (t) => {
    const other = await startCdn({ cert: 'other' });
    t.after(() => other.close());
    const dir = await freshCache(t);
    await assert.rejects(install(other, { http: testClient(t), cacheDir: dir, version: SMALL }),
      (err: unknown) => isToolsError(err, 'ENETWORK') && /NODE_EXTRA_CA_CERTS/.test(err.message));
    await assertNothingLeft(dir);
  });

  test('a hostile archive refused mid-stream is EARCHIVE, not a network error', async (t) => {
    const hostile = await serveRelease(cdn, shared.releases, {
      version: '13.3.0', padBytes: 2_300_000, overrides: { tsh: { type: 'symlink', linkpath: '/etc/passwd', content: undefined } },
    });
    const dir = await freshCache(t);
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version: '13.3.0' }), (err: unknown) => {
      assert.ok(isToolsError(err, 'EARCHIVE'), String(err));
      assert.equal(err.message, 'refusing archive: teleport/tsh is a SymbolicLink -> /etc/passwd, not a regular file');
      return true;
    });
    assert.ok(hostile.size > 1_500_000, 'refused long before the end of the body');
    await assertNothingLeft(dir);
  });

  test('a digest mismatch on a big archive', async (t) => {
    const dir = await freshCache(t);
    cdn.behave(`${path(big)}.sha256`, { kind: 'body', body: `${'0'.repeat(64)}  ${big.archiveName}\n`, times: 1 });
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version: BIG }),
      (err: unknown) => isToolsError(err, 'EINTEGRITY') && err.message === `checksum mismatch for ${big.archiveName}: expected ${'0'.repeat(64)}, got ${big.sha256}`);
    await assertNothingLeft(dir);
  });
});

describe('archive download recoveries', () => {
  test('500 then success', async (t) => {
    const before = cdn.count(path(small));
    await succeeds(t, small, { kind: 'status', status: 502, times: 1 });
    assert.equal(cdn.count(path(small)) - before, 2);
  });

  test('429 with Retry-After, then success', async (t) => {
    await succeeds(t, small, { kind: 'status', status: 429, headers: { 'retry-after': '1' }, times: 1 });
  });

  test('a slow trickle is not cut off while bytes keep coming (no total limit on archives)', async (t) => {
    // About 1 s in all, a piece every 100 ms, with a 300 ms idle limit.
    await succeeds(t, small, { kind: 'slow', bytesPerSecond: Math.ceil(small.size), chunkSize: Math.ceil(small.size / 10) }, { http: testClient(t, { idleTimeoutMs: 300 }) });
  });

  test('a redirect to storage elsewhere', async (t) => {
    cdn.serve('/storage/blob', { file: big.archivePath });
    await succeeds(t, big, { kind: 'redirect', location: '/storage/blob' });
  });
});

describe('cancellation', () => {
  test('mid-download: ECANCELLED, staging removed, lock released', async (t) => {
    const dir = await freshCache(t);
    cdn.behave(path(big), { kind: 'slow', bytesPerSecond: 2_000_000 });
    t.after(() => cdn.behave(path(big), { kind: 'ok' }));
    const cancel = new AbortController();
    let during: string[] = [];
    const attempt = install(cdn, {
      http: testClient(t), cacheDir: dir, version: BIG, signal: cancel.signal,
      onProgress: () => {
        if (cancel.signal.aborted) return;
        during = readdirSync(dir).sort();
        cancel.abort();
      },
    });
    await assert.rejects(attempt, (err: unknown) => isToolsError(err, 'ECANCELLED') && err.message === 'download cancelled');
    assert.equal(during.length, 2, 'while downloading: the lock and one staging directory');
    assert.equal(during[0], LOCK_NAME);
    assert.ok(during[1]?.startsWith(`${STAGING_PREFIX}${BIG}-`));
    await assertNothingLeft(dir);
  });

  test('while waiting for another process: ECANCELLED, the holder untouched', async (t) => {
    const dir = await freshCache(t);
    await mkdir(dir);
    const holder = await acquireLock(dir);
    assert.ok(holder);
    const cancel = new AbortController();
    await assert.rejects(install(cdn, { http: testClient(t), cacheDir: dir, version: SMALL, signal: cancel.signal, onWait: () => cancel.abort() }),
      (err: unknown) => isToolsError(err, 'ECANCELLED'));
    assert.deepEqual(await entries(dir), [LOCK_NAME]);
    await holder.release();
    await assertNothingLeft(dir);
  });
});
