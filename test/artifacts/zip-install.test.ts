// A Windows release installed through the whole pipeline over HTTPS: the zip is saved while hashed,
// verified, and only then opened; a wrong digest or a hostile zip leaves the cache as it was.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { installRelease } from '../../src/artifacts/install.js';
import { MANIFEST_NAME } from '../../src/artifacts/manifest.js';
import { isToolsError } from '../../src/errors.js';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { releaseZipEntries, zip } from '../helpers/zip-writer.js';
import { assertNothingLeft, freshCache, testClient } from './support.js';
import type { TestContext } from './support.js';

const VERSION = '17.0.1';
const NAME = `teleport-v${VERSION}-windows-amd64-bin.zip`;

async function installWindows(t: TestContext, cdn: CdnServer, cacheDir: string) {
  return installRelease({
    http: testClient(t),
    cdnBaseUrl: cdn.url,
    // Enterprise and FIPS fetch the same one Windows build.
    release: { version: VERSION, edition: 'ent', fips: true, platform: { os: 'windows', arch: 'amd64' } },
    binaries: ['tsh', 'tctl'],
    cacheDir,
    target: join(cacheDir, VERSION),
  });
}

describe('Windows zip install', () => {
  test('installs tsh.exe and tctl.exe, verified, and nothing else', async (t) => {
    const cdn = await startCdn();
    t.after(() => cdn.close());
    const bytes = zip(releaseZipEntries(VERSION));
    cdn.serveArchive(NAME, bytes);
    // Teleport's own Windows line: one space, CR LF.
    const { createHash } = await import('node:crypto');
    cdn.serve(`/${NAME}.sha256`, `${createHash('sha256').update(bytes).digest('hex')} ${NAME}\r\n`);
    const dir = await freshCache(t);
    const result = await installWindows(t, cdn, dir);
    assert.equal(result.manifest.archive, NAME);
    assert.deepEqual((await readdir(result.dir)).sort(), [MANIFEST_NAME, 'tctl.exe', 'tsh.exe'].sort());
    assert.deepEqual(Object.keys(result.manifest.files).sort(), ['tctl.exe', 'tsh.exe']);
  });

  test('a digest mismatch opens nothing and leaves nothing', async (t) => {
    const cdn = await startCdn();
    t.after(() => cdn.close());
    cdn.serveArchive(NAME, zip(releaseZipEntries(VERSION)), 'ab'.repeat(32));
    const dir = await freshCache(t);
    await assert.rejects(installWindows(t, cdn, dir), (err: unknown) => isToolsError(err, 'EINTEGRITY') && err.message.startsWith(`checksum mismatch for ${NAME}: expected abab`));
    await assertNothingLeft(dir);
  });

  test('a hostile zip with the right digest is refused and leaves nothing', async (t) => {
    const cdn = await startCdn();
    t.after(() => cdn.close());
    cdn.serveArchive(NAME, zip([...releaseZipEntries(VERSION), { name: '..\\..\\evil.exe', content: 'x' }]));
    const dir = await freshCache(t);
    await assert.rejects(installWindows(t, cdn, dir), (err: unknown) => isToolsError(err, 'EARCHIVE') && err.message === 'refusing archive: entry "..\\\\..\\\\evil.exe" contains ".."');
    await assertNothingLeft(dir);
  });
});
