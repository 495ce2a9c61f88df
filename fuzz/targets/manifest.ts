/**
 * `.teleport-tools.json`: what readManifest accepts must never crash a reader of it (the cache
 * listing, isInstalled, the install's already-there check, edition matching, the file checks and
 * doctor's full verification). Every one of them is run on whatever passes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MANIFEST_NAME, buildServes, fileIntact, hasBundles, installedManifest, listInstalled, manifestFileFor, publishedManifest,
  readManifest, verifyInstalled, versionIntact,
} from '../adapters/manifest.js';
import { reusedDir } from '../lib/scratch.js';

const VERSION = '17.0.1';

export async function fuzz(data: Buffer): Promise<void> {
  const cache = reusedDir('manifest');
  const dir = join(cache, VERSION);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MANIFEST_NAME), data);
  writeFileSync(join(dir, 'tsh'), '#!/bin/sh\n', { mode: 0o755 });
  const manifest = await readManifest(dir);
  if (!manifest) return;
  hasBundles(manifest);
  for (const tool of ['tsh', 'tctl', 'teleport']) {
    manifestFileFor(manifest, tool);
    await fileIntact(dir, manifest, tool);
  }
  await versionIntact(dir, manifest);
  await verifyInstalled(dir, manifest);
  for (const edition of ['oss', 'ent'] as const) for (const fips of [false, true]) buildServes(manifest, { edition, fips });
  await listInstalled(cache);
  await installedManifest(cache, VERSION, 'tsh');
  const release = { version: VERSION, edition: 'oss' as const, fips: true, platform: { os: 'linux' as const, arch: 'amd64' as const } };
  await publishedManifest(dir, release, ['tsh', 'tctl']);
}
