/**
 * One pass over the archive bytes: they stream from the socket through SHA-256 and, at the same time,
 * through gunzip and tar into a staging directory. The digest is compared once the last byte is in;
 * the caller publishes staging only after this resolves. Memory stays flat at any archive size.
 */
import { Transform } from 'node:stream';
import ssri from 'ssri';
import type { HttpClient } from '../http.js';
import { ToolsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';
import { CHECKSUM_MAX_BYTES, parseChecksumFile } from './checksum-file.js';
import { extractEntries } from './archive.js';
import type { ExtractSpec, Extracted } from './archive.js';

/** What the decompressor is fed at a time. */
const BATCH_BYTES = 256 * 1024;

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
  signal?: AbortSignal | undefined;
  onStart?: (total: number | undefined) => void;
  onProgress?: (p: Progress) => void;
}

export interface Downloaded extends Extracted {
  /** Of the archive. */
  sha256: string;
  bytes: number;
}

export async function fetchExpectedDigest(http: HttpClient, archiveUrl: string, archiveName: string, signal?: AbortSignal): Promise<string> {
  const text = await http.getText(`${archiveUrl}.sha256`, { maxBytes: CHECKSUM_MAX_BYTES, timeoutMs: 30_000, signal });
  return parseChecksumFile(text, archiveName);
}

export async function downloadVerified(req: DownloadRequest): Promise<Downloaded> {
  const expected = await fetchExpectedDigest(req.http, req.archiveUrl, req.archiveName, req.signal);
  const { body, size } = await req.http.getStream(req.archiveUrl, { signal: req.signal });
  req.onStart?.(size);

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
      if (received === 0) checkpoint('archive-streaming');
      received += chunk.length;
      hasher.update(chunk);
      req.onProgress?.({ received, total: size });
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH_BYTES) cb(null, takeBatch());
      else cb();
    },
    flush(cb) {
      cb(null, batched > 0 ? takeBatch() : undefined);
    },
  });
  // Set only when the socket failed: then that, not what gunzip or tar made of the cut, is the error.
  let bodyError: Error | undefined;
  body.on('error', (err) => {
    bodyError = err;
    tap.destroy(err);
  });

  let extracted: Extracted;
  try {
    extracted = await extractEntries(body.pipe(tap), req.destDir, req.spec, req.signal);
  } catch (err) {
    body.destroy();
    if (req.signal?.aborted) throw new ToolsError('ECANCELLED', 'download cancelled', { cause: err });
    if (bodyError) {
      const cut = size !== undefined && received < size ? ` after ${received} of ${size} bytes` : '';
      const stalled = (bodyError as NodeJS.ErrnoException).code === 'UND_ERR_BODY_TIMEOUT';
      const why = stalled ? 'the server stopped sending (on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT)' : bodyError.message;
      throw new ToolsError('ENETWORK', `download of ${req.archiveName} was cut short${cut}: ${why}`, { cause: bodyError });
    }
    throw err;
  }
  // @types/ssri describes an older API: create().digest() returns an Integrity.
  const actual = (hasher.digest() as unknown as ssri.Integrity).hexDigest();
  if (actual !== expected) {
    throw new ToolsError('EINTEGRITY', `checksum mismatch for ${req.archiveName}: expected ${expected}, got ${actual}`);
  }
  checkpoint('digest-verified');
  return { ...extracted, sha256: actual, bytes: received };
}
