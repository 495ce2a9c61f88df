/**
 * A one-line record (current-profile, cloud-stable-version, cluster-versions/<profile>) as the shims
 * read it with `IFS= read -r`: up to the first newline, nothing trimmed, and NUL bytes dropped (dash
 * and bash both skip them, and a shell cannot see them). The slow path reads every record through
 * this, so that it and the fast path never take one file for two different values.
 */
export function recordLine(text: string): string {
  const end = text.indexOf('\n');
  return (end === -1 ? text : text.slice(0, end)).replace(/\0/g, '');
}
