/**
 * Windows release zips (docs/behaviour.md item 22). A zip is read from its central directory at the end,
 * so it cannot be extracted while it streams in: the download pipeline saves it to a staging file while
 * hashing it (saveZip), the digest is compared, and only then does extractZip take `tsh.exe` and
 * `tctl.exe` out of it, after every entry has passed zip-entry.ts. yauzl reads the central directory, the
 * ZIP64 records and each entry's data with its sizes enforced, through a reader that refuses any offset
 * past the end of the file (zip-reader.ts); the CRC-32 of what is written is checked here.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import type * as YauzlModule from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { ToolsError } from '../errors.js';
import { archiveError } from './tar-entry.js';
import type { ExtractSpec, Extracted } from './archive.js';
import { checkLocalHeader, checkZipEntry, specialKind } from './zip-entry.js';
import { openBoundedReader } from './zip-reader.js';
import type { ZipEntryMeta } from './zip-entry.js';

/** Where the downloaded zip waits in the staging directory (a dot-name: never a published file). */
export const STAGED_ZIP = '.download.zip';
/** A release zip holds five entries; a zip of many thousands is an attack on the reader. */
export const MAX_ZIP_ENTRIES = 10_000;

/** The download side: the archive's bytes go to `<destDir>/.download.zip`, flushed; nothing is extracted yet. */
export async function saveZip(bytes: Readable, destDir: string, _spec: ExtractSpec, signal?: AbortSignal): Promise<Extracted> {
  await pipeline(bytes, createWriteStream(join(destDir, STAGED_ZIP), { flags: 'wx', mode: 0o600, flush: true }), { signal });
  return { files: {}, bundles: {}, bundleEntries: [] };
}

type Yauzl = typeof YauzlModule.default;

function metaOf(yauzl: Yauzl, entry: Entry): ZipEntryMeta {
  const raw = entry.fileName as unknown as Buffer;
  return {
    name: yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true),
    rawName: raw.toString('latin1'),
    generalPurposeBitFlag: entry.generalPurposeBitFlag,
    compressionMethod: entry.compressionMethod,
    externalFileAttributes: entry.externalFileAttributes,
    madeBy: entry.versionMadeBy >>> 8,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    crc32: entry.crc32,
  };
}

/** Every entry, checked (central directory and local header) before anything is written. */
async function checkedEntries(yauzl: Yauzl, zip: ZipFile, spec: ExtractSpec): Promise<Map<string, Entry>> {
  const caps = { maxEntryBytes: spec.maxEntryBytes, maxTotalBytes: spec.maxTotalBytes, maxEntries: MAX_ZIP_ENTRIES };
  const seen = new Set<string>();
  const total = { bytes: 0 };
  const wanted = new Map<string, Entry>();
  for await (const entry of zip.eachEntry()) {
    const meta = metaOf(yauzl, entry);
    checkZipEntry(meta, caps, seen, total);
    const local = await zip.readLocalFileHeaderPromise(entry);
    checkLocalHeader(meta, { ...local, rawName: local.fileName.toString('latin1') });
    if (spec.entries[meta.name] === undefined) continue;
    if (specialKind(meta)) throw archiveError(`${meta.name} is a directory, not a regular file`);
    wanted.set(meta.name, entry);
  }
  const missing = Object.keys(spec.entries).filter((name) => !wanted.has(name));
  if (missing.length > 0) throw archiveError(`it has no ${missing.join(', ')}`);
  return wanted;
}

/** Writes one entry to `<destDir>/<name>` (never over an existing file); returns its SHA-256. */
async function writeEntry(zip: ZipFile, entry: Entry, file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  let crc = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      crc = crc32(chunk, crc);
      cb(null, chunk);
    },
  });
  const body = await zip.openReadStreamPromise(entry);
  await pipeline(body, tap, createWriteStream(file, { flags: 'wx', mode: 0o700, flush: true }), { signal });
  if (crc >>> 0 !== entry.crc32 >>> 0) throw archiveError(`entry ${JSON.stringify(entry.fileName.toString())} fails its CRC-32 check`);
  await chmod(file, 0o755);
  return hash.digest('hex');
}

function asArchiveError(err: unknown): unknown {
  if (err instanceof ToolsError || (err as Error).name === 'AbortError') return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT', 'EIO', 'EBUSY'].includes(code)) return err;
  if (code.startsWith('Z_')) return archiveError(`an entry is not valid deflate data (${(err as Error).message})`, err);
  return archiveError(`it is not a valid zip (${(err as Error).message})`, err);
}

/**
 * Extracts the wanted entries of the verified zip `<destDir>/.download.zip` into `destDir`, then
 * removes the zip (staging must hold only what is published).
 */
export async function extractZip(destDir: string, spec: ExtractSpec, signal?: AbortSignal): Promise<Extracted> {
  // Loaded here: the launcher's bundle must not load it on runs that install nothing.
  const yauzl = (await import('yauzl')).default;
  let zip: ZipFile | undefined;
  const written: string[] = [];
  try {
    // Names are decoded by metaOf (strictly: a backslash is kept, and refused by its checks).
    const { reader, size } = await openBoundedReader(yauzl, join(destDir, STAGED_ZIP));
    zip = await yauzl.fromRandomAccessReaderPromise(reader, size, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true })
      .catch((err: unknown) => {
        reader.close(() => {});
        throw err;
      });
    const wanted = await checkedEntries(yauzl, zip, spec);
    const result: Extracted = { files: {}, bundles: {}, bundleEntries: [] };
    for (const [path, entry] of wanted) {
      const name = spec.entries[path] as string;
      written.push(join(destDir, name));
      result.files[name] = await writeEntry(zip, entry, join(destDir, name), signal);
    }
    zip.close();
    zip = undefined;
    await rm(join(destDir, STAGED_ZIP));
    return result;
  } catch (err) {
    // A refused zip leaves nothing behind, not even the part of an entry written before its lie showed.
    await Promise.all(written.map((file) => rm(file, { force: true })));
    throw asArchiveError(err);
  } finally {
    zip?.close();
  }
}
