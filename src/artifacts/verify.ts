/**
 * Is a published directory still what its manifest says was verified? Two depths:
 * - fileIntact/versionIntact: each binary's real file against the SHA-256 recorded at install time;
 *   used when the launcher's fast path refused a binary (empty, not executable), before the slow path
 *   runs it.
 * - verifyInstalled: every file of every app bundle (type, mode, SHA-256, link targets) and each
 *   binary's real file; reads whole files, so it is meant for `teleport-tools doctor`, not every launch.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from './manifest.js';
import { manifestFileFor } from './manifest.js';
import { exeName } from './exe-name.js';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** The SHA-256 of a file, or undefined when it cannot be read. */
export const sha256Of = (file: string): Promise<string | undefined> => sha256File(file).catch(() => undefined);

/** True when `dir`'s `tool` (the real file behind it, for an app bundle) has the SHA-256 recorded at install time. */
export async function fileIntact(dir: string, manifest: Manifest, tool: string): Promise<boolean> {
  const file = manifestFileFor(manifest, tool);
  if (!file) return false;
  return (await sha256Of(join(dir, file.path))) === file.sha256;
}

/** True when every binary of the manifest is intact. */
export async function versionIntact(dir: string, manifest: Manifest): Promise<boolean> {
  for (const tool of manifest.binaries) if (!(await fileIntact(dir, manifest, tool))) return false;
  return true;
}

/** The first way `dir` differs from `manifest`, as words following "<dir>: ", or undefined. */
export async function verifyInstalled(dir: string, manifest: Manifest): Promise<string | undefined> {
  const root = await realpath(dir).catch(() => dir);
  for (const entry of manifest.bundleEntries ?? []) {
    const path = join(dir, entry.path);
    const s = await lstat(path).catch(() => undefined);
    if (!s) return `${entry.path} is missing`;
    const type = s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other';
    if (type !== entry.type) return `${entry.path} is no longer a ${entry.type === 'dir' ? 'directory' : entry.type}`;
    if (entry.mode !== undefined && `0${(s.mode & 0o7777).toString(8)}` !== entry.mode) return `${entry.path} has mode ${(s.mode & 0o7777).toString(8)}, not ${entry.mode.slice(1)}`;
    if (entry.type === 'symlink' && (await readlink(path).catch(() => undefined)) !== entry.target) return `${entry.path} no longer links to ${entry.target ?? ''}`;
    if (entry.type === 'file' && entry.sha256 && (await sha256Of(path)) !== entry.sha256) return `${entry.path} changed since it was verified`;
  }
  for (const tool of manifest.binaries) {
    const file = manifestFileFor(manifest, tool);
    if (!file) return `the manifest has no digest for ${tool}`;
    const real = await realpath(join(dir, exeName(tool))).catch(() => undefined);
    if (real !== join(root, file.path) || !real.startsWith(root + sep)) return `${tool} does not lead to ${file.path}`;
    if ((await sha256Of(real)) !== file.sha256) return `${file.path} changed since it was verified`;
  }
  return undefined;
}
