/**
 * Extracts a few named binaries from a gzip'd tar stream, treating the archive as hostile: any absolute
 * or `..` path anywhere, or any entry declaring more than the size cap, refuses the whole archive; a
 * wanted entry must be a regular file, present once; everything we write gets its mode from us, never
 * from the archive. Decompressed bytes are capped so a bomb cannot fill the disk or pin the CPU.
 * On macOS a binary may come as an app bundle instead (bundle.ts); which layout an archive uses is only
 * known once it has been read, so both are extracted into staging and the bundle wins at the end.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Parser as TarParser } from 'tar';
import type { ReadEntry } from 'tar';
import { ToolsError } from '../errors.js';
import { BundleWriter, DEFAULT_MAX_BUNDLE_ENTRIES, archiveError } from './bundle.js';
import type { BundleEntry, BundleSpec } from './bundle.js';

export type { BundleEntry, BundleSpec } from './bundle.js';

export const GiB = 1024 ** 3;

export interface ExtractSpec {
  /** Archive path (e.g. `teleport/tsh`) -> file name written in the destination directory. */
  entries: Readonly<Record<string, string>>;
  /**
   * App bundles that replace a bare entry when the archive holds them: archive directory (e.g.
   * `teleport/tsh.app`) -> the bundle. Its `binary` is the file name of the bare entry it replaces.
   */
  bundles?: Readonly<Record<string, BundleSpec>>;
  /** Most entries one bundle may hold (default 1000; a real one holds a dozen). */
  maxBundleEntries?: number;
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

/** What an extraction left in the destination directory. */
export interface Extracted {
  /** SHA-256 of every regular file written, by path relative to the destination. */
  files: Record<string, string>;
  /** Binaries that came as app bundles -> their executable's path (`tsh.app/Contents/MacOS/tsh`). */
  bundles: Record<string, string>;
  /** Every entry of those bundles. */
  bundleEntries: BundleEntry[];
}

/** The bundle an entry path belongs to, and its path below the bundle directory. */
function bundleOf(path: string, writers: Map<string, BundleWriter>): [BundleWriter, string] | undefined {
  for (const [dir, writer] of writers) {
    if (path === dir) return [writer, ''];
    if (path.startsWith(`${dir}/`)) return [writer, path.slice(dir.length + 1)];
  }
  return undefined;
}

/**
 * The decision made once the whole archive is read: a binary whose bundle the archive held uses the
 * bundle (its bare copy, if any, is dropped and `<name>` becomes a relative link to the executable);
 * any other binary needs its bare entry, which must have been a regular file.
 */
async function settleLayouts(destDir: string, spec: ExtractSpec, state: SinkState, result: Extracted): Promise<void> {
  const missing: string[] = [];
  for (const [path, name] of Object.entries(spec.entries)) {
    const writer = [...state.writers.values()].find((w) => w.spec.binary === name && w.present);
    if (writer) {
      result.bundleEntries.push(...(await writer.finish()));
      const exe = `${writer.spec.name}/${writer.spec.executable}`;
      await rm(join(destDir, name), { force: true });
      delete result.files[name];
      await symlink(exe, join(destDir, name));
      result.bundles[name] = exe;
      continue;
    }
    const deferred = state.refusedBare.get(path);
    if (deferred) throw deferred;
    if (!state.seen.has(path)) {
      const bundle = Object.entries(spec.bundles ?? {}).find(([, b]) => b.binary === name)?.[0];
      missing.push(bundle ? `${bundle} or ${path}` : path);
    }
  }
  if (missing.length > 0) throw archiveError(`it has no ${missing.join(', ')}`);
}

interface SinkState {
  seen: Set<string>;
  writers: Map<string, BundleWriter>;
  /** Bare entries that are not regular files, where a bundle may still make them irrelevant. */
  refusedBare: Map<string, ToolsError>;
}

