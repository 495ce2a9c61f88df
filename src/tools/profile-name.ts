/**
 * The one rule for a profile name (docs/behaviour.md item 11): what may become
 * `cluster-versions/<profile>` or a Connect My Computer agent directory, and what the shims accept
 * before they read a record (their `case $p in` lines say the same).
 *
 * A name is 1 to 253 characters (a DNS name's limit) of letters, digits, `.`, `-` and `_`, or an IPv6
 * literal (hex digits, `:` and `.`, with at least one `:`). It never starts with `.` (a hidden file,
 * `.` or `..`) or `-` (it would read as an option to the programs it is passed to), and holds no `..`.
 */

/** Longest profile name accepted: a DNS name's limit. */
export const MAX_PROFILE_LENGTH = 253;

export function isProfileName(name: string): boolean {
  if (name === '' || name.length > MAX_PROFILE_LENGTH) return false;
  if (name.startsWith('.') || name.startsWith('-') || name.includes('..')) return false;
  if (name.includes(':')) return /^[0-9A-Fa-f:.]+$/.test(name);
  return /^[A-Za-z0-9._-]+$/.test(name);
}
