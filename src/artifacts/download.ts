/**
 * One pass over the archive bytes: they stream from the socket through SHA-256 and, at the same time,
 * through gunzip and tar into a staging directory. The digest is compared once the last byte is in;
 * the caller publishes staging only after this resolves. Memory stays flat at any archive size.
 *
 * With a cache directory, the bytes are also kept as a partial download (partial.ts) when the answer
 * has a validator, and a later attempt (a retry in this run, or the next run) replays them through the
 * same hash and extractor and asks only for the rest (resume.ts). The digest covers every byte either way.
 */
import { readdir, rm } from 'node:fs/promises';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import type { Integrity } from 'ssri';
import type { HttpClient } from '../http.js';
import { ToolsError, isToolsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';
import { CHECKSUM_MAX_BYTES, parseChecksumFile } from './checksum-file.js';
import { extractEntries } from './archive.js';
import { extractZip, saveZip } from './zip.js';
import type { ExtractSpec, Extracted } from './archive.js';
import { discardPartial, openPartial, recordPartial } from './partial.js';
import type { PartialDownload } from './partial.js';
import { openArchive } from './resume.js';
import type { Opened } from './resume.js';
import { archiveSize, requireSpace, spaceNeeded } from './disk-space.js';
import type { FreeSpace } from './disk-space.js';

/** What the decompressor is fed at a time. */
const BATCH_BYTES = 256 * 1024;
/** Attempts in one run while each one gets further than the last. */
const MAX_ATTEMPTS = 5;

export interface Progress {
  received: number;
  total: number | undefined;
}

export interface DownloadRequest {
  http: HttpClient;
  archiveUrl: string;
  archiveName: string;
  destDir: string;
  spec: ExtractSpec;
  /** Where partial downloads are kept (the cache); unset: never kept, never resumed. */
  partialDir?: string | undefined;
  /** Checked for free space before the archive is requested; unset: no check. */
  space?: { dir: string; free?: FreeSpace | undefined } | undefined;
  signal?: AbortSignal | undefined;
  onStart?: (total: number | undefined) => void;
  onProgress?: (p: Progress) => void;
}

export interface Downloaded extends Extracted {
  /** Of the archive. */
  sha256: string;
  bytes: number;
  /** Bytes that came from a partial download instead of the network. */
  resumedFrom: number;
}

export async function fetchExpectedDigest(http: HttpClient, archiveUrl: string, archiveName: string, signal?: AbortSignal): Promise<string> {
  const text = await http.getText(`${archiveUrl}.sha256`, { maxBytes: CHECKSUM_MAX_BYTES, timeoutMs: 30_000, signal });
  return parseChecksumFile(text, archiveName);
}

/** A cut that a next attempt may continue: the socket failed, the answer could be resumed, and bytes came. */
class Cut extends Error {
  constructor(readonly error: ToolsError, readonly progressed: boolean) {
    super(error.message);
  }
}

export async function downloadVerified(req: DownloadRequest): Promise<Downloaded> {
  let partial = req.partialDir ? await openPartial(req.partialDir, req.archiveName, req.archiveUrl) : undefined;
  const [expected, size] = await Promise.all([
    fetchExpectedDigest(req.http, req.archiveUrl, req.archiveName, req.signal),
    req.space ? archiveSize(req.http, req.archiveUrl, req.signal) : undefined,
  ]).catch(async (err: unknown) => {
    await partial?.handle.close();
    throw err;
  });
  if (req.space && size !== undefined) {
    const have = partial && partial.meta.total === size ? partial.have : 0;
    await requireSpace(req.space.dir, spaceNeeded(size, have), req.space.free).catch(async (err: unknown) => {
      await partial?.handle.close();
      throw err;
    });
  }
  let started = false;
  /** Bytes replayed may be bad (a partial is not trusted): then once more, from nothing. */
  let freshRetry = true;
  for (let attempt = 1; ; attempt++) {
    try {
      const got = await attemptOnce(req, expected, partial, (total) => {
        if (!started) req.onStart?.(total);
        started = true;
      });
      return got;
    } catch (err) {
      const replayed = partial !== undefined;
      partial = undefined;
      if (err instanceof Cut) {
        if (!err.progressed || attempt >= MAX_ATTEMPTS || !req.partialDir) throw err.error;
      } else if (replayed && freshRetry && (isToolsError(err, 'EINTEGRITY') || isToolsError(err, 'EARCHIVE'))) {
        freshRetry = false;
        if (req.partialDir) await discardPartial(req.partialDir, req.archiveName);
      } else {
        throw err;
      }
    }
    await emptyDir(req.destDir);
    if (req.partialDir) partial = await openPartial(req.partialDir, req.archiveName, req.archiveUrl);
  }
}

async function emptyDir(dir: string): Promise<void> {
  const names = await readdir(dir);
  await Promise.all(names.map((n) => rm(join(dir, n), { recursive: true, force: true })));
}

async function attemptOnce(req: DownloadRequest, expected: string, partial: PartialDownload | undefined, onStart: (total: number | undefined) => void): Promise<Downloaded> {
  let opened: Opened;
  try {
    opened = await openArchive(req.http, req.archiveUrl, partial, req.signal);
  } catch (err) {
    await partial?.handle.close();
    throw err;
  }
  const { body, total, validator } = opened;
  // Taken in at once, flowing: a cut may come while the partial file is being opened below, and the
  // bytes that arrived before it are still good. The cut then shows as an early end of `net`; the
  // socket's error, not what gunzip or tar made of that end, is what is reported.
  let bodyError: Error | undefined;
  const net = new PassThrough({ highWaterMark: BATCH_BYTES });
  body.on('error', (err) => {
    bodyError ??= err;
    net.end();
  });
  body.pipe(net);
  const have = opened.resumed ? (partial?.have ?? 0) : 0;
  if (partial && !opened.resumed) {
    await partial.handle.close();
    partial = undefined;
  }
  let writer: WriteStream | undefined;
  if (req.partialDir && validator && total !== undefined) {
    writer = await recordPartial(req.partialDir, req.archiveName, { url: req.archiveUrl, validator, total }, have).catch(() => undefined);
  }
  // A partial file that cannot be written only costs the resume; the download goes on.
  let writerFailed = false;
  writer?.on('error', () => {
    writerFailed = true;
  });
  writer?.cork();
  /** Bytes given to the corked writer since it last wrote. */
  let unwritten = 0;
  onStart(total);
  const replay = partial ? partial.handle.createReadStream({ start: 0, end: have - 1 }) : undefined;

  const { default: ssri } = await import('ssri');
  const hasher = ssri.create({ algorithms: ['sha256'] });
  let received = 0;
  // TLS hands over ~16 KB at a time; every piece costs a trip through gunzip's thread and each stage
  // after it. Batching them is one cheap copy and makes the whole pipeline several times less chatty.
  let batch: Buffer[] = [];
  let batched = 0;
  const takeBatch = (): Buffer => {
    const out = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    return out;
  };
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (received === have) {
        checkpoint('archive-streaming');
        if (have > 0) checkpoint('archive-resumed');
      }
      const fromNetwork = received >= have;
      received += chunk.length;
      hasher.update(chunk);
      req.onProgress?.({ received, total });
      batch.push(chunk);
      batched += chunk.length;
      const next = (): void => (batched >= BATCH_BYTES ? cb(null, takeBatch()) : cb());
      if (!fromNetwork || !writer || writerFailed) return next();
      // Kept as it comes, so a cut (even SIGKILL) keeps what was received. Corked: the pieces go to
      // disk as one writev per batch, not one write each. Waits when the disk is behind.
      writer.write(chunk);
      unwritten += chunk.length;
      if (unwritten < BATCH_BYTES) return next();
      unwritten = 0;
      writer.uncork();
      if (!writer.writableNeedDrain) {
        writer.cork();
        return next();
      }
      const go = (): void => {
        writer?.off('drain', go).off('error', go);
        writer?.cork();
        next();
      };
      writer.once('drain', go).once('error', go);
    },
    flush(cb) {
      cb(null, batched > 0 ? takeBatch() : undefined);
    },
  });
  // The replayed bytes, then the network's.
  let source: PassThrough = net;
  if (replay) {
    source = new PassThrough({ highWaterMark: BATCH_BYTES });
    replay.on('error', (err) => source.destroy(err));
    replay.once('end', () => net.pipe(source));
    replay.pipe(source, { end: false });
  }

  const cutShort = (): Cut => {
    const cut = total !== undefined && received < total ? ` after ${received} of ${total} bytes` : '';
    const stalled = (bodyError as NodeJS.ErrnoException).code === 'UND_ERR_BODY_TIMEOUT';
    const why = stalled ? 'the server stopped sending (on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT)' : (bodyError as Error).message;
    const error = new ToolsError('ENETWORK', `download of ${req.archiveName} was cut short${cut}: ${why}`, { cause: bodyError });
    return new Cut(error, writer !== undefined && !writerFailed && received > have);
  };
  let extracted: Extracted;
  try {
    const sink = req.spec.format === 'zip' ? saveZip : extractEntries;
    extracted = await sink(source.pipe(tap), req.destDir, req.spec, req.signal);
  } catch (err) {
    body.destroy();
    source.destroy();
    await closeWriter(writer);
    await partial?.handle.close();
    if (req.signal?.aborted) throw new ToolsError('ECANCELLED', 'download cancelled', { cause: err });
    if (bodyError) throw cutShort();
    throw err;
  }
  if (bodyError) {
    // The tar ended before the cut (only padding was missing): still not the whole archive.
    await closeWriter(writer);
    await partial?.handle.close();
    throw cutShort();
  }
  await closeWriter(writer);
  await partial?.handle.close();
  // @types/ssri describes an older API: create().digest() returns an Integrity.
  const actual = (hasher.digest() as unknown as Integrity).hexDigest();
  if (actual !== expected) {
    if (req.partialDir) await discardPartial(req.partialDir, req.archiveName);
    throw new ToolsError('EINTEGRITY', `checksum mismatch for ${req.archiveName}: expected ${expected}, got ${actual}`);
  }
  checkpoint('digest-verified');
  // A zip is read from its end: only now, verified, is it opened.
  if (req.spec.format === 'zip') extracted = await extractZip(req.destDir, req.spec, req.signal);
  return { ...extracted, sha256: actual, bytes: received, resumedFrom: have };
}

/** Waits until every byte given to the partial file is written (or the file failed). */
async function closeWriter(writer: WriteStream | undefined): Promise<void> {
  if (!writer || writer.closed) return;
  await new Promise<void>((resolve) => {
    writer.once('close', resolve).once('error', () => resolve());
    writer.end();
  });
}
