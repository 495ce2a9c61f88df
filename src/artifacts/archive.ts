/**
 * Extracts a few named binaries from a gzip'd tar stream, treating the archive as hostile: any absolute
 * or `..` path anywhere, or any entry declaring more than the size cap, refuses the whole archive; a
 * wanted entry must be a regular file, present once; everything we write gets mode 0755 from us, never
 * from the archive. Decompressed bytes are capped so a bomb cannot fill the disk or pin the CPU.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser } from 'tar';
import type { ReadEntry } from 'tar';
import { ToolsError } from '../errors.js';

export const GiB = 1024 ** 3;

export interface ExtractSpec {
  /** Archive path (e.g. `teleport/tsh`) -> file name written in the destination directory. */
  entries: Readonly<Record<string, string>>;
  /** Largest entry, wanted or not. */
  maxEntryBytes: number;
  /** Largest decompressed archive. */
  maxTotalBytes: number;
}

/** Real archives hold 100-150 MB binaries and unpack to well under 1 GiB. */
export const DEFAULT_LIMITS = { maxEntryBytes: GiB, maxTotalBytes: 2 * GiB } as const;

/** Output piece size of gunzip: zlib's default 16 KB makes inflating 200 MB take half again as long. */
const INFLATE_CHUNK_BYTES = 256 * 1024;

const REGULAR = new Set(['File', 'OldFile', 'ContiguousFile']);

/** `1 GiB`, `64 MiB`, `4096 bytes`: limits as a user reads them. */
function formatLimit(bytes: number): string {
  const MiB = 1024 ** 2;
  if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  return `${bytes} bytes`;
}

function archiveError(message: string, cause?: unknown): ToolsError {
  return new ToolsError('EARCHIVE', `refusing archive: ${message}`, cause === undefined ? undefined : { cause });
}

/** Normalises an entry path, refusing the ones that could escape the destination. */
function checkedPath(raw: string): string {
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw) || raw.startsWith('\\')) {
    throw archiveError(`entry ${JSON.stringify(raw)} has an absolute path`);
  }
  if (raw.split(/[\\/]/).includes('..')) {
    throw archiveError(`entry ${JSON.stringify(raw)} contains ".."`);
  }
  return posix.normalize(raw).replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Counts decompressed bytes and fails past the cap (a decompression bomb). */
function byteCap(max: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* cap(source) {
    let total = 0;
    for await (const chunk of source) {
      total += chunk.length;
      if (total > max) throw archiveError(`it decompresses to more than ${formatLimit(max)}`);
      yield chunk;
    }
  };
}

/** Where in the archive reading stopped, for messages: the last entry whose header was read. */
interface Position {
  entry?: string | undefined;
}

const at = (entry: string | undefined): string => (entry ? ` (at entry ${JSON.stringify(entry)})` : '');

/** node-tar's own complaint (strict mode), with the entry it was reading when it has one. */
function parserError(err: Error & { entry?: { path?: string }; header?: { path?: string } }, position: Position): ToolsError {
  return archiveError(`${err.message}${at(err.entry?.path ?? err.header?.path ?? position.entry)}`, err);
}

/**
 * Feeds the decompressed tar into node-tar's strict Parser and writes the wanted entries. Resolves
 * once the archive ended cleanly and every wanted file is on disk (flushed).
 */
function tarSink(destDir: string, spec: ExtractSpec, digests: Record<string, string>, position: Position): Writable {
  const wanted = new Map(Object.entries(spec.entries));
  const seen = new Set<string>();
  const writes: Promise<void>[] = [];
  /** Files being written: closed at once when the archive is refused or the download cancelled. */
  const open = new Set<Writable>();
  let failure: Error | undefined;
  const parser = new Parser({ strict: true });
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', (err: Error) => reject(failure ?? parserError(err, position)));
  });
  ended.catch(() => undefined);

  /** A write waiting for the parser to drain; an aborted parser never drains, so fail() answers it. */
  let waiting: ((err?: Error | null) => void) | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    for (const out of open) out.destroy();
    parser.abort(err);
    const cb = waiting;
    waiting = undefined;
    cb?.(failure);
  };

  parser.on('entry', (entry: ReadEntry) => {
    position.entry = entry.path;
    try {
      const path = checkedPath(entry.path);
      // Any entry, wanted or not: a bomb is refused at its header instead of after gigabytes of zeros.
      if ((entry.size ?? 0) > spec.maxEntryBytes) {
        throw archiveError(`entry ${JSON.stringify(entry.path)} is ${entry.size} bytes, over the ${formatLimit(spec.maxEntryBytes)} limit`);
      }
      const name = wanted.get(path);
      if (name === undefined) {
        entry.resume();
        return;
      }
      if (seen.has(path)) throw archiveError(`${path} appears more than once`);
      seen.add(path);
      if (!REGULAR.has(entry.type)) {
        const target = entry.linkpath ? ` -> ${entry.linkpath}` : '';
        throw archiveError(`${path} is a ${entry.type}${target}, not a regular file`);
      }
      const file = join(destDir, name);
      const out = createWriteStream(file, { flags: 'wx', mode: 0o700, flush: true });
      open.add(out);
      const hash = createHash('sha256');
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      const written = pipeline(entry, tap, out).then(async () => {
        open.delete(out);
        await chmod(file, 0o755);
        digests[name] = hash.digest('hex');
      });
      writes.push(written);
      written.catch(fail);
    } catch (err) {
      entry.resume();
      fail(err as Error);
    }
  });

  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (failure) return cb(failure);
      if (parser.write(chunk)) return cb();
      waiting = cb;
      parser.once('drain', () => {
        if (waiting !== cb) return;
        waiting = undefined;
        cb(failure);
      });
    },
    final(cb) {
      parser.end();
      ended
        .then(() => Promise.all(writes))
        .then(() => {
          if (failure) throw failure;
          const missing = [...wanted.keys()].filter((p) => !seen.has(p));
          if (missing.length > 0) throw archiveError(`it has no ${missing.join(', ')}`);
        })
        .then(() => cb(), (err: Error) => cb(failure ?? err));
    },
    destroy(err, cb) {
      for (const out of open) out.destroy();
      if (err) parser.abort(err);
      cb(err);
    },
  });
}

/**
 * Decompresses `gz` and writes the wanted entries into `destDir` (which must exist and be empty).
 * Resolves with the SHA-256 of each file written, by file name.
 */
export async function extractEntries(gz: Readable, destDir: string, spec: ExtractSpec, signal?: AbortSignal): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  const position: Position = {};
  try {
    await pipeline(gz, createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }), byteCap(spec.maxTotalBytes), tarSink(destDir, spec, digests, position), { signal });
    return digests;
  } catch (err) {
    if (err instanceof ToolsError) throw err;
    if ((err as Error).name === 'AbortError') throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw archiveError(`it is not a valid gzip stream (${(err as Error).message})${at(position.entry)}`, err);
    if (['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT', 'EIO'].includes(code)) throw err;
    throw archiveError((err as Error).message, err);
  }
}
