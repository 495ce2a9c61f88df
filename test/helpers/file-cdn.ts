// One HTTPS CDN serving one release for a whole test file, with a cleanup list for what the tests
// start: started in before(), torn down (cleanups last-in first-out, then the CDN) in after().
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startCdn } from './cdn-server.js';
import type { CdnServer } from './cdn-server.js';
import { buildRelease } from './release.js';
import type { BuiltRelease } from './release.js';

export interface FileCdn {
  cdn: CdnServer;
  release: BuiltRelease;
  /** Where the release was built. */
  dir: string;
  /** Run in after(), newest first. */
  cleanups: (() => Promise<void>)[];
}

/** The version endpoint answers `v<version>`; the release of `version` is served. */
export function releaseCdnForFile(prefix: string, version: string): FileCdn {
  const shared = { cleanups: [] } as unknown as FileCdn;
  before(async () => {
    shared.dir = await mkdtemp(join(tmpdir(), prefix));
    shared.release = await buildRelease({ dir: shared.dir, version });
    shared.cdn = await startCdn({ version: `v${version}` });
    shared.cdn.serveRelease(shared.release);
  });
  after(async () => {
    for (const cleanup of shared.cleanups.reverse()) await cleanup();
    await shared.cdn.close();
    await rm(shared.dir, { recursive: true, force: true });
  });
  return shared;
}
