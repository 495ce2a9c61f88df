/** `teleport-tools doctor`: every check, in the order a user would fix things. */
import { createHttpClient } from '../http.js';
import type { HttpClient } from '../http.js';
import type { Settings } from '../settings.js';
import type { Check } from './check.js';
import { checkCache } from './cache.js';
import { checkClusterVersions } from './cluster-versions.js';
import { checkConfig } from './config.js';
import { checkDiskSpace } from './disk-space.js';
import { checkFastPath } from './fast-path.js';
import { checkLauncher } from './launchers.js';
import { checkNetwork } from './network.js';
import { checkNode } from './node-version.js';
import { checkExtraCaCerts, checkProxy } from './trust.js';

export type { Check } from './check.js';

export interface DoctorOptions {
  settings: Settings;
  /** Directories that hold our launchers though maybe not on PATH (where this CLI was started from). */
  binDirHints?: readonly string[];
  signal?: AbortSignal | undefined;
}

export async function runDoctor(opts: DoctorOptions): Promise<Check[]> {
  const { settings } = opts;
  const pathVar = settings.env.PATH;
  let client: HttpClient | undefined;
  try {
    const local = await Promise.all([
      checkLauncher('tsh', { pathVar, binDirHints: opts.binDirHints }),
      checkLauncher('tctl', { pathVar, binDirHints: opts.binDirHints }),
      checkFastPath(),
      checkNode(pathVar, settings.env.NODE_OPTIONS),
      checkCache(settings),
      checkClusterVersions(settings),
      checkConfig(settings),
      checkProxy(settings.http.proxy),
      checkExtraCaCerts(settings.env),
    ]);
    const http = (): HttpClient => (client ??= createHttpClient(settings.http));
    const network = await checkNetwork({ settings, signal: opts.signal, http });
    // The archive's size is asked of the CDN only when the cdn check found it reachable.
    const cdnOk = network.some((c) => c.name === 'cdn' && c.ok && !c.detail.startsWith('skipped'));
    return [...local, ...network, await checkDiskSpace({ settings, signal: opts.signal, http, askCdn: cdnOk })];
  } finally {
    await client?.close();
  }
}
