// The POSIX shells the sh launchers are run under in tests: dash (Debian's and Ubuntu's /bin/sh) and bash
// (/bin/sh on Fedora, RHEL and macOS). A shell that is not installed skips its tests, saying so.
import { spawnSync } from 'node:child_process';

export const SHELLS = ['dash', 'bash'] as const;
export type Shell = (typeof SHELLS)[number];

/** The absolute path of `shell` (tests run it with a PATH of their own), or undefined when it is not installed. */
export function shellPath(shell: Shell): string | undefined {
  const found = spawnSync('/bin/sh', ['-c', `command -v ${shell}`], { encoding: 'utf8' });
  const path = found.stdout?.trim();
  return found.status === 0 && path?.startsWith('/') ? path : undefined;
}

/** false when `shell` is installed, else why its tests are skipped (node:test's `skip` option). */
export function shellMissing(shell: Shell): false | string {
  return shellPath(shell) ? false : `${shell} is not installed`;
}
