// macOS app bundles through the archive module (docs/behaviour.md item 6a): layouts decided by what the
// archive holds, the bundle entry policy, and every hostile bundle refused with one line.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, lstat, mkdir, readFile, readlink, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { DEFAULT_LIMITS, extractEntries } from '../../src/artifacts/archive.js';
import type { Extracted } from '../../src/artifacts/archive.js';
import { manifestFileFor, readManifest } from '../../src/artifacts/manifest.js';
import type { Manifest } from '../../src/artifacts/manifest.js';
import { archiveLayout, parsePlatform } from '../../src/artifacts/release.js';
import { isToolsError } from '../../src/errors.js';
import { ESCAPE_PATHS } from '../helpers/hostile-archives.js';
import { BUNDLE_VERSION, HOSTILE_BUNDLES } from '../helpers/hostile-bundles.js';
import type { HostileBundleName } from '../helpers/hostile-bundles.js';
import { fakeProgram } from '../helpers/fake-programs.js';
import { releaseEntries } from '../helpers/release-layout.js';
import { targz } from '../helpers/tar-writer.js';
import type { TarEntry } from '../helpers/tar-writer.js';
import { entries, tempDir } from './support.js';
import type { TestContext } from './support.js';

const DARWIN = parsePlatform('darwin-arm64', 'test');
const spec = (binaries: string[] = ['tsh', 'tctl']) => ({
  ...archiveLayout({ version: BUNDLE_VERSION, edition: 'oss', platform: DARWIN }, binaries),
  ...DEFAULT_LIMITS,
});
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

async function extract(t: TestContext, tar: TarEntry[], binaries?: string[]) {
  const root = await tempDir(t, 'tt-bundle-');
  const dest = join(root, 'staging');
  await mkdir(dest);
  const outcome = await extractEntries(Readable.from([targz(tar)]), dest, spec(binaries)).then(
    (extracted): { extracted?: Extracted; error?: unknown } => ({ extracted }),
    (error: unknown): { extracted?: Extracted; error?: unknown } => ({ error }),
  );
  return { root, dest, ...outcome };
}

async function assertNothingEscaped(root: string): Promise<void> {
  assert.deepEqual(await entries(root), ['staging'], 'nothing written beside the staging directory');
  await assert.rejects(access(ESCAPE_PATHS.absolute), `${ESCAPE_PATHS.absolute} must not exist`);
}

const mode = async (path: string): Promise<number> => (await lstat(path)).mode & 0o7777;

/** A bundle installed whole: the files, the internal link, modes, digests and the `tsh` link. */
async function assertBundles(dest: string, extracted: Extracted | undefined): Promise<void> {
  assert.ok(extracted);
  assert.deepEqual(await entries(dest), ['tctl', 'tctl.app', 'tsh', 'tsh.app']);
  for (const tool of ['tsh', 'tctl']) {
    assert.equal(await readlink(join(dest, tool)), `${tool}.app/Contents/MacOS/${tool}`);
    assert.equal(extracted.bundles[tool], `${tool}.app/Contents/MacOS/${tool}`);
    const exe = join(dest, `${tool}.app/Contents/MacOS/${tool}`);
    assert.equal(await readFile(exe, 'utf8'), fakeProgram(tool as 'tsh', { version: BUNDLE_VERSION }));
    assert.equal(await mode(exe), 0o755);
    assert.equal(extracted.files[`${tool}.app/Contents/MacOS/${tool}`], sha256(await readFile(exe)));
    assert.equal(await mode(join(dest, `${tool}.app/Contents/Info.plist`)), 0o644);
    assert.equal(await mode(join(dest, `${tool}.app/Contents/_CodeSignature`)), 0o755);
    assert.equal(await readlink(join(dest, `${tool}.app/Contents/Resources/Info.plist`)), '../Info.plist');
    assert.ok((await stat(join(dest, `${tool}.app/Contents/embedded.provisionprofile`))).isFile());
    assert.equal(extracted.files[tool], undefined, 'no bare copy');
  }
  const paths = extracted.bundleEntries.map((e) => e.path);
  assert.ok(paths.includes('tsh.app/Contents/Resources/Info.plist'));
  const link = extracted.bundleEntries.find((e) => e.path === 'tsh.app/Contents/Resources/Info.plist');
  assert.deepEqual(link, { path: 'tsh.app/Contents/Resources/Info.plist', type: 'symlink', target: '../Info.plist' });
  for (const e of extracted.bundleEntries.filter((x) => x.type === 'file')) assert.equal(e.sha256, extracted.files[e.path]);
}

