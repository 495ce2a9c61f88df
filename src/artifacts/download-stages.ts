/**
 * The stages an archive's bytes pass through on their way to the extractor, each with one job:
 *
 *   network body -> intake (bounded) -+
 *   partial file (replayed) ----------+-> hash (and progress) -> batch -> partial copy -> extractor
 *
 * The intake takes the answer's body in at once and ends it cleanly when the socket fails (the cut is
 * reported from its error, not from what gunzip made of the early end); it also ends the attempt at
 * the first byte past the archive's announced size (docs/behaviour.md item 28).
 */
import type { WriteStream } from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { ToolsError } from '../errors.js';
import { checkpoint } from '../checkpoint.js';

/** What the decompressor is fed at a time, and how much the partial copy writes at once. */
export const BATCH_BYTES = 256 * 1024;

/** The network's bytes of one answer, bounded by what is still missing of the archive. */
export class Intake {
  readonly stream: Transform;
  /** The socket's error when the answer was cut; the stream then just ends. */
  cutBy: Error | undefined;
  /** Set when the answer went past the archive's size: the attempt's one failure. */
  overflow: ToolsError | undefined;
  private received = 0;

  /** `missing`: the bytes the archive still needs from this answer; undefined: not known. */
  constructor(body: Readable, missing: number | undefined, archiveName: string, total: number | undefined) {
    this.stream = new Transform({
      highWaterMark: BATCH_BYTES,
      transform: (chunk: Buffer, _enc, cb) => {
        this.received += chunk.length;
        if (missing === undefined || this.received <= missing) return cb(null, chunk);
        this.overflow ??= new ToolsError('EHTTP', `download of ${archiveName} refused: the server sent more than the archive's ${total ?? missing} bytes`);
        body.destroy();
        cb(this.overflow);
      },
    });
    body.on('error', (err) => {
      this.cutBy ??= err;
      this.stream.end();
    });
    body.pipe(this.stream);
  }
}

/** The `have` bytes of a partial download, then `rest`. */
export function afterReplay(replay: Readable, rest: Readable): Readable {
  const source = new PassThrough({ highWaterMark: BATCH_BYTES });
  for (const from of [replay, rest]) from.on('error', (err) => source.destroy(err));
  replay.once('end', () => rest.pipe(source));
  replay.pipe(source, { end: false });
  return source;
}

/** SHA-256 and the progress reports of every byte, replayed or new; `have` replayed bytes come first. */
export class HashStage extends Transform {
  received = 0;

  constructor(
    private readonly hasher: { update(chunk: Buffer): unknown },
    private readonly have: number,
    private readonly onBytes: (received: number) => void,
  ) {
    super({ highWaterMark: BATCH_BYTES });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.received === this.have) {
      checkpoint('archive-streaming');
      if (this.have > 0) checkpoint('archive-resumed');
    }
    this.received += chunk.length;
    this.hasher.update(chunk);
    this.onBytes(this.received);
    cb(null, chunk);
  }
}

/**
 * TLS hands over ~16 KB at a time; every piece costs a trip through gunzip's thread and each stage
 * after it. Batching them is one cheap copy and makes the rest of the pipeline several times less chatty.
 */
export class BatchStage extends Transform {
  private pieces: Buffer[] = [];
  private size = 0;

  constructor() {
    super({ highWaterMark: BATCH_BYTES });
  }

  private takeBatch(): Buffer {
    const out = this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces, this.size);
    this.pieces = [];
    this.size = 0;
    return out;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pieces.push(chunk);
    this.size += chunk.length;
    cb(null, this.size >= BATCH_BYTES ? this.takeBatch() : undefined);
  }

  override _flush(cb: TransformCallback): void {
    cb(null, this.size > 0 ? this.takeBatch() : undefined);
  }
}

/**
 * Keeps the network's bytes (those after the first `have`) in the partial file as they come, one write
 * per batch, so a cut (even SIGKILL) keeps what was received; waits when the disk is behind. A file
 * that cannot be written only costs the resume: the download goes on without it.
 */
export class PartialCopy extends Transform {
  private position = 0;
  private failed = false;
  /** Bytes handed to the file. */
  kept = 0;

  constructor(
    private readonly writer: WriteStream,
    private readonly have: number,
  ) {
    super({ highWaterMark: BATCH_BYTES });
    writer.on('error', () => {
      this.failed = true;
    });
  }

  /** True while every byte handed over went to a file that had no error. */
  get intact(): boolean {
    return !this.failed;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const skip = Math.max(0, this.have - this.position);
    this.position += chunk.length;
    if (this.failed || skip >= chunk.length) return cb(null, chunk);
    const fresh = skip === 0 ? chunk : chunk.subarray(skip);
    this.kept += fresh.length;
    if (this.writer.write(fresh)) return cb(null, chunk);
    const go = (): void => {
      this.writer.off('drain', go).off('error', go);
      cb(null, chunk);
    };
    this.writer.once('drain', go).once('error', go);
  }

  /** Waits until every byte handed to the file is written (or the file failed). */
  async close(): Promise<void> {
    const { writer } = this;
    if (writer.closed) return;
    await new Promise<void>((resolve) => {
      writer.once('close', resolve).once('error', () => resolve());
      writer.end();
    });
  }
}