/**
 * Feeds the decompressed tar into node-tar's strict Parser and writes the wanted entries. Resolves
 * once the archive ended cleanly and every wanted file is on disk (flushed). Every file write, and
 * the closing of its descriptor, is added to `inFlight`, so a failure can wait for them to stop.
 */
function tarSink(Parser: typeof TarParser, destDir: string, spec: ExtractSpec, result: Extracted, position: Position, inFlight: Promise<unknown>[]): Writable {
  const wanted = new Map(Object.entries(spec.entries));
  const maxBundleEntries = spec.maxBundleEntries ?? DEFAULT_MAX_BUNDLE_ENTRIES;
  const state: SinkState = {
    seen: new Set<string>(),
    writers: new Map(Object.entries(spec.bundles ?? {}).map(([dir, b]) => [dir, new BundleWriter(dir, destDir, b, maxBundleEntries)])),
    refusedBare: new Map(),
  };
  const { seen } = state;
  const writes: Promise<unknown>[] = [];
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

  /**
   * Streams one entry's body into `<destDir>/<rel>` (created, never overwritten), hashing it on the
   * way; the digest is recorded before the write counts as done.
   */
  const writeFile = (entry: ReadEntry, rel: string, mode: number, onDigest?: (digest: string) => void): Promise<void> => {
    const file = join(destDir, rel);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o700, flush: true });
    inFlight.push(new Promise<void>((resolve) => out.once('close', () => resolve())));
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
      await chmod(file, mode);
      const digest = hash.digest('hex');
      result.files[rel] = digest;
      onDigest?.(digest);
    });
    writes.push(written);
    inFlight.push(written);
    written.catch(fail);
    return written;
  };

  parser.on('entry', (entry: ReadEntry) => {
    position.entry = entry.path;
    try {
      const path = checkedPath(entry.path);
      // Any entry, wanted or not: a bomb is refused at its header instead of after gigabytes of zeros.
      if ((entry.size ?? 0) > spec.maxEntryBytes) {
        throw archiveError(`entry ${JSON.stringify(entry.path)} is ${entry.size} bytes, over the ${formatLimit(spec.maxEntryBytes)} limit`);
      }
      const inBundle = bundleOf(path, state.writers);
      if (inBundle) {
        const [writer, rel] = inBundle;
        if (!writer.accept(entry, rel, writeFile)) entry.resume();
        return;
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
        const refusal = archiveError(`${path} is a ${entry.type}${target}, not a regular file`);
        // Where this binary may come as a bundle, the bundle (if the archive holds one) decides.
        if (![...state.writers.values()].some((w) => w.spec.binary === name)) throw refusal;
        state.refusedBare.set(path, refusal);
        entry.resume();
        return;
      }
      void writeFile(entry, name, 0o755);
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
        .then(async () => {
          if (failure) throw failure;
          await settleLayouts(destDir, spec, state, result);
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
 * Resolves with what was written: the SHA-256 of each file, and which binaries are bundles.
 */
export async function extractEntries(gz: Readable, destDir: string, spec: ExtractSpec, signal?: AbortSignal): Promise<Extracted> {
  const result: Extracted = { files: {}, bundles: {}, bundleEntries: [] };
  const position: Position = {};
  // Loaded here: the launcher's bundle must not load it on runs that install nothing.
  const { Parser } = await import('tar');
  const inFlight: Promise<unknown>[] = [];
  try {
    await pipeline(gz, createGunzip({ chunkSize: INFLATE_CHUNK_BYTES }), byteCap(spec.maxTotalBytes), tarSink(Parser, destDir, spec, result, position, inFlight), { signal });
    return result;
  } catch (err) {
    // Settled means finished: no file is still being opened, written, closed or chmod'ed once we answer.
    await Promise.allSettled(inFlight);
    if (err instanceof ToolsError) throw err;
    if ((err as Error).name === 'AbortError') throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw archiveError(`it is not a valid gzip stream (${(err as Error).message})${at(position.entry)}`, err);
    if (['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT', 'EIO'].includes(code)) throw err;
    throw archiveError((err as Error).message, err);
  }
}
