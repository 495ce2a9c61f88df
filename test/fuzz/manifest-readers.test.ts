// A manifest that passes readManifest must never crash a reader of it. Found by the manifest fuzz
// target: `{"version":…,"sha256":…,"binaries":["tsh"]}` passed, and manifestFileFor threw a TypeError
// on its missing `files`; any field of the wrong type could do the same to another reader.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MANIFEST_NAME, manifestFileFor, readManifest } from '../../src/artifacts/manifest.js';
import { verifyInstalled } from '../../src/artifacts/verify.js';

const D = 'ab'.repeat(32);
const GOOD = {
  version: '17.0.1', edition: 'oss', archive: 'teleport-v17.0.1-darwin-arm64-bin.tar.gz', sha256: D, binaries: ['tsh'],
  files: { 'tsh.app/Contents/MacOS/tsh': D }, bundles: { tsh: 'tsh.app/Contents/MacOS/tsh' },
  bundleEntries: [{ path: 'tsh.app', type: 'dir', mode: '0755' }, { path: 'tsh.app/Contents/MacOS/tsh', type: 'file', mode: '0755', sha256: D }],
  installedAt: '2026-01-01T00:00:00.000Z',
};

const BROKEN: Record<string, unknown> = {
  'no files': { version: '17.0.1', sha256: 'x', binaries: ['tsh'] },
  'files not strings': { ...GOOD, files: { tsh: 1 } },
  'a binary that is not a string': { ...GOOD, binaries: ['tsh', 7] },
  'a binary climbing out': { ...GOOD, binaries: ['../tsh'] },
  'bundles not strings': { ...GOOD, bundles: { tsh: ['x'] } },
  'a bundle executable climbing out': { ...GOOD, bundles: { tsh: '../../bin/sh' } },
  'bundleEntries not a list': { ...GOOD, bundleEntries: { path: 'tsh.app' } },
  'a bundle entry without a path': { ...GOOD, bundleEntries: [{ type: 'dir' }] },
  'a bundle entry with a numeric mode': { ...GOOD, bundleEntries: [{ path: 'tsh.app', type: 'dir', mode: 493 }] },
  'a bundle entry of an unknown type': { ...GOOD, bundleEntries: [{ path: 'tsh.app', type: 'fifo' }] },
  'no installedAt': { ...GOOD, installedAt: undefined },
  'null': null,
  'a list': [GOOD],
};

test('a manifest that passes readManifest never crashes a reader: one with a field missing or of the wrong type does not pass', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tt-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, MANIFEST_NAME), JSON.stringify(GOOD));
  const good = await readManifest(dir);
  assert.ok(good);
  assert.deepEqual(manifestFileFor(good, 'tsh'), { path: 'tsh.app/Contents/MacOS/tsh', sha256: D });
  assert.equal(typeof (await verifyInstalled(dir, good)), 'string');
  for (const [name, data] of Object.entries(BROKEN)) {
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify(data));
    assert.equal(await readManifest(dir), undefined, name);
  }
});
