/**
 * Extracts a few named binaries from a gzip'd tar stream, treating the archive as hostile: any absolute
 * or `..` path anywhere, or any entry declaring more than the size cap, refuses the whole archive; a
 * wanted entry must be a regular file, present once; everything we write gets its mode from us, never
 * from the archive. Decompressed bytes are capped so a bomb cannot fill the disk or pin the CPU.
 * On macOS a binary may come as an app bundle instead (bundle.ts); which layout an archive uses is only
 * known once it has been read, so both are extracted into staging and the bundle wins at the end.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ToolsError } from '../errors.js';
import { formatBytes } from '../ui/bytes.js';
import { archiveError, at } from './tar-entry.js';
import type { Position } from './tar-entry.js';
import { tarSink } from './tar-sink.js';
import type { ExtractSpec, Extracted } from './extract-spec.js';

export type { BundleEntry, BundleSpec } from './bundle.js';
export type { ExtractSpec, Extracted } from './extract-spec.js';

export const GiB = 1024 ** 3;

/** Real archives hold 100-150 MB binaries and unpack to well under 1 GiB. */
export const DEFAULT_LIMITS = { maxEntryBytes: GiB, maxTotalBytes: 2 * GiB } as const;

/** Output piece size of gunzip: zlib's default 16 KB makes inflating 200 MB take half again as long. */
const INFLATE_CHUNK_BYTES = 256 * 1024;

/** Counts decompressed bytes and fails past the cap (a decompression bomb). */
function byteCap(max: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* cap(source) {
    let total = 0;
    for await (const chunk of source) {
      total += chunk.length;
      if (total > max) throw archiveError(`it decompresses to more than ${formatBytes(max, 'limit')}`);
      yield chunk;
    }
  };
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
