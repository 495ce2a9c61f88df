/** `teleport-tools doctor`: every check, in the order a user would fix things. */
import { createHttpClient } from '../http.js';
import type { HttpClient } from '../http.js';
import type { Settings } from '../settings.js';
import type { Check } from './check.js';
import { checkCache } from './cache.js';
import { checkClusterVersions } from './cluster-versions.js';
import { checkConfig } from './config.js';
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
      checkNode(pathVar),
      checkCache(settings),
      checkClusterVersions(settings),
      checkConfig(settings),
      checkProxy(settings.http.proxy),
      checkExtraCaCerts(settings.env),
    ]);
    const network = await checkNetwork({ settings, signal: opts.signal, http: () => (client ??= createHttpClient(settings.http)) });
    return [...local, ...network];
  } finally {
    await client?.close();
  }
}
