/**
 * "The call's profile" (docs/behaviour.md item 11): which tsh profile a `tsh`/`tctl` invocation
 * belongs to, and so which `cluster-versions/<profile>` record picks its version. shims/tsh and
 * shims/tctl implement the same rule with shell builtins; this file mirrors them step by step (and
 * test/launcher/profile.test.ts runs one table of cases through both), so keep the two in step.
 *
 * tsh: the last `--proxy=<addr>` / `--proxy <addr>` before `--` (tsh-args.ts), else TELEPORT_PROXY,
 * else the first line of `$TELEPORT_HOME/current-profile` (record-line.ts). tctl: TELEPORT_PROXY, else
 * current-profile. The first of those that is not empty is the source; its host (proxy-address.ts)
 * must be a profile name (profile-name.ts), or the call has no profile (and a hostile name never
 * becomes part of a path).
 */
import type { Settings } from '../settings.js';
import type { Tool } from './cache.js';
import { readTshArgs } from './tsh-args.js';
import type { TshCommandLine } from './tsh-args.js';
import { hostOfAddress } from './proxy-address.js';
import { isProfileName } from './profile-name.js';
import { readQuietly, recordLine } from './record-line.js';

export interface ProfileSources {
  tool: Tool;
  args: readonly string[];
  /** TELEPORT_PROXY. */
  envProxy: string | undefined;
  /** The contents of `$TELEPORT_HOME/current-profile`, undefined when absent. */
  currentProfile: string | undefined;
}

export interface Call extends TshCommandLine {
  /** The proxy address the call names: tsh's `--proxy`, else TELEPORT_PROXY (empty: none). */
  namedProxy: string | undefined;
  /** The call's profile, or undefined (none given, or not a profile name). */
  profile: string | undefined;
}

const NO_ARGS: TshCommandLine = { subcommand: undefined, proxy: undefined, insecure: false };

/** Everything the launcher takes from a call: tsh's arguments (tctl's are not read), its proxy and profile. */
export function readCall(src: ProfileSources): Call {
  const line = src.tool === 'tsh' ? readTshArgs(src.args) : NO_ARGS;
  const namedProxy = line.proxy || src.envProxy || undefined;
  let host: string | undefined;
  if (namedProxy !== undefined) host = hostOfAddress(namedProxy);
  else if (src.currentProfile !== undefined) host = recordLine(src.currentProfile);
  return { ...line, namedProxy, profile: host !== undefined && isProfileName(host) ? host : undefined };
}

/** The call's profile, or undefined (none given, or not a profile name). */
export function callProfile(src: ProfileSources): string | undefined {
  return readCall(src).profile;
}

/** The profile of a call without arguments (tctl's rule: TELEPORT_PROXY, else current-profile), for the CLI. */
export async function profileOf(settings: Settings): Promise<string | undefined> {
  const currentProfile = readQuietly(settings.currentProfileFile);
  return callProfile({ tool: 'tctl', args: [], envProxy: settings.env.TELEPORT_PROXY, currentProfile });
}
