// The world of the macOS tests (darwin*.test.ts): archives on this machine through
// TELEPORT_TOOLS_TEST_PLATFORM=darwin-arm64 (docs/behaviour.md item 6a), served by a CDN of the file's
// own, and a sandboxed user whose launchers install them.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { HOSTILE_BUNDLES } from '../helpers/hostile-bundles.js';
import { archiveName, buildRelease } from '../helpers/release.js';
import type { LayoutOptions } from '../helpers/release.js';
import { copyTeleportHome, createSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { targz } from '../helpers/tar-writer.js';

export const DARWIN = { os: 'darwin', arch: 'arm64' } as const;
export const FAILING_VERSION = '17.3.0';
export const HOSTILE_VERSION = '17.4.0';

let releases: string;
/** The file's CDN (set by darwinWorld's `before`); the version endpoint answers v17.0.1 at first. */
export let cdn: CdnServer;
let installedHome: Promise<string> | undefined;
const templates: Sandbox[] = [];

async function serve(version: string, extra: Partial<LayoutOptions> = {}): Promise<void> {
  cdn.serveRelease(await buildRelease({ dir: releases, version, edition: 'oss', ...DARWIN, ...extra }));
}

/** Builds and serves the macOS releases before the file's tests, and removes them after. */
export function darwinWorld(): void {
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
    await Promise.all(templates.map((sb) => sb.remove()));
  });
}

export interface Mac {
  sb: Sandbox;
  log: string;
  /** The fake programs' own log of their calls, one line each. */
  calls(): Promise<string[]>;
  tool(tool: 'tsh' | 'tctl', args: string[], extra?: Record<string, string | undefined>): ReturnType<Sandbox['tool']>;
}

export async function mac(t: { after(fn: () => Promise<void>): void }): Promise<Mac> {
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

export const FIRST_RUN = (v: string) => [`tsh v${v}: version (TELEPORT_TOOLS_VERSION=off)`, `tctl v${v}: version (TELEPORT_TOOLS_VERSION=off)`];


/**
 * A Mac user with v17.0.1's bundles installed by a first run (`tsh version`), as the launchers leave
 * them: a copy of a home set up once per file, with the calls log of that first run left behind.
 */
export async function installedMac(t: { after(fn: () => Promise<void>): void }): Promise<Mac> {
  installedHome ??= (async () => {
    const first = await mac({ after: async () => undefined });
    templates.push(first.sb);
    cdn.setVersion('v17.0.1');
    const r = await first.tool('tsh', ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v17\.0\.1 /);
    return first.sb.teleportHome;
  })();
  const m = await mac(t);
  await copyTeleportHome(await installedHome, m.sb);
  return m;
}
