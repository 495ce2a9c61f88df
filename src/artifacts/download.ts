/**
 * One pass over the archive bytes: they stream from the socket through SHA-256 and, at the same time,
 * through gunzip and tar into a staging directory. The digest is compared once the last byte is in;
 * the caller publishes staging only after this resolves. Memory stays flat at any archive size.
 * A Windows zip is read from its end, so it is saved to staging instead and extracted by zip.ts only
 * once its digest matches.
 *
 * With a cache directory, the bytes are also kept as a partial download (partial.ts) when the answer
 * has a validator, and a later attempt (a retry in this run, or the next run) replays them through the
 * same hash and extractor and asks only for the rest (resume.ts). The digest covers every byte either way.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
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
import { BatchStage, HashStage, Intake, PartialCopy, afterReplay } from './download-stages.js';
import { archiveSize, requireSpace, spaceNeeded } from './disk-space.js';
import type { FreeSpace } from './disk-space.js';

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

/** An answer that went past the archive's size: nothing is kept from it (docs/behaviour.md item 28). */
class Overflow extends Error {
  constructor(readonly error: ToolsError) {
    super(error.message);
  }
}

/**
 * Downloads, verifies and extracts the archive: the checksum file and the free space first, then up to
 * MAX_ATTEMPTS attempts while each gets further than the last, continuing the partial download.
 */
export async function downloadVerified(req: DownloadRequest): Promise<Downloaded> {
  const first = req.partialDir ? await openPartial(req.partialDir, req.archiveName, req.archiveUrl) : undefined;
  const expected = await prepare(req, first).catch(async (err: unknown) => {
    await first?.handle.close();
    throw err;
  });
  return attempts(req, expected, first);
}

/** The archive's expected digest, once there is room for it on disk; no archive byte is asked for before. */
async function prepare(req: DownloadRequest, partial: PartialDownload | undefined): Promise<string> {
  const [expected, size] = await Promise.all([
    fetchExpectedDigest(req.http, req.archiveUrl, req.archiveName, req.signal),
    req.space ? archiveSize(req.http, req.archiveUrl, req.signal) : undefined,
  ]);
  if (req.space && size !== undefined) {
    const have = partial && partial.meta.total === size ? partial.have : 0;
    await requireSpace(req.space.dir, spaceNeeded(size, have), req.space.free);
  }
  return expected;
}

