// Connect My Computer with macOS archives (TELEPORT_TOOLS_TEST_PLATFORM=darwin-arm64): tsh and tctl run
// from the app bundles' links, and the agent, bare `teleport/teleport` in every layout, installs as before.
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readManifest } from '../../src/artifacts/manifest.js';
import { buildRelease } from '../helpers/release.js';
import { VERSION, createCmcSandbox, startWorld } from './support.js';

test('cmc setup from a Teleport 17+ style darwin archive: bundles for tsh/tctl, a bare agent', async (t) => {
  const world = await startWorld();
  t.after(() => world.close());
  const dir = await mkdtemp(join(tmpdir(), 'tt-cmc-darwin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  world.cdn.serveRelease(await buildRelease({ dir, version: VERSION, os: 'darwin', arch: 'arm64', darwinLayout: 'bundle' }));
  const sb = await createCmcSandbox(world, { env: { TELEPORT_TOOLS_TEST_PLATFORM: 'darwin-arm64' } });
  t.after(() => sb.remove());
  assert.equal(await readlink(join(sb.cacheDir, VERSION, 'tctl')), 'tctl.app/Contents/MacOS/tctl');

  const r = await sb.cmc(['setup']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Setup complete/);
  const agentDir = join(sb.connectCache, 'teleport');
  const manifest = await readManifest(agentDir);
  assert.deepEqual(manifest?.binaries, ['teleport']);
  assert.match(manifest?.archive ?? '', /-darwin-arm64-bin\.tar\.gz$/);
  assert.equal(manifest?.bundles, undefined);
  assert.ok((await lstat(join(agentDir, 'teleport'))).isFile());
});
