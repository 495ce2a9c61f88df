/**
 * The bytes of an archive download received so far, kept so that a cut download (a reset, a timeout,
 * Ctrl-C, a killed process) continues where it stopped instead of starting over: `cache/.partial-<archive>`
 * holds the bytes, `cache/.partial-<archive>.json` the URL, the validator (ETag or Last-Modified) and
 * the archive's full size. Tied to the archive name and its validator: a change of either throws it away.
 * Nothing here is trusted: the bytes are replayed through the SHA-256 like new ones, and a file that
 * is not ours (a symbolic link, another owner) or is longer than the archive is thrown away unread.
 */
import { constants, createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { lstat, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const PARTIAL_PREFIX = '.partial-';
const META_SUFFIX = '.json';

export interface PartialMeta {
  url: string;
  /** `If-Range` value: the first answer's strong ETag, else its Last-Modified. */
  validator: string;
  /** The archive's full size, from the first answer. */
  total: number;
}

export interface PartialDownload {
  meta: PartialMeta;
  /** Bytes on disk, all of them a prefix of the archive (if the file is what it claims). */
  have: number;
  /** Open for reading, checked to be our own regular file; closed by the caller. */
  handle: FileHandle;
}

export function partialPaths(cacheDir: string, archiveName: string): { data: string; meta: string } {
  const data = join(cacheDir, `${PARTIAL_PREFIX}${archiveName}`);
  return { data, meta: `${data}${META_SUFFIX}` };
}

/** The validator of a response we could resume later: a strong ETag, else Last-Modified; else none. */
export function validatorOf(headers: Readonly<Record<string, string>>): string | undefined {
  const etag = headers.etag?.trim();
  if (etag && !etag.startsWith('W/')) return etag;
  return headers['last-modified']?.trim() || undefined;
}

const ours = (s: { isFile(): boolean; uid: number }): boolean =>
  s.isFile() && (process.getuid === undefined || s.uid === process.getuid());

export async function discardPartial(cacheDir: string, archiveName: string): Promise<void> {
  const { data, meta } = partialPaths(cacheDir, archiveName);
  await Promise.all([rm(data, { force: true }), rm(meta, { force: true })]).catch(() => undefined);
}

function parseMeta(text: string): PartialMeta | undefined {
  try {
    const m = JSON.parse(text) as Partial<PartialMeta> | null;
    if (!m || typeof m.url !== 'string' || typeof m.validator !== 'string' || m.validator === '') return undefined;
    if (typeof m.total !== 'number' || !Number.isSafeInteger(m.total) || m.total <= 0) return undefined;
    return { url: m.url, validator: m.validator, total: m.total };
  } catch {
    return undefined;
  }
}

/**
 * The usable partial download of `archiveName` from `url`, or undefined; anything unusable (no or
 * garbled sidecar, another URL, a link, another owner, empty, longer than the archive) is removed.
 */
export async function openPartial(cacheDir: string, archiveName: string, url: string): Promise<PartialDownload | undefined> {
  const paths = partialPaths(cacheDir, archiveName);
  const metaStat = await lstat(paths.meta).catch(() => undefined);
  const meta = metaStat && ours(metaStat) ? parseMeta(await readFile(paths.meta, 'utf8').catch(() => '')) : undefined;
  let handle: FileHandle | undefined;
  if (meta && meta.url === url) {
    handle = await open(paths.data, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
    const s = await handle?.stat().catch(() => undefined);
    if (handle && s && ours(s) && s.size > 0 && s.size <= meta.total) return { meta, have: s.size, handle };
  }
  await handle?.close().catch(() => undefined);
  // A symbolic link is removed, never followed: rm() unlinks the link itself.
  if (metaStat || (await lstat(paths.data).catch(() => undefined))) await discardPartial(cacheDir, archiveName);
  return undefined;
}

/**
 * Starts keeping the bytes of a download: from byte 0 (a fresh answer; any older partial is
 * replaced) or appended after `have` bytes of a checked partial. The sidecar is written first, so a
 * data file never exists without the validator it belongs to.
 */
export async function recordPartial(cacheDir: string, archiveName: string, meta: PartialMeta, have = 0): Promise<WriteStream> {
  const paths = partialPaths(cacheDir, archiveName);
  if (have === 0) {
    await discardPartial(cacheDir, archiveName);
    await writeFile(paths.meta, `${JSON.stringify(meta)}\n`, { mode: 0o600, flag: 'wx' });
  }
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (have === 0 ? constants.O_EXCL : 0);
  const handle = await open(paths.data, flags, 0o600);
  if (have > 0) await handle.truncate(have);
  return createWriteStream('', { fd: handle, start: have, highWaterMark: 256 * 1024 });
}

/** Removes every partial download except those of `keep` (archive names). Only call with the lock held. */
export async function sweepPartials(cacheDir: string, keep: readonly string[] = []): Promise<void> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const kept = new Set(keep.flatMap((a) => [`${PARTIAL_PREFIX}${a}`, `${PARTIAL_PREFIX}${a}${META_SUFFIX}`]));
  await Promise.all(
    names
      .filter((n) => n.startsWith(PARTIAL_PREFIX) && !kept.has(n))
      .map((n) => rm(join(cacheDir, n), { force: true, recursive: true }).catch(() => undefined)),
  );
}
