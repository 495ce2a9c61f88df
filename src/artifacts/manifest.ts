/**
 * `.teleport-tools.json` inside each published directory: what was installed, from which archive,
 * with which digest, and when. Written in staging, so it is published by the same rename.
 * Manifests without `bundles` (every one written before app bundles were supported) describe bare
 * binaries and stay valid as they are.
 */
import { readFileSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleEntry } from './bundle.js';
import { exeName } from './exe-name.js';

export type { BundleEntry } from './bundle.js';

export const MANIFEST_NAME = '.teleport-tools.json';

export interface Manifest {
  version: string;
  edition: string;
  archive: string;
  /** Of the archive the binaries came from. */
  sha256: string;
  binaries: string[];
  /**
   * SHA-256 of each installed regular file, by path relative to the directory: `tsh` for a bare
   * binary, every file of a bundle (`tsh.app/Contents/MacOS/tsh`, `tsh.app/Contents/Info.plist`…).
   */
  files: Record<string, string>;
  /** Binaries installed as macOS app bundles -> the executable behind the `<binary>` link. */
  bundles?: Record<string, string>;
  /** Every entry of those bundles (path, type, mode, SHA-256 or link target). */
  bundleEntries?: BundleEntry[];
  installedAt: string;
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644, flush: true });
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): v is Record<string, string> => isRecord(v) && Object.values(v).every(isString);
/** A path every reader joins to the directory: relative, and never climbing out of it. */
const isInnerPath = (p: unknown): p is string => isString(p) && p !== '' && !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\0');

function isBundleEntry(v: unknown): v is BundleEntry {
  if (!isRecord(v) || !isInnerPath(v.path) || !['file', 'dir', 'symlink'].includes(v.type as string)) return false;
  return (v.mode === undefined || (isString(v.mode) && /^0[0-7]{1,4}$/.test(v.mode))) && (v.sha256 === undefined || isString(v.sha256)) && (v.target === undefined || isString(v.target));
}

/**
 * Every field with the type a reader expects, so that nothing that passes here can make one throw.
 * (Found by the manifest fuzz target: `files` absent crashed manifestFileFor.)
 */
function isManifest(d: unknown): d is Manifest {
  if (!isRecord(d) || ![d.version, d.edition, d.archive, d.sha256, d.installedAt].every(isString)) return false;
  if (!Array.isArray(d.binaries) || !d.binaries.every(isInnerPath) || !isStringMap(d.files)) return false;
  if (d.bundles !== undefined && !(isStringMap(d.bundles) && Object.values(d.bundles).every(isInnerPath))) return false;
  return d.bundleEntries === undefined || (Array.isArray(d.bundleEntries) && d.bundleEntries.every(isBundleEntry));
}

/**
 * The manifest, or undefined when absent or unreadable (a directory we did not publish).
 * Small local files on the launchers' path (this, version records, config, current-profile) are read
 * synchronously: a `tsh login` reads a dozen of them, and each thread-pool round trip of fs/promises
 * cost more than the read itself (docs/architecture.md, performance rules).
 */
export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    const data: unknown = JSON.parse(readFileSync(join(dir, MANIFEST_NAME), 'utf8'));
    return isManifest(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Unpublishes a directory in place: without its manifest it no longer counts as installed, whatever
 * happens to the rest of it (used where renaming is not allowed: macOS app bundles).
 */
export async function removeManifest(dir: string): Promise<void> {
  await unlink(join(dir, MANIFEST_NAME)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** Does this version hold app bundles (which are never renamed once published)? */
export function hasBundles(manifest: Manifest): boolean {
  return Object.keys(manifest.bundles ?? {}).length > 0;
}

/**
 * The real file behind `<dir>/<tool>`, for both layouts: its path relative to the directory (`tsh`,
 * or `tsh.app/Contents/MacOS/tsh` for a bundle) and the SHA-256 it had when it was verified.
 * Undefined when the manifest does not list that tool.
 */
export function manifestFileFor(manifest: Manifest, tool: string): { path: string; sha256: string } | undefined {
  if (!manifest.binaries.includes(tool)) return undefined;
  const path = manifest.bundles?.[tool] ?? exeName(tool);
  const sha256 = manifest.files[path];
  return sha256 === undefined ? undefined : { path, sha256 };
}
