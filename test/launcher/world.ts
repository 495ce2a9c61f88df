// A small world for launcher tests: releases built once per test process, an HTTPS CDN serving them,
// and a sandboxed user whose launchers point at that CDN.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CdnServer} from '../helpers/cdn-server.js';
import { startCdn } from '../helpers/cdn-server.js';
import { buildRelease, currentPlatform } from '../helpers/release.js';
import type { BuiltRelease } from '../helpers/release.js';
import { copyTeleportHome, createSandbox } from '../helpers/sandbox.js';
import type { Sandbox } from '../helpers/sandbox.js';

let releaseDir: Promise<string> | undefined;
const built = new Map<string, Promise<BuiltRelease>>();

export function release(version: string): Promise<BuiltRelease> {
  let got = built.get(version);
  if (!got) {
    releaseDir ??= mkdtemp(join(tmpdir(), 'tt-releases-'));
    got = releaseDir.then((dir) => buildRelease({ dir, version, edition: 'oss', ...currentPlatform() }));
    built.set(version, got);
  }
  return got;
}

const homes = new Map<string, Promise<string>>();

/** A TELEPORT_HOME where `teleport-tools update --version <version>` ran, set up once per process. */
function homeWith(version: string): Promise<string> {
  let got = homes.get(version);
  if (!got) {
    got = (async () => {
      const cdn = await startCdn();
      cdn.serveRelease(await release(version));
      const sb = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
      try {
        const r = await sb.cli(['update', '--version', version]);
        if (r.code !== 0) throw new Error(`setting up a home with ${version} failed: ${r.stderr}`);
      } finally {
        await cdn.close();
      }
      return sb.teleportHome;
    })();
    homes.set(version, got);
  }
  return got;
}

export interface World {
  cdn: CdnServer;
  sb: Sandbox;
  /** The archive's URL path for a version. */
  archivePath(version: string): Promise<string>;
  /** Installs `version` through the CLI (like a user's earlier run), recording it as cloud-stable. */
  preinstall(version: string): Promise<void>;
  /**
   * Gives the fresh user (no TELEPORT_HOME yet) what `preinstall(version)` would leave, by copying a home
   * set up once per test process: cheaper, and this CDN sees no request for it.
   */
  preinstalled(version: string): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * A CDN serving `versions` (the version endpoint answers `current`), and a fresh sandboxed user.
 * Pass the test context to have it disposed after that test.
 */
export async function world(versions: string[], current?: string, t?: { after(fn: () => Promise<void>): void }): Promise<World> {
  const cdn = await startCdn(current ? { version: `v${current}` } : {});
  for (const v of versions) cdn.serveRelease(await release(v));
  const sb = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url, stayLocal: true });
  const w: World = {
    cdn,
    sb,
    archivePath: async (v) => `/${(await release(v)).archiveName}`,
    async preinstall(version) {
      const r = await sb.cli(['update', '--version', version]);
      if (r.code !== 0) throw new Error(`preinstall ${version} failed: ${r.stderr}`);
    },
    async preinstalled(version) {
      await copyTeleportHome(await homeWith(version), sb);
    },
    async dispose() {
      await cdn.close();
      await sb.remove();
    },
  };
  t?.after(() => w.dispose());
  return w;
}

/** Requests the CDN saw, as paths. */
export function paths(cdn: CdnServer): string[] {
  return cdn.requests.map((r) => r.path);
}

/** What $TELEPORT_HOME/cloud-stable-version holds. */
export const versionFile = (home: string) => readFile(join(home, 'cloud-stable-version'), 'utf8');
