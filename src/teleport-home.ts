/**
 * Where TELEPORT_HOME is, decided in one place for settings.ts and for the launcher's gate (which
 * needs it for the code cache before any settings are loaded).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A relative TELEPORT_HOME is taken against the working directory, as tsh (and the sh launchers) take
 * it, once: every path below it, and every path the launchers print, is absolute.
 */
export function teleportHome(env: Readonly<Record<string, string | undefined>>, userHome = env.HOME || homedir()): string {
  return resolve(env.TELEPORT_HOME || join(userHome, '.tsh'));
}
