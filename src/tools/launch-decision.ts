/**
 * The launch decision (docs/behaviour.md items 5 and 8), as pure functions: from the installed
 * versions, the selection and what went wrong, what to run or do next, with the one warning line the
 * user gets. launch.ts does the file system, the installs and the reporting around them.
 */
import type { Tool } from './cache.js';
import type { Call } from './profile.js';
import { hostOfAddress } from './proxy-address.js';

/** Install first? Only when the selected version (or, with none selected, any version) is missing and requests are allowed. */
export function shouldInstall(selectedInstalled: boolean, networkAllowed: boolean): boolean {
  return !selectedInstalled && networkAllowed;
}

export interface VersionFacts {
  /** The selected version, after any install attempt (which may have fetched it). */
  selected: string | undefined;
  /** Installed versions that hold the tool, newest first. */
  installed: readonly string[];
  /** Why installing the selected version failed, when it was tried and did. */
  failure: string | undefined;
}

export type VersionChoice =
  /** Run this installed version; `fallbacks` are the others to try, in order, if it is damaged. */
  | { version: string; warning: string | undefined; fallbacks: string[] }
  /** Nothing installed to run: look further (PATH), carrying why. */
  | { version: undefined; failure: string | undefined };

/** The selected version when installed, else the newest installed one (saying why, when there is a why). */
export function chooseVersion(f: VersionFacts): VersionChoice {
  const { selected, installed } = f;
  const version = selected !== undefined && installed.includes(selected) ? selected : installed[0];
  if (version === undefined) return { version: undefined, failure: f.failure };
  const fallbacks = installed.filter((v) => v !== version);
  if (version === selected) return { version, warning: undefined, fallbacks };
  const why = f.failure ?? (selected ? `v${selected} is not installed` : undefined);
  return { version, warning: why && `${why}; running the newest installed version, v${version}`, fallbacks };
}

/** The chosen version is damaged and could not be repaired: `fallback` (if any) runs instead. */
export function afterDamage(damaged: string, fallback: string | undefined): { version: string; warning: string } | { version: undefined; failure: string } {
  return fallback === undefined ? { version: undefined, failure: damaged } : { version: fallback, warning: `${damaged}; running v${fallback}` };
}

export interface LastResortFacts {
  tool: Tool;
  failure: string | undefined;
  /** The next `tsh`/`tctl` on PATH that is not this launcher. */
  onPath: string | undefined;
  networkAllowed: boolean;
  cacheDir: string;
  /** Why automatic updates are off (settings.autoUpdates.reason). */
  updatesOffReason: string;
  /** TELEPORT_TOOLS_VERSION=off. */
  pinnedOff: boolean;
}

export type LastResort = { binary: string; warning: string } | { binary: undefined; warning: string | undefined; error: string };

/** Nothing installed can run: the tool on PATH, else the error that names the cause and the fix. */
export function lastResort(f: LastResortFacts): LastResort {
  if (f.onPath) {
    return { binary: f.onPath, warning: `${f.failure ? `${f.failure}; ` : ''}no Teleport client tools installed by teleport-tools; running ${f.onPath}` };
  }
  const fix = f.networkAllowed
    ? `check your network or proxy settings (HTTPS_PROXY, NODE_EXTRA_CA_CERTS) and run 'teleport-tools update'`
    : `automatic updates are off (${f.updatesOffReason}); install a version with 'teleport-tools update'${f.pinnedOff ? ' (without TELEPORT_TOOLS_VERSION=off)' : ''}`;
  return { binary: undefined, warning: f.failure, error: `no ${f.tool} to run: none is installed in ${f.cacheDir} and none is on PATH; ${fix}` };
}

/** The host the Connect My Computer hooks act on: login, the call's profile; logout, the named proxy's host (none: every profile). */
export function hookHost(call: Call): string | undefined {
  if (call.subcommand === 'login') return call.profile;
  if (call.subcommand === 'logout' && call.namedProxy !== undefined) return hostOfAddress(call.namedProxy);
  return undefined;
}
