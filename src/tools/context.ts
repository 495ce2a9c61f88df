/** What the client-tools services need from the entry point: settings, a voice, a way to cancel, HTTP. */
import { createHttpClient } from '../http.js';
import type { HttpClient } from '../http.js';
import type { Settings } from '../settings.js';
import type { Reporter } from '../ui/reporter.js';

export interface ToolsContext {
  settings: Settings;
  reporter: Reporter;
  signal?: AbortSignal | undefined;
  /**
   * May this run make requests? The launchers: only with automatic updates on. An explicit
   * `teleport-tools update`: unless TELEPORT_TOOLS_VERSION=off.
   */
  network: { allowed: boolean; reason: string };
  /**
   * Run installs in a child process started with lean V8 flags (install-process.ts): the launcher's
   * slow path, which starts Node.js without flags to keep `tsh login` quick.
   */
  isolateInstalls: boolean;
  /** Created on first use, so paths that make no request never load undici. */
  http(): HttpClient;
  close(): Promise<void>;
}

export interface ToolsContextOptions {
  signal?: AbortSignal | undefined;
  /** The user asked for this run (`teleport-tools update`): it may use the network unless TELEPORT_TOOLS_VERSION=off. */
  requested?: boolean;
  /** See ToolsContext.isolateInstalls. */
  isolateInstalls?: boolean;
}

export function createToolsContext(settings: Settings, reporter: Reporter, opts: ToolsContextOptions = {}): ToolsContext {
  const { signal, requested = false, isolateInstalls = false } = opts;
  let client: HttpClient | undefined;
  const network = requested && settings.pin.kind !== 'off'
    ? { allowed: true, reason: 'requested' }
    : { allowed: settings.autoUpdates.enabled, reason: settings.autoUpdates.reason };
  return {
    settings,
    network,
    reporter,
    signal,
    isolateInstalls,
    http: () => (client ??= createHttpClient(settings.http)),
    close: async () => {
      await client?.close();
    },
  };
}
