/**
 * "The call's profile" (CONTRACT item 11): which tsh profile a `tsh`/`tctl` invocation belongs to,
 * and so which `cluster-versions/<profile>` record picks its version. shims/tsh and shims/tctl
 * implement the same rule with shell builtins; this file mirrors them step by step (and
 * test/launcher/profile.test.ts runs one table of cases through both), so keep the two in step.
 *
 * tsh: the last `--proxy=<addr>` / `--proxy <addr>` before `--`, else TELEPORT_PROXY, else the first
 * line of `$TELEPORT_HOME/current-profile`. tctl: TELEPORT_PROXY, else current-profile. The first of
 * those that is not empty is the source; its host (below) must be a plain host name, or the call has
 * no profile (and a hostile name never becomes part of a path).
 */
import { readFileSync } from 'node:fs';
import type { Settings } from '../settings.js';
import type { Tool } from './cache.js';
import { recordLine } from './record-line.js';

/** Longest profile name accepted: a DNS name's limit. */
export const MAX_PROFILE_LENGTH = 253;

/** The value of the last `--proxy` before `--` (shims: the `for a in "$@"` loop). */
export function proxyFlag(args: readonly string[]): string | undefined {
  let value: string | undefined;
  let next = false;
  for (const a of args) {
    if (next) {
      value = a;
      next = false;
      continue;
    }
    if (a === '--') break;
    if (a.startsWith('--proxy=')) value = a.slice('--proxy='.length);
    else if (a === '--proxy') next = true;
  }
  return value;
}

/** `host[:port]` of a proxy address: through the first `://` stripped, then from the first `/` and `,`. */
export function authorityOf(address: string): string {
  let p = address;
  const scheme = p.indexOf('://');
  if (scheme !== -1) p = p.slice(scheme + 3);
  return (p.split('/')[0] as string).split(',')[0] as string;
}

/**
 * The host of a proxy address as tsh takes it (`host`, `host:port`, `host:443,3023`, `https://host/`,
 * `[::1]:3080`), by the shims' parameter expansions: strip through the first `://`, then from the
 * first `/`, then from the first `,`; a `[...]` literal gives what is inside; else a trailing
 * `:<digits>` port goes.
 */
export function hostOfAddress(address: string): string {
  let p = authorityOf(address);
  if (p.startsWith('[') && p.slice(1).includes(']')) {
    p = p.slice(1);
    return p.slice(0, p.indexOf(']'));
  }
  const colon = p.lastIndexOf(':');
  if (colon !== -1 && /^[0-9]*$/.test(p.slice(colon + 1))) p = p.slice(0, colon);
  return p;
}

/**
 * A plain host name: letters, digits, `.`, `-`, `_`; or an IPv6 literal (hex digits, `:` and `.`).
 * No leading dot, no `..`, at most 253 characters. Nothing else is ever joined to a path.
 */
export function isPlainHost(name: string): boolean {
  if (name === '' || name.length > MAX_PROFILE_LENGTH) return false;
  if (name.startsWith('.') || name.includes('..')) return false;
  if (name.includes(':')) return /^[0-9A-Fa-f:.]+$/.test(name);
  return /^[A-Za-z0-9._-]+$/.test(name);
}

export interface ProfileSources {
  tool: Tool;
  args: readonly string[];
  /** TELEPORT_PROXY. */
  envProxy: string | undefined;
  /** The contents of `$TELEPORT_HOME/current-profile`, undefined when absent. */
  currentProfile: string | undefined;
}

/** The call's profile, or undefined (none given, or not a plain host name). */
export function callProfile(src: ProfileSources): string | undefined {
  const flag = src.tool === 'tsh' ? proxyFlag(src.args) : undefined;
  let host: string;
  if (flag) host = hostOfAddress(flag);
  else if (src.envProxy) host = hostOfAddress(src.envProxy);
  else if (src.currentProfile) host = recordLine(src.currentProfile);
  else return undefined;
  return isPlainHost(host) ? host : undefined;
}

/**
 * A small local file's text, or undefined when it cannot be read. Synchronous, like readManifest
 * (which says why).
 */
export function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The profile of a call without arguments (tctl's rule: TELEPORT_PROXY, else current-profile), for the CLI. */
export async function profileOf(settings: Settings): Promise<string | undefined> {
  const currentProfile = readQuietly(settings.currentProfileFile);
  return callProfile({ tool: 'tctl', args: [], envProxy: settings.env.TELEPORT_PROXY, currentProfile });
}
