/**
 * The only version strings we accept: plain X.Y.Z (no pre-release, no build metadata, no leading
 * zeros). Anything else is never used to build a path or a URL.
 */
import { ToolsError } from './errors.js';

const PLAIN = /^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;

export function isPlainVersion(value: string): boolean {
  return PLAIN.test(value);
}

/** Throws EVERSION unless `value` is a plain version. `what` names the source in the message. */
export function requirePlainVersion(value: string, what: string): string {
  if (!isPlainVersion(value)) {
    throw new ToolsError('EVERSION', `${what} is not a plain version X.Y.Z: ${JSON.stringify(value.slice(0, 80))}`);
  }
  return value;
}

/**
 * The body of the version endpoint: a version with an optional leading `v`, surrounding white space
 * (including CRLF and a byte-order mark) ignored. Anything else, HTML included, is refused.
 */
export function parseVersionBody(body: string, source: string): string {
  const text = body.replace(/^\uFEFF/, '').trim();
  const bare = text.startsWith('v') ? text.slice(1) : text;
  if (!isPlainVersion(bare)) {
    const shown = text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}…` : JSON.stringify(text);
    throw new ToolsError('EVERSION', `${source} did not answer a version (got ${shown})`);
  }
  return bare;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

/** A release version as a cluster reports it: `v` optional, pre-release and build tags allowed. */
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
const RELEASE = new RegExp(`^v?(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`);

export interface ReleaseParts {
  major: number;
  minor: number;
  patch: number;
}

/**
 * The numbers of a version such as a cluster's `server_version` (`16.0.0-aa`), as semver reads them;
 * undefined for anything else. Small on purpose: it runs on every `tsh login`, where loading a
 * package costs more than the login check itself.
 */
export function releaseParts(value: string): ReleaseParts | undefined {
  const m = RELEASE.exec(value.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}
