/**
 * Reading the one-line records the shims read too: `current-profile`, `cloud-stable-version` and
 * `cluster-versions/<profile>`. The shims use `IFS= read -r`, which gives the first line exactly as
 * it is (no trimming: a trailing space or a CR stays, and then the value is refused) and silently
 * drops NUL bytes (dash and bash alike). The slow path reads the same value, so a record works on both
 * paths or on neither (docs/behaviour.md items 1 and 11).
 */
import { readFileSync } from 'node:fs';

/** What `IFS= read -r line <file` leaves in `line` for a file holding `text`. */
export function recordLine(text: string): string {
  const end = text.indexOf('\n');
  return (end === -1 ? text : text.slice(0, end)).replaceAll('\0', '');
}

/**
 * A small local file's text, or undefined when it cannot be read (absent, a directory, no access).
 * Synchronous, like readManifest (which says why).
 */
export function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
