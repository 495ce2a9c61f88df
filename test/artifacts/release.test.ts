import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ARCHIVE_TOP, archiveLayout, archiveName, archiveUrl, detectPlatform, entryPath } from '../../src/artifacts/release.js';
import type { ReleaseRef, TeleportArch, TeleportOs } from '../../src/artifacts/release.js';
import { isToolsError } from '../../src/errors.js';

const ref = (over: Partial<ReleaseRef> = {}): ReleaseRef => ({
  version: '13.2.3', edition: 'oss', platform: { os: 'linux', arch: 'amd64' }, ...over,
});

describe('release naming', () => {
  test('maps Node platform and CPU names to Teleport names', () => {
    const cases: [string, string, TeleportOs, TeleportArch][] = [
      ['linux', 'x64', 'linux', 'amd64'],
      ['linux', 'arm64', 'linux', 'arm64'],
      ['linux', 'arm', 'linux', 'arm'],
      ['linux', 'ia32', 'linux', '386'],
      ['darwin', 'x64', 'darwin', 'amd64'],
      ['darwin', 'arm64', 'darwin', 'arm64'],
      // One Windows build, amd64; Windows on arm64 runs it emulated.
      ['win32', 'x64', 'windows', 'amd64'],
      ['win32', 'arm64', 'windows', 'amd64'],
    ];
    for (const [platform, arch, os, teleportArch] of cases) {
      assert.deepEqual(detectPlatform(platform, arch), { os, arch: teleportArch }, `${platform}/${arch}`);
    }
  });

  test('an unsupported platform is a clear EPLATFORM error', () => {
    for (const [platform, arch] of [['win32', 'ia32'], ['freebsd', 'x64'], ['linux', 's390x'], ['linux', 'riscv64'], ['darwin', 'ppc64']]) {
      assert.throws(() => detectPlatform(platform, arch), (err: unknown) => {
        assert.ok(isToolsError(err, 'EPLATFORM'), String(err));
        assert.equal(err.message, `Teleport publishes no client tools for ${platform}/${arch} (supported: linux and darwin on x64, arm64, arm, ia32; windows on x64 and arm64)`);
        return true;
      });
    }
  });

  test('one Windows zip whatever the edition or FIPS setting, flat, with .exe names', () => {
    const windows = { os: 'windows', arch: 'amd64' } as const;
    for (const extra of [{}, { edition: 'ent' as const }, { fips: true }, { edition: 'ent' as const, fips: true }]) {
      assert.equal(archiveName(ref({ ...extra, platform: windows })), 'teleport-v13.2.3-windows-amd64-bin.zip');
    }
    assert.deepEqual(archiveLayout(ref({ edition: 'ent', platform: windows }), ['tsh', 'tctl']), {
      entries: { 'tsh.exe': 'tsh.exe', 'tctl.exe': 'tctl.exe' },
      bundles: {},
      format: 'zip',
    });
  });

  test('archive names for every edition, OS, CPU and FIPS', () => {
    assert.equal(archiveName(ref()), 'teleport-v13.2.3-linux-amd64-bin.tar.gz');
    assert.equal(archiveName(ref({ edition: 'ent' })), 'teleport-ent-v13.2.3-linux-amd64-bin.tar.gz');
    // FIPS builds are Enterprise builds: Teleport publishes no teleport-v…-fips-bin.tar.gz.
    assert.throws(() => archiveName(ref({ fips: true })), /FIPS builds are Enterprise builds/);
    assert.equal(archiveName(ref({ edition: 'ent', fips: true, platform: { os: 'linux', arch: 'arm64' } })), 'teleport-ent-v13.2.3-linux-arm64-fips-bin.tar.gz');
    assert.equal(archiveName(ref({ platform: { os: 'darwin', arch: 'arm64' } })), 'teleport-v13.2.3-darwin-arm64-bin.tar.gz');
    assert.equal(archiveName(ref({ platform: { os: 'linux', arch: '386' } })), 'teleport-v13.2.3-linux-386-bin.tar.gz');
    assert.equal(archiveName(ref({ platform: { os: 'linux', arch: 'arm' }, version: '0.1.10' })), 'teleport-v0.1.10-linux-arm-bin.tar.gz');
  });

  test('a version that is not plain X.Y.Z never becomes a URL', () => {
    for (const version of ['v13.2.3', '13.2', '13.2.3-rc.1', '13.2.3+build', '../13.2.3', '13.2.3/..', '013.2.3', '', ' 13.2.3']) {
      assert.throws(() => archiveName(ref({ version })), (err: unknown) => isToolsError(err, 'EVERSION'), JSON.stringify(version));
    }
  });

  test('archive URLs join the CDN base with exactly one slash', () => {
    for (const base of ['https://cdn.teleport.dev', 'https://cdn.teleport.dev/', 'https://cdn.teleport.dev//']) {
      assert.equal(archiveUrl(base, ref()), 'https://cdn.teleport.dev/teleport-v13.2.3-linux-amd64-bin.tar.gz');
    }
    assert.equal(archiveUrl('https://mirror.example/teleport/', ref()), 'https://mirror.example/teleport/teleport-v13.2.3-linux-amd64-bin.tar.gz');
  });

  test('entries live in the edition top folder', () => {
    assert.deepEqual(ARCHIVE_TOP, { oss: 'teleport', ent: 'teleport-ent' });
    assert.equal(entryPath('oss', 'tsh'), 'teleport/tsh');
    assert.equal(entryPath('ent', 'tctl'), 'teleport-ent/tctl');
    assert.equal(entryPath('oss', 'teleport'), 'teleport/teleport');
  });
});
