// macOS archives on this machine through TELEPORT_TOOLS_TEST_PLATFORM=darwin-arm64 (docs/behaviour.md
// item 6a), end to end through the real shims: Teleport 17+ app bundles installed, run and kept, and
// Teleport 16 bare binaries (darwin-failures.test.ts has the installs that fail, and doctor).
import assert from 'node:assert/strict';
import { lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { archiveName } from '../helpers/release.js';
import { DARWIN, FIRST_RUN, cdn, darwinWorld, mac } from './darwin-world.js';

darwinWorld();

describe('macOS app bundles (Teleport 17+)', () => {
  test('first run, fast path, login refresh and retention, through the shims', async (t) => {
    const m = await mac(t);
    cdn.setVersion('v17.0.1');

    // First run: installs the bundles, runs each binary's `version` once, then the user's command.
    const first = await m.tool('tsh', ['version', '--format=json']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).version, '17.0.1');
    assert.deepEqual(await m.calls(), [...FIRST_RUN('17.0.1'), 'tsh v17.0.1: version --format=json (TELEPORT_TOOLS_VERSION=off)']);
    const dir = join(m.sb.cacheDir, '17.0.1');
    assert.equal(await readlink(join(dir, 'tsh')), 'tsh.app/Contents/MacOS/tsh');
    assert.equal(await readlink(join(dir, 'tctl')), 'tctl.app/Contents/MacOS/tctl');
    assert.equal(await readlink(join(dir, 'tsh.app/Contents/Resources/Info.plist')), '../Info.plist');
    const manifest = JSON.parse(await readFile(join(dir, '.teleport-tools.json'), 'utf8'));
    assert.deepEqual(manifest.bundles, { tsh: 'tsh.app/Contents/MacOS/tsh', tctl: 'tctl.app/Contents/MacOS/tctl' });
    assert.ok(manifest.bundleEntries.some((e: { path: string }) => e.path === 'tctl.app/Contents/_CodeSignature/CodeResources'));

    // Fast path: the shim's [ -f ] [ -x ] follow the link; PATH without node proves no Node.js ran.
    const requests = cdn.requests.length;
    const fast = await m.tool('tctl', ['__args', 'a b'], { PATH: m.sb.bin });
    assert.equal(fast.code, 0, fast.stderr);
    assert.deepEqual(JSON.parse(fast.stdout), ['a b']);
    assert.equal(fast.stderr, '');
    assert.equal(cdn.requests.length, requests);
    assert.equal((await m.calls()).filter((l) => l.endsWith(': version (TELEPORT_TOOLS_VERSION=off)')).length, 2, 'no second first run');

    // Login refresh to a Cloud proxy: the new version's bundles, first-run once each, then tsh login.
    cdn.setVersion('v17.1.0');
    await writeFile(m.log, '');
    const login = await m.tool('tsh', ['login', '--proxy=acme.teleport.sh']);
    assert.match(login.stderr, /^New cloud-stable version of Teleport detected: v17\.1\.0$/m);
    assert.match(login.stderr, /^Updated tsh\/tctl to version v17\.1\.0!$/m);
    const calls = await m.calls();
    assert.deepEqual(calls.slice(0, 2), FIRST_RUN('17.1.0'));
    assert.match(calls[2] ?? '', /^tsh v17\.1\.0: login --proxy=acme\.teleport\.sh/);

    // Retention keeps cloud-stable (17.1.0), the pin and the most recently installed other one: a
    // fourth version removes the oldest in place; nothing renamed aside.
    for (const pin of ['17.2.0', '17.2.1']) {
      const pinned = await m.tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: pin });
      assert.match(pinned.stdout, new RegExp(`^Teleport v${pin.replaceAll('.', '\\.')} `), pinned.stderr);
    }
    assert.deepEqual((await m.sb.cacheEntries()).filter((e) => e !== '.lock'), ['17.1.0', '17.2.0', '17.2.1']);
  });

  test('four launchers at once on an empty cache: one download, one first run, then all four run', async (t) => {
    const m = await mac(t);
    cdn.setVersion('v17.0.1');
    const archive = `/${archiveName({ version: '17.0.1', ...DARWIN })}`;
    const before = cdn.count(archive);
    const runs = await Promise.all([1, 2, 3, 4].map(() => m.tool('tsh', ['__pid'])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.equal(cdn.count(archive) - before, 1, 'one archive download');
    const calls = await m.calls();
    assert.deepEqual(calls.slice(0, 2), FIRST_RUN('17.0.1'), 'the first run comes before any launcher execs tsh');
    assert.deepEqual(calls.slice(2), Array(4).fill('tsh v17.0.1: __pid (TELEPORT_TOOLS_VERSION=off)'));
  });
});

describe('macOS bare binaries (Teleport 16 and older)', () => {
  test('installed as before, with no first-run call, and run on the fast path', async (t) => {
    const m = await mac(t);
    cdn.setVersion('v16.4.7');
    const r = await m.tool('tsh', ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v16\.4\.7 /);
    assert.ok((await lstat(join(m.sb.cacheDir, '16.4.7', 'tsh'))).isFile());
    assert.deepEqual(await m.calls(), ['tsh v16.4.7: version (TELEPORT_TOOLS_VERSION=off)']);
    const fast = await m.tool('tctl', ['version'], { PATH: m.sb.bin });
    assert.match(fast.stdout, /^Teleport v16\.4\.7 /);
    assert.equal(fast.stderr, '');
  });
});
