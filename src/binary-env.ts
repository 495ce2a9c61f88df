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

export interface BinaryEnvOptions {
  /** The launcher's own path, passed as TELEPORT_TOOLS_PATH_REEXEC (the Windows launcher; sh does it in binary_env). */
  launcher?: string;
  /** Windows names ignore case there: `Teleport_Tools_Dir` is TELEPORT_TOOLS_DIR and goes too. */
  platform?: string;
}

/** `env` as a real binary must see it; `env` itself is left alone. */
export function binaryEnv(env: Env, opts: BinaryEnvOptions = {}): Env {
  const set: Record<string, string> = { TELEPORT_TOOLS_VERSION: 'off' };
  if (opts.launcher !== undefined) set.TELEPORT_TOOLS_PATH_REEXEC = opts.launcher;
  const fold = (opts.platform ?? process.platform) === 'win32' ? (name: string) => name.toUpperCase() : (name: string) => name;
  const dropped = new Set<string>([...NEVER_INHERITED, ...Object.keys(set)]);
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) if (!dropped.has(fold(name))) out[name] = value;
  return { ...out, ...set };
}
