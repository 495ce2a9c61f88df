// macOS archives on this machine through TELEPORT_TOOLS_TEST_PLATFORM=darwin-arm64 (CONTRACT.md item
// 6a), end to end through the real shims: Teleport 17+ app bundles and Teleport 16 bare binaries.
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { HOSTILE_BUNDLES } from '../helpers/hostile-bundles.js';
import { archiveName, buildRelease } from '../helpers/release.js';
import type { LayoutOptions } from '../helpers/release.js';
import { createSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { targz } from '../helpers/tar-writer.js';

const DARWIN = { os: 'darwin', arch: 'arm64' } as const;
const FAILING_VERSION = '17.3.0';
const HOSTILE_VERSION = '17.4.0';

let releases: string;
let cdn: CdnServer;

async function serve(version: string, extra: Partial<LayoutOptions> = {}): Promise<void> {
  cdn.serveRelease(await buildRelease({ dir: releases, version, edition: 'oss', ...DARWIN, ...extra }));
}

before(async () => {
  releases = await mkdtemp(join(tmpdir(), 'tt-darwin-'));
  cdn = await startCdn({ version: 'v17.0.1' });
  for (const v of ['16.4.7', '17.0.1', '17.1.0', '17.2.0', '17.2.1']) await serve(v);
  // A bundle whose tctl cannot even print its version.
  await serve(FAILING_VERSION, { overrides: { 'tctl.app/Contents/MacOS/tctl': { content: '#!/bin/sh\nexit 3\n' } } });
  cdn.serveArchive(archiveName({ version: HOSTILE_VERSION, ...DARWIN }), targz(HOSTILE_BUNDLES['link-out-absolute'].entries()));
});
after(async () => {
  await cdn.close();
  await rm(releases, { recursive: true, force: true });
});

interface Mac {
  sb: Sandbox;
  log: string;
  /** The fake programs' own log of their calls, one line each. */
  calls(): Promise<string[]>;
  tool(tool: 'tsh' | 'tctl', args: string[], extra?: Record<string, string | undefined>): ReturnType<Sandbox['tool']>;
}

async function mac(t: { after(fn: () => Promise<void>): void }): Promise<Mac> {
  const sb = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url, stayLocal: true });
  t.after(() => sb.remove());
  const log = join(sb.root, 'calls.log');
  const env = { TELEPORT_TOOLS_TEST_PLATFORM: 'darwin-arm64', FAKE_TELEPORT_LOG: log };
  return {
    sb,
    log,
    calls: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
    tool: (tool, args, extra = {}) => sb.tool(tool, args, { ...env, ...extra }),
  };
}

const FIRST_RUN = (v: string) => [`tsh v${v}: version (TELEPORT_TOOLS_VERSION=off)`, `tctl v${v}: version (TELEPORT_TOOLS_VERSION=off)`];

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
    const m = await mac(t);
    cdn.setVersion('v17.0.1');
    assert.equal((await m.tool('tsh', ['version'])).code, 0);
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
    const m = await mac(t);
    cdn.setVersion('v17.0.1');
    assert.equal((await m.tool('tsh', ['version'])).code, 0);
    const r = await m.tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: HOSTILE_VERSION });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v17\.0\.1 /);
    assert.match(r.stderr, /warning: could not install v17\.4\.0: refusing archive: the symbolic link teleport\/tsh\.app\/Contents\/Resources\/passwd -> \/etc\/passwd leaves the bundle; running the newest installed version, v17\.0\.1\n$/);
    assert.deepEqual((await m.sb.cacheEntries()).filter((e) => e !== '.lock'), ['17.0.1']);
  });

  test('doctor verifies every file of the bundles', async (t) => {
    const m = await mac(t);
    cdn.setVersion('v17.0.1');
    assert.equal((await m.tool('tsh', ['version'])).code, 0);
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
