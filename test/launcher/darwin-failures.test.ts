// macOS app bundles (Teleport 17+, docs/behaviour.md item 6a) through TELEPORT_TOOLS_TEST_PLATFORM=
// darwin-arm64, end to end through the real shims: installs that fail or are refused leave the working
// tsh running, and doctor verifies every file of the bundles.
import assert from 'node:assert/strict';
import { lstat, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FAILING_VERSION, FIRST_RUN, HOSTILE_VERSION, cdn, darwinWorld, installedMac, mac } from './darwin-world.js';

darwinWorld();

describe('macOS app bundles (Teleport 17+): failed installs and doctor', () => {
  test('killed after publishing, before the first run: neither path uses it; the next run installs it again', async (t) => {
    const m = await mac(t);
    cdn.setVersion('v17.0.1');
    const killed = await m.tool('tsh', ['version'], { TELEPORT_TOOLS_TEST_CRASH_AT: 'renamed' });
    assert.notEqual(killed.code, 0);
    const dir = join(m.sb.cacheDir, '17.0.1');
    assert.ok((await lstat(join(dir, 'tsh.app'))).isDirectory(), 'the bundles were published');
    await assert.rejects(lstat(join(dir, 'tsh')), 'no tsh link: the fast path cannot run it');
    await assert.rejects(lstat(join(dir, '.teleport-tools.json')), 'no manifest: not installed');
    assert.deepEqual(await m.calls(), []);
    // The dead process's lock goes stale first (10 s), then the install starts over.
    const again = await m.tool('tsh', ['version']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Teleport v17\.0\.1 /);
    assert.deepEqual(await m.calls(), [...FIRST_RUN('17.0.1'), 'tsh v17.0.1: version (TELEPORT_TOOLS_VERSION=off)']);
    assert.equal(await readlink(join(dir, 'tsh')), 'tsh.app/Contents/MacOS/tsh');
  });

  test('a bundle whose binary fails its first run is a failed install: not installed, the installed one runs', async (t) => {
    const m = await installedMac(t);
    cdn.setVersion('v17.0.1');
    await writeFile(m.log, '');
    const r = await m.tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: FAILING_VERSION });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v17\.0\.1 /);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('warning:'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0] ?? '', /could not install v17\.3\.0: the first run of .*\/17\.3\.0\/tctl\.app\/Contents\/MacOS\/tctl \(tctl version\) exited with status 3; running the newest installed version, v17\.0\.1$/);
    assert.deepEqual((await m.sb.cacheEntries()).filter((e) => e !== '.lock'), ['17.0.1']);
    assert.deepEqual(await m.calls(), [`tsh v${FAILING_VERSION}: version (TELEPORT_TOOLS_VERSION=off)`, 'tsh v17.0.1: version (TELEPORT_TOOLS_VERSION=off)']);
  });

  test('a hostile bundle is refused with one line; nothing of it reaches the cache; the working tsh runs', async (t) => {
    const m = await installedMac(t);
    cdn.setVersion('v17.0.1');
    const r = await m.tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: HOSTILE_VERSION });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v17\.0\.1 /);
    assert.match(r.stderr, /warning: could not install v17\.4\.0: refusing archive: the symbolic link teleport\/tsh\.app\/Contents\/Resources\/passwd -> \/etc\/passwd leaves the bundle; running the newest installed version, v17\.0\.1\n$/);
    assert.deepEqual((await m.sb.cacheEntries()).filter((e) => e !== '.lock'), ['17.0.1']);
  });

  test('doctor verifies every file of the bundles', async (t) => {
    const m = await installedMac(t);
    cdn.setVersion('v17.0.1');
    const env = { TELEPORT_TOOLS_TEST_PLATFORM: 'darwin-arm64', TELEPORT_TOOLS_VERSION: 'off' };
    const cacheCheck = async () => {
      const r = await m.sb.cli(['doctor', '--json'], env);
      return (JSON.parse(r.stdout).checks as { name: string; ok: boolean; detail: string; fix?: string }[]).find((c) => c.name === 'cache');
    };
    const ok = await cacheCheck();
    assert.equal(ok?.ok, true, ok?.detail);
    await writeFile(join(m.sb.cacheDir, '17.0.1', 'tsh.app/Contents/Info.plist'), '<plist>tampered</plist>\n');
    const bad = await cacheCheck();
    assert.equal(bad?.ok, false);
    assert.match(bad?.detail ?? '', /v17\.0\.1 in .* is damaged: tsh\.app\/Contents\/Info\.plist changed since it was verified$/);
  });
});
