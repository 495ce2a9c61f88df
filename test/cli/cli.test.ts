// The management CLI: status, update, config, clean; exit codes 0/1/2; --json is one document on stdout.
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { world } from '../launcher/world.js';

describe('teleport-tools CLI', () => {
  test('status --json describes the selection, installed versions and settings', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    const r = await w.sb.cli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.teleportHome, w.sb.teleportHome);
    assert.equal(s.selectedVersion, '13.2.3');
    assert.equal(s.selectedFrom, 'cloud-stable-version');
    assert.equal(s.cloudStableVersion, '13.2.3');
    assert.deepEqual(s.installedVersions.map((v: { version: string }) => v.version), ['13.2.3']);
    assert.equal(s.autoUpdates, true);
    assert.equal(s.cdnBaseUrl, `${w.cdn.url}/`);
    assert.equal(s.cdnBaseUrlFrom, 'environment');
    assert.equal(s.edition, 'auto');
    assert.deepEqual(s.clusters, []);

    const pinned = JSON.parse((await w.sb.cli(['status', '--json'], { TELEPORT_TOOLS_VERSION: 'off' })).stdout);
    assert.equal(pinned.autoUpdates, false);
    assert.equal(pinned.autoUpdatesReason, 'TELEPORT_TOOLS_VERSION=off');
    const text = await w.sb.cli(['status']);
    assert.match(text.stdout, /Selected version: +v13\.2\.3 \(from cloud-stable-version\)/);
  });

  test('config set/get/unset/list round-trips through tools.yaml with validation', async (t) => {
    const w = await world([], undefined, t);
    assert.equal((await w.sb.cli(['config', 'get', 'edition'])).stdout, 'auto\n');
    const set = await w.sb.cli(['config', 'set', 'disable_auto_updates', 'true']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(await readFile(join(w.sb.teleportHome, 'config', 'tools.yaml'), 'utf8'), 'disable_auto_updates: true\n');
    await w.sb.cli(['config', 'set', 'cloud_proxy_suffixes', '.teleport.sh,.example.cloud']);
    const list = JSON.parse((await w.sb.cli(['config', 'list', '--json'])).stdout);
    const byKey = Object.fromEntries(list.keys.map((k: { key: string }) => [k.key, k]));
    assert.equal(byKey.disable_auto_updates.value, true);
    assert.equal(byKey.disable_auto_updates.source, 'tools.yaml');
    assert.deepEqual(byKey.cloud_proxy_suffixes.value, ['.teleport.sh', '.example.cloud']);
    assert.equal(byKey.edition.source, 'default');
    await w.sb.cli(['config', 'unset', 'disable_auto_updates']);
    assert.equal((await w.sb.cli(['config', 'get', 'disable_auto_updates'])).stdout, 'false\n');

    const unknown = await w.sb.cli(['config', 'set', 'no_such_key', 'x']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no_such_key/);
    const badValue = await w.sb.cli(['config', 'set', 'edition', 'pro']);
    assert.equal(badValue.code, 2);
    assert.match(badValue.stderr, /edition must be auto, oss or ent/);
    const badUrl = await w.sb.cli(['config', 'set', 'version_url', 'ftp://x']);
    assert.equal(badUrl.code, 2);
  });

  test('an invalid tools.yaml is reported with the file and the fix; launchers then stay offline', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    await mkdir(join(w.sb.teleportHome, 'config'), { recursive: true });
    await writeFile(join(w.sb.teleportHome, 'config', 'tools.yaml'), 'disable_auto_updates: maybe\n');
    const r = await w.sb.cli(['config', 'get', 'edition']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /tools\.yaml: disable_auto_updates must be true or false; fix it with: teleport-tools config set disable_auto_updates/);
    w.cdn.requests.length = 0;
    const login = await w.sb.tool('tsh', ['login', '--proxy=acme.teleport.sh']);
    assert.match(login.stderr, /automatic updates are off until it is fixed/);
    assert.deepEqual(w.cdn.requests, []);
  });

  test('update installs on demand, --version pins nothing but selects that version', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.3.0', t);
    const r = await w.sb.cli(['update']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Updated tsh\/tctl to version v13\.3\.0!/);
    assert.equal(r.stdout, '');
    const again = await w.sb.cli(['update']);
    assert.match(again.stderr, /up to date \(v13\.3\.0\)/);
    const older = await w.sb.cli(['update', '--version', '13.2.3']);
    assert.equal(older.code, 0, older.stderr);
    assert.equal(await readFile(join(w.sb.teleportHome, 'cloud-stable-version'), 'utf8'), '13.2.3\n');
    const bad = await w.sb.cli(['update', '--version', 'latest']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a plain version/);
    const missing = await w.sb.cli(['update', '--version', '99.0.0']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /HTTP 404/);
  });

  test('clean removes every version that is not selected', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.3.0', t);
    await w.preinstalled('13.2.3');
    await w.preinstall('13.3.0');
    const r = await w.sb.cli(['clean']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Removed v13\.2\.3\./);
    assert.deepEqual((await w.sb.cacheEntries()).filter((e) => !e.startsWith('.')), ['13.3.0']);
  });

  test('usage errors exit 2; --help works everywhere', async (t) => {
    const w = await world([], undefined, t);
    assert.equal((await w.sb.cli([])).code, 2);
    assert.equal((await w.sb.cli(['frobnicate'])).code, 2);
    for (const args of [['--help'], ['status', '--help'], ['config', '--help'], ['config', 'set', '--help'], ['update', '--help'], ['cmc', '--help']]) {
      const r = await w.sb.cli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /teleport-tools/);
    }
  });
});
