/**
 * Is a published directory still what its manifest says was verified? Every file of every app bundle
 * (type, mode, SHA-256, link targets) and each binary's real file. Reads whole files: meant for
 * `teleport-tools doctor`, not for every launch.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Manifest } from './manifest.js';
import { manifestFileFor } from './manifest.js';

async function sha256Of(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  return pipeline(createReadStream(file), hash).then(() => hash.digest('hex'), () => undefined);
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
    const real = await realpath(join(dir, tool)).catch(() => undefined);
    if (real !== join(root, file.path) || !real.startsWith(root + sep)) return `${tool} does not lead to ${file.path}`;
    if ((await sha256Of(real)) !== file.sha256) return `${file.path} changed since it was verified`;
  }
  return undefined;
}
