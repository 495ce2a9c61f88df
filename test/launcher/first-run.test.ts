// First run, missing versions and the fallback order: newest installed, the next tsh on PATH that is
// not a launcher, else a clear error. Never a loop through a launcher.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { VERSION_PATH } from '../helpers/cdn-server.js';
import { buildRelease, currentPlatform } from '../helpers/release.js';
import { SHIMS } from '../helpers/sandbox.js';
import { paths, world } from './world.js';

describe('first run and fallback', () => {
  test('first run installs the cloud-stable version, records it and runs it', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    const r = await w.sb.tool('tsh', ['version', '--format=json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).version, '13.2.3');
    assert.match(r.stderr, /Installing Teleport client tools v13\.2\.3/);
    assert.equal(await readFile(join(w.sb.teleportHome, 'cloud-stable-version'), 'utf8'), '13.2.3\n');
    assert.deepEqual(paths(w.cdn), [VERSION_PATH, `${await w.archivePath('13.2.3')}.sha256`, await w.archivePath('13.2.3')]);
    assert.deepEqual(await w.sb.cacheEntries(), ['13.2.3']);
  });

  test('fips: true installs the Enterprise FIPS build (the only FIPS build Teleport publishes), whatever edition says', async (t) => {
    const w = await world([], '13.2.3', t);
    const dir = await mkdtemp(join(tmpdir(), 'tt-fips-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const fips = await buildRelease({ dir, version: '13.2.3', edition: 'ent', fips: true, ...currentPlatform() });
    assert.match(fips.archiveName, /^teleport-ent-v13\.2\.3-linux-[a-z0-9]+-fips-bin\.tar\.gz$/);
    w.cdn.serveRelease(fips);
    await mkdir(join(w.sb.teleportHome, 'config'), { recursive: true });
    await writeFile(join(w.sb.teleportHome, 'config', 'tools.yaml'), 'edition: oss\nfips: true\n');
    const r = await w.sb.tool('tsh', ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /v13\.2\.3/);
    assert.deepEqual(paths(w.cdn), [VERSION_PATH, `/${fips.archiveName}.sha256`, `/${fips.archiveName}`]);
    const status = await w.sb.cli(['status']);
    assert.match(status.stdout, /edition: oss has no effect with fips: true: FIPS builds are Enterprise builds/);
  });

  test('a pinned version that is missing is installed, and cloud-stable-version is not written', async (t) => {
    const w = await world(['13.2.3', '14.0.1'], '13.2.3', t);
    const r = await w.sb.tool('tctl', ['version'], { TELEPORT_TOOLS_VERSION: '14.0.1' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /v14\.0\.1/);
    assert.equal(await w.sb.hasVersionFile(), false);
    assert.ok(!paths(w.cdn).includes(VERSION_PATH));
  });

  test('a failed install falls back to the newest installed version with one warning', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.2.3', t);
    await w.preinstalled('13.3.0');
    await w.preinstall('13.2.3');
    await rm(join(w.sb.teleportHome, 'cloud-stable-version'));
    w.cdn.setVersion('v15.0.0'); // not on the CDN
    const r = await w.sb.tool('tsh', ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v13\.3\.0 /);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('warning:'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0] ?? '', /warning: could not install the cloud-stable version: .*404.*; running the newest installed version, v13\.3\.0$/);
    assert.equal(await w.sb.hasVersionFile(), false);
    assert.deepEqual((await w.sb.cacheEntries()).filter((e) => !e.startsWith('.')), ['13.2.3', '13.3.0']);
  });

  test('with nothing installed and no network it runs the next tsh on PATH that is not a launcher', async (t) => {
    const w = await world([], undefined, t);
    // Earlier on PATH than the real one: another copy of the launcher (e.g. a second npm prefix).
    const copy = join(w.sb.root, 'other-prefix');
    const system = join(w.sb.root, 'system-bin');
    await mkdir(copy);
    await mkdir(system);
    await copyFile(join(SHIMS, 'tsh'), join(copy, 'tsh'));
    await chmod(join(copy, 'tsh'), 0o755);
    await writeFile(join(system, 'tsh'), '#!/bin/sh\necho "system tsh $*"\n', { mode: 0o755 });
    const PATH = `${w.sb.bin}:${copy}:${system}:${w.sb.env.PATH}`;
    const r = await w.sb.tool('tsh', ['status'], { PATH, TELEPORT_TOOLS_VERSION: 'off' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'system tsh status\n');
    assert.match(r.stderr, /running .*system-bin\/tsh/);
    assert.deepEqual(w.cdn.requests, []);
  });

  test('with nothing to run at all it exits 1 naming the cause and the fix, without looping', async (t) => {
    const w = await world([], undefined, t);
    const copy = join(w.sb.root, 'other-prefix');
    await mkdir(copy);
    await copyFile(join(SHIMS, 'tctl'), join(copy, 'tctl'));
    await chmod(join(copy, 'tctl'), 0o755);
    const off = await w.sb.tool('tctl', ['status'], { PATH: `${w.sb.bin}:${copy}:${w.sb.env.PATH}`, TELEPORT_TOOLS_VERSION: 'off' });
    assert.equal(off.code, 1);
    assert.equal(off.stdout, '');
    assert.match(off.stderr, /no tctl to run: .*automatic updates are off \(TELEPORT_TOOLS_VERSION=off\)/);

    w.cdn.setVersion(undefined); // the endpoint answers 404
    const down = await w.sb.tool('tsh', ['status']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /warning: could not install the cloud-stable version/);
    assert.match(down.stderr, /no tsh to run: .*teleport-tools update/);
    assert.deepEqual(await w.sb.cacheEntries(), ['.lock'].filter(() => false));
  });

  test('an invalid TELEPORT_TOOLS_VERSION is ignored with a warning, never used as a path', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    const r = await w.sb.tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: '../../../bin' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v13\.2\.3 /);
    assert.match(r.stderr, /ignoring TELEPORT_TOOLS_VERSION="\.\.\/\.\.\/\.\.\/bin": use off or a version X\.Y\.Z/);
  });
});