async function attempts(req: DownloadRequest, expected: string, first: PartialDownload | undefined): Promise<Downloaded> {
  let partial = first;
  let started = false;
  const onStart = (total: number | undefined): void => {
    if (!started) req.onStart?.(total);
    started = true;
  };
  /** Bytes replayed may be bad (a partial is not trusted), or an answer may overflow: then once more, from nothing. */
  let freshRetry = true;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(req, expected, partial, onStart);
    } catch (err) {
      const replayed = partial !== undefined;
      partial = undefined;
      if (err instanceof Cut) {
        if (!err.progressed || attempt >= MAX_ATTEMPTS || !req.partialDir) throw err.error;
      } else if (err instanceof Overflow || (replayed && (isToolsError(err, 'EINTEGRITY') || isToolsError(err, 'EARCHIVE')))) {
        if (req.partialDir) await discardPartial(req.partialDir, req.archiveName);
        if (!freshRetry) throw err instanceof Overflow ? err.error : err;
        freshRetry = false;
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

/** One answer, and `partial` (closed here, whatever happens) replayed before it when the answer continues it. */
async function attemptOnce(req: DownloadRequest, expected: string, partial: PartialDownload | undefined, onStart: (total: number | undefined) => void): Promise<Downloaded> {
  try {
    const opened = await openArchive(req.http, req.archiveUrl, partial, req.signal);
    const have = opened.resumed ? (partial?.have ?? 0) : 0;
    // Taken in at once, flowing: a cut may come while the partial file is being opened below, and the
    // bytes that arrived before it are still good.
    const intake = new Intake(opened.body, opened.total === undefined ? undefined : opened.total - have, req.archiveName, opened.total);
    const copy = await startCopy(req, opened, have);
    onStart(opened.total);
    const replay = opened.resumed && partial && have > 0 ? partial.handle.createReadStream({ start: 0, end: have - 1, autoClose: false }) : undefined;
    const streamed = await stream(req, { opened, intake, copy, have, replay });
    return checked(req, expected, streamed, have);
  } finally {
    await partial?.handle.close();
  }
}

/** The partial copy of this answer's bytes, when it can be resumed later; none when the file cannot be made. */
async function startCopy(req: DownloadRequest, opened: Opened, have: number): Promise<PartialCopy | undefined> {
  const { validator, total } = opened;
  if (!req.partialDir || !validator || total === undefined) return undefined;
  const meta = { url: req.archiveUrl, validator, total };
  const writer = await recordPartial(req.partialDir, req.archiveName, meta, have).catch(() => undefined);
  return writer && new PartialCopy(writer, have);
}

interface Attempt {
  opened: Opened;
  intake: Intake;
  copy: PartialCopy | undefined;
  /** Bytes replayed from the partial download before the answer's. */
  have: number;
  replay: Readable | undefined;
}

interface Streamed {
  extracted: Extracted;
  sha256: string;
  received: number;
}

/** The bytes through hash, batch and partial copy into the extractor; the partial copy is closed here. */
async function stream(req: DownloadRequest, a: Attempt): Promise<Streamed> {
  const { default: ssri } = await import('ssri');
  const hasher = ssri.create({ algorithms: ['sha256'] });
  const hash = new HashStage(hasher, a.have, (received) => req.onProgress?.({ received, total: a.opened.total }));
  const source = a.replay ? afterReplay(a.replay, a.intake.stream) : a.intake.stream;
  const stages = a.copy ? [source, hash, new BatchStage(), a.copy] : [source, hash, new BatchStage()];
  const bytes = pipeline(stages, () => undefined) as unknown as Readable;
  let extracted: Extracted;
  try {
    // A zip is read from its end: saved now, opened by checked() once its digest matches.
    const sink = req.spec.format === 'zip' ? saveZip : extractEntries;
    extracted = await sink(bytes, req.destDir, req.spec, req.signal);
  } catch (err) {
    a.opened.body.destroy();
    a.replay?.destroy();
    source.destroy();
    throw failureOf(req, a, err, hash.received);
  } finally {
    await a.copy?.close();
  }
  // The tar may end before a cut (only padding was missing): still not the whole archive.
  if (a.intake.cutBy) throw failureOf(req, a, a.intake.cutBy, hash.received);
  // @types/ssri describes an older API: create().digest() returns an Integrity.
  return { extracted, sha256: (hasher.digest() as unknown as Integrity).hexDigest(), received: hash.received };
}

/** What a failed attempt reports: a cancel, an overflow, a cut the next attempt may continue, or `err`. */
function failureOf(req: DownloadRequest, a: Attempt, err: unknown, received: number): unknown {
  if (req.signal?.aborted) return new ToolsError('ECANCELLED', 'download cancelled', { cause: err });
  if (a.intake.overflow) return new Overflow(a.intake.overflow);
  const cause = a.intake.cutBy;
  if (!cause) return err;
  const { total } = a.opened;
  const cut = total !== undefined && received < total ? ` after ${received} of ${total} bytes` : '';
  const stalled = (cause as NodeJS.ErrnoException).code === 'UND_ERR_BODY_TIMEOUT';
  const why = stalled ? 'the server stopped sending (on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT)' : cause.message;
  const error = new ToolsError('ENETWORK', `download of ${req.archiveName} was cut short${cut}: ${why}`, { cause });
  return new Cut(error, a.copy !== undefined && a.copy.intact && a.copy.kept > 0);
}

/** The digest compared: only a match is returned; a mismatch throws the partial download away. */
async function checked(req: DownloadRequest, expected: string, s: Streamed, have: number): Promise<Downloaded> {
  if (s.sha256 !== expected) {
    if (req.partialDir) await discardPartial(req.partialDir, req.archiveName);
    throw new ToolsError('EINTEGRITY', `checksum mismatch for ${req.archiveName}: expected ${expected}, got ${s.sha256}`);
  }
  checkpoint('digest-verified');
  const extracted = req.spec.format === 'zip' ? await extractZip(req.destDir, req.spec, req.signal) : s.extracted;
  return { ...extracted, sha256: s.sha256, bytes: s.received, resumedFrom: have };
}
