/**
 * The environment tsh.exe gets from the Windows launcher (docs/behaviour.md items 3 and 31), as the sh
 * launcher gives it on the other systems: TELEPORT_TOOLS_VERSION=off (tsh 17+ runs no updater of its
 * own on top), TELEPORT_TOOLS_PATH_REEXEC naming the launcher, and never the caller's
 * TELEPORT_TOOLS_VERSION_REEXEC or TELEPORT_TOOLS_DIR. Windows names ignore case, so `Teleport_Tools_Dir`
 * is the same variable and goes too.
 */
const DROPPED = ['TELEPORT_TOOLS_VERSION_REEXEC', 'TELEPORT_TOOLS_DIR', 'TELEPORT_TOOLS_VERSION', 'TELEPORT_TOOLS_PATH_REEXEC'];

export function childEnv(env: NodeJS.ProcessEnv, self: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !DROPPED.includes(key.toUpperCase())) out[key] = value;
  }
  out.TELEPORT_TOOLS_VERSION = 'off';
  out.TELEPORT_TOOLS_PATH_REEXEC = self;
  return out;
}
