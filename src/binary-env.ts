/**
 * The environment of every real Teleport binary we start (tsh, tctl, the agent's teleport), in one
 * place (docs/behaviour.md items 3 and 31); the sh launchers apply the same rule in their binary_env,
 * where they also pass their own path as TELEPORT_TOOLS_PATH_REEXEC.
 * Our updater's setting wins over tsh's: TELEPORT_TOOLS_VERSION=off, so that tsh 17+ does not update
 * itself on top of us. And two of the caller's variables never reach the binary: with
 * TELEPORT_TOOLS_VERSION_REEXEC set, tsh 17+ ignores TELEPORT_TOOLS_VERSION=off and may update
 * itself; TELEPORT_TOOLS_DIR would point its updater at a directory of its own.
 */
import type { Env } from './settings.js';

/** The caller's variables a binary never inherits (shims/launcher.sh.in unsets the same). */
export const NEVER_INHERITED = ['TELEPORT_TOOLS_VERSION_REEXEC', 'TELEPORT_TOOLS_DIR'] as const;

/** `env` as a real binary must see it; `env` itself is left alone. */
export function binaryEnv(env: Env): Env {
  const out: Record<string, string | undefined> = { ...env, TELEPORT_TOOLS_VERSION: 'off' };
  for (const name of NEVER_INHERITED) delete out[name];
  return out;
}
