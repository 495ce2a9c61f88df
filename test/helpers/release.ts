// Builds fake Teleport release archives (+ `.sha256`) on disk, laid out like the real ones, streaming so
// that a 200 MB benchmark archive never sits in memory.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zc } from 'node:zlib';
import type { LayoutOptions } from './release-layout.js';
import { PAD_SHARE, archiveName, isBinary, releaseEntries, sha256Line, topFolder } from './release-layout.js';
import type { StreamEntry, TarEntry } from './tar-writer.js';
import { pseudoRandomChunks, writeTarGz } from './tar-writer.js';

export * from './release-layout.js';
export { ESCAPE_PATHS, HOSTILE_NAMES, hostileArchive, hostileArchives } from './hostile-archives.js';
export type { HostileArchive, HostileName } from './hostile-archives.js';

export interface BuildReleaseOptions extends LayoutOptions {
  /** Output directory (created if missing). */
  dir: string;
  /**
   * Extra bytes inside the binaries, pseudo-random 7-bit text that barely compresses: the archive grows by
   * about 7/8 of this. Split between the binaries like the real sizes (`PAD_SHARE`). The fake programs
   * still run: the bytes sit in a trailing JS comment that the sh part never reaches.
   */
  padBytes?: number;
  /** gzip level (default 6). Padded archives use the RLE strategy, which is fast on random bytes. */
  gzipLevel?: number;
}

export interface BuiltRelease {
  archiveName: string;
  archivePath: string;
  sha256Path: string;
  /** Lowercase hex SHA-256 of the archive. */
  sha256: string;
  /** Archive size in bytes. */
  size: number;
}

const ASTERISK = 0x2a; // excluded from padding so it can never close the JS comment early

function padded(entry: TarEntry, padBytes: number, seed: string): StreamEntry {
  const head = Buffer.from(`${String(entry.content ?? '')}\n/* padding\n`);
  const tail = Buffer.from('\n*/\n');
  return {
    ...entry,
    size: head.length + padBytes + tail.length,
    body: function* () {
      yield head;
      yield* pseudoRandomChunks(padBytes, seed, { ascii: true, exclude: ASTERISK });
      yield tail;
    },
  };
}

/** Writes `<dir>/<archive name>` and `<dir>/<archive name>.sha256`. */
export async function buildRelease(options: BuildReleaseOptions): Promise<BuiltRelease> {
  const name = archiveName(options);
  const archivePath = join(options.dir, name);
  const sha256Path = `${archivePath}.sha256`;
  const top = topFolder(options.edition);
  const padBytes = options.padBytes ?? 0;
  const entries = releaseEntries(options).map((entry): TarEntry | StreamEntry => {
    const tool = entry.path.slice(top.length + 1);
    const keepsContent = options.overrides?.[tool]?.content === undefined && (entry.type ?? 'file') === 'file';
    if (padBytes <= 0 || !isBinary(tool) || !keepsContent || !entry.path.startsWith(`${top}/`)) return entry;
    return padded(entry, Math.round(padBytes * PAD_SHARE[tool]), `${name}/${tool}`);
  });
  await mkdir(options.dir, { recursive: true });
  // Write then rename: test processes running in parallel may build the same release.
  const temp = `${archivePath}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const { sha256, size } = await writeTarGz(temp, entries, {
      level: options.gzipLevel,
      strategy: padBytes > 0 ? zc.Z_RLE : undefined,
    });
    await writeFile(`${temp}.sha256`, sha256Line(sha256, name));
    await rename(temp, archivePath);
    await rename(`${temp}.sha256`, sha256Path);
    return { archiveName: name, archivePath, sha256Path, sha256, size };
  } finally {
    await rm(temp, { force: true });
    await rm(`${temp}.sha256`, { force: true });
  }
}