describe('darwin layouts', () => {
  test('Teleport 17+: tsh.app and tctl.app are installed whole, with relative tsh/tctl links', async (t) => {
    const { root, dest, extracted, error } = await extract(t, releaseEntries({ version: BUNDLE_VERSION, os: 'darwin', arch: 'arm64' }));
    assert.equal(error, undefined);
    await assertBundles(dest, extracted);
    await assertNothingEscaped(root);
  });

  test('Teleport 16 and older on darwin: bare binaries, as before', async (t) => {
    const { dest, extracted, error } = await extract(t, releaseEntries({ version: '16.4.7', os: 'darwin', arch: 'arm64' }));
    assert.equal(error, undefined);
    assert.deepEqual(await entries(dest), ['tctl', 'tsh']);
    assert.deepEqual(extracted?.bundles, {});
    assert.ok((await lstat(join(dest, 'tsh'))).isFile());
  });

  test('the agent alone (Connect My Computer) from a bundle archive: teleport stays bare, bundles untouched', async (t) => {
    const { dest, extracted, error } = await extract(t, releaseEntries({ version: BUNDLE_VERSION, os: 'darwin', arch: 'arm64' }), ['teleport']);
    assert.equal(error, undefined);
    assert.deepEqual(await entries(dest), ['teleport']);
    assert.deepEqual(Object.keys(extracted?.files ?? {}), ['teleport']);
  });

  test('a darwin archive with neither layout names both in its refusal', async (t) => {
    const tar = releaseEntries({ version: BUNDLE_VERSION, os: 'darwin', arch: 'arm64' }).filter((e) => !e.path.startsWith('teleport/tctl.app'));
    const { error } = await extract(t, tar);
    assert.ok(isToolsError(error, 'EARCHIVE'));
    assert.equal(error.message, 'refusing archive: it has no teleport/tctl.app or teleport/tctl');
  });
});

describe('hostile bundles', () => {
  for (const [name, hostile] of Object.entries(HOSTILE_BUNDLES) as [HostileBundleName, (typeof HOSTILE_BUNDLES)[HostileBundleName]][]) {
    test(`${name}: ${hostile.why} -> ${hostile.expect === 'accept' ? 'accept' : 'refuse'}`, async (t) => {
      const { root, dest, extracted, error } = await extract(t, hostile.entries());
      if (hostile.expect === 'accept') {
        assert.equal(error, undefined, String(error));
        await assertBundles(dest, extracted);
        for (const e of extracted?.bundleEntries ?? []) {
          if (e.type === 'symlink') continue;
          assert.equal(e.mode, e.type === 'dir' || e.path.endsWith('/MacOS/tsh') || e.path.endsWith('/MacOS/tctl') ? '0755' : '0644', e.path);
          assert.equal(`0${(await mode(join(dest, e.path))).toString(8)}`, e.mode, e.path);
        }
      } else {
        assert.ok(isToolsError(error, 'EARCHIVE'), `expected EARCHIVE, got ${String(error)}`);
        assert.equal(error.message, hostile.expect);
        assert.ok(!error.message.includes('\n'), 'one line');
      }
      await assertNothingEscaped(root);
    });
  }
});

describe('manifestFileFor', () => {
  const base: Manifest = { version: '16.4.7', edition: 'oss', archive: 'a', sha256: 'x', binaries: ['tsh', 'tctl'], files: { tsh: 'a1', tctl: 'b2' }, installedAt: '' };

  test('a bare manifest (as every release so far wrote them) still names tsh itself', () => {
    assert.deepEqual(manifestFileFor(base, 'tsh'), { path: 'tsh', sha256: 'a1' });
    assert.equal(manifestFileFor(base, 'teleport'), undefined);
  });

  test('a bundle manifest names the executable inside the bundle', () => {
    const m: Manifest = { ...base, files: { 'tsh.app/Contents/MacOS/tsh': 'c3', 'tctl.app/Contents/MacOS/tctl': 'd4' }, bundles: { tsh: 'tsh.app/Contents/MacOS/tsh', tctl: 'tctl.app/Contents/MacOS/tctl' } };
    assert.deepEqual(manifestFileFor(m, 'tctl'), { path: 'tctl.app/Contents/MacOS/tctl', sha256: 'd4' });
  });

  test('a manifest from before bundles reads as it was written', async (t) => {
    const dir = await tempDir(t, 'tt-bundle-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, '.teleport-tools.json'), JSON.stringify(base));
    assert.deepEqual(await readManifest(dir), base);
    assert.deepEqual(await readdir(dir), ['.teleport-tools.json']);
  });
});

describe('the cache follows the tsh link, and only inside the version directory', () => {
  test('isInstalled: a link into the bundle counts; a link out of the version, to a directory, or dangling does not', async (t) => {
    const { isInstalled } = await import('../../src/tools/cache.js');
    const { symlink, unlink, writeFile } = await import('node:fs/promises');
    const cache = await tempDir(t, 'tt-bundle-');
    const dir = join(cache, BUNDLE_VERSION);
    await mkdir(join(dir, 'tsh.app/Contents/MacOS'), { recursive: true });
    await writeFile(join(dir, 'tsh.app/Contents/MacOS/tsh'), '#!/bin/sh\n', { mode: 0o755 });
    const manifest: Manifest = { version: BUNDLE_VERSION, edition: 'oss', archive: 'a', sha256: 'x', binaries: ['tsh'], files: {}, bundles: { tsh: 'tsh.app/Contents/MacOS/tsh' }, installedAt: '' };
    await writeFile(join(dir, '.teleport-tools.json'), JSON.stringify(manifest));
    const link = join(dir, 'tsh');
    const cases: [string, boolean][] = [
      ['tsh.app/Contents/MacOS/tsh', true],
      ['../outside-tsh', false],
      ['tsh.app/Contents/MacOS', false],
      ['tsh.app/Contents/MacOS/missing', false],
    ];
    await writeFile(join(cache, 'outside-tsh'), '#!/bin/sh\n', { mode: 0o755 });
    for (const [target, expected] of cases) {
      await unlink(link).catch(() => undefined);
      await symlink(target, link);
      assert.equal(await isInstalled(cache, BUNDLE_VERSION, 'tsh'), expected, target);
    }
  });
});
