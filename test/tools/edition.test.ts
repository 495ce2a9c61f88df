// Which build a need calls for (docs/behaviour.md items 14 and 33), as units: FIPS builds are Enterprise
// builds, published for Linux only, and status says when a setting has no effect.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { archiveName } from '../../src/artifacts/release.js';
import { loadSettings } from '../../src/settings.js';
import type { Settings } from '../../src/settings.js';
import { buildNeed, buildSettingNotes, releaseFor } from '../../src/tools/edition.js';

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'tt-edition-'));
});
after(() => rm(home, { recursive: true, force: true }));

async function settingsOn(platform: string, config: Partial<Settings['config']>): Promise<Settings> {
  const s = await loadSettings({ env: { TELEPORT_HOME: home, HOME: home }, platform, arch: 'x64' });
  return { ...s, config: { ...s.config, ...config } };
}

describe('edition and FIPS', () => {
  test('fips: true asks for the Enterprise FIPS archive whatever edition says, on Linux', async () => {
    for (const edition of ['oss', 'ent', 'auto'] as const) {
      const s = await settingsOn('linux', { edition, fips: true });
      assert.deepEqual(buildNeed(s, 'oss'), { edition: 'ent', fips: true }, edition);
      if (s.platform instanceof Error) throw s.platform;
      assert.equal(archiveName(releaseFor({ ...s, platform: s.platform }, '17.0.1')), 'teleport-ent-v17.0.1-linux-amd64-fips-bin.tar.gz', edition);
    }
  });

  test('without fips the edition follows the setting, or the cluster with auto', async () => {
    assert.deepEqual(buildNeed(await settingsOn('linux', { edition: 'auto', fips: false }), 'ent'), { edition: 'ent', fips: false });
    assert.deepEqual(buildNeed(await settingsOn('linux', { edition: 'auto', fips: false }), 'community'), { edition: 'oss', fips: false });
    assert.deepEqual(buildNeed(await settingsOn('linux', { edition: 'oss', fips: false }), 'ent'), { edition: 'oss', fips: false });
  });

  test('macOS has no FIPS build: fips is ignored there, and status says so once', async () => {
    const s = await settingsOn('darwin', { edition: 'oss', fips: true });
    assert.deepEqual(buildNeed(s), { edition: 'oss', fips: false });
    assert.deepEqual(buildSettingNotes(s), ['fips: true has no effect here: Teleport publishes FIPS builds for Linux only']);
  });

  test('status notes: edition oss with fips on Linux; nothing for settings that take effect', async () => {
    assert.deepEqual(buildSettingNotes(await settingsOn('linux', { edition: 'oss', fips: true })), [
      'edition: oss has no effect with fips: true: FIPS builds are Enterprise builds (teleport-ent-v…-fips-bin.tar.gz)',
    ]);
    assert.deepEqual(buildSettingNotes(await settingsOn('linux', { edition: 'ent', fips: true })), []);
    assert.deepEqual(buildSettingNotes(await settingsOn('linux', { edition: 'auto', fips: false })), []);
  });

  test('Windows has one build: edition and fips never take effect there, and status says so in one note', async () => {
    const note = 'edition and fips have no effect on Windows: Teleport publishes one build there, whatever the edition or FIPS setting';
    for (const config of [{ edition: 'auto', fips: false }, { edition: 'ent', fips: true }] as const) {
      const s = await settingsOn('win32', config);
      assert.deepEqual(buildSettingNotes(s), [note], JSON.stringify(config));
      if (s.platform instanceof Error) throw s.platform;
      assert.equal(archiveName(releaseFor({ ...s, platform: s.platform }, '17.0.1')), 'teleport-v17.0.1-windows-amd64-bin.zip');
    }
  });
});
