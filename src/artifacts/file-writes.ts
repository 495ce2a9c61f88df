/**
 * Entry bodies of an archive being extracted, written into the destination: each file created new
 * (never overwritten), hashed while it streams, flushed, and given its mode; every write and the closing
 * of its file are tracked, so that a refusal can wait until nothing is being written any more.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileWriter } from './bundle.js';
import type { Extracted } from './extract-spec.js';

/** Entry bodies being written into the destination: each created (never overwritten), hashed and flushed. */
export class FileWrites {
  /** Files being written: closed at once when the archive is refused or the download cancelled. */
  private readonly open = new Set<Writable>();
  private readonly writes: Promise<unknown>[] = [];

  constructor(
    private readonly destDir: string,
    private readonly result: Extracted,
    private readonly onError: (err: Error) => void,
    /** Every write, and the closing of its file, so that a failure can wait for them to stop. */
    private readonly inFlight: Promise<unknown>[],
  ) {}

  /** Streams one entry's body into `<destDir>/<rel>`; the digest is recorded before the write counts as done. */
  readonly write: FileWriter = (entry, rel, mode, onDigest) => {
    const file = join(this.destDir, rel);
    const out = createWriteStream(file, { flags: 'wx', mode: 0o700, flush: true });
    this.inFlight.push(new Promise<void>((resolve) => out.once('close', () => resolve())));
    this.open.add(out);
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    const written = pipeline(entry, tap, out).then(async () => {
      this.open.delete(out);
      await chmod(file, mode);
      const digest = hash.digest('hex');
      this.result.files[rel] = digest;
      onDigest(digest);
    });
    this.writes.push(written);
    this.inFlight.push(written);
    written.catch(this.onError);
    return written;
  };

  closeAll(): void {
    for (const out of this.open) out.destroy();
  }

  /** Every write started so far, done (rejects with the first failure). */
  all(): Promise<unknown> {
    return Promise.all(this.writes);
  }
}
