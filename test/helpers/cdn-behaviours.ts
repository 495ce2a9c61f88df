// How the fake CDN answers one request: the failure modes a download client must survive, as data.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

export type Behaviour =
  /** The registered content (or 404). */
  | { kind: 'ok' }
  /** Any status; `body` defaults to the status text; `headers` e.g. `{ 'retry-after': '1' }`. */
  | { kind: 'status'; status: number; body?: string | Buffer; headers?: OutgoingHttpHeaders }
  /** Full Content-Length, then a clean close after `after` bytes. */
  | { kind: 'truncate'; after: number }
  /** TCP reset after about `after` bytes of body (default 0; the kernel may drop a few unsent ones). */
  | { kind: 'reset'; after?: number }
  /** The content in `chunkSize` pieces (default 1/20 s worth) at `bytesPerSecond`. */
  | { kind: 'slow'; bytesPerSecond: number; chunkSize?: number }
  /** Never answer. */
  | { kind: 'hang' }
  /** Send the headers (with the full Content-Length), then nothing. */
  | { kind: 'hangBody' }
  /** `location` as given (a path, or another server's URL); status default 302. Loops: point back. */
  | { kind: 'redirect'; location: string; status?: number }
  /** Another body instead of the content: a wrong digest, an HTML page, 1 MB of junk. */
  | { kind: 'body'; body: string | Buffer; status?: number; contentType?: string }
  /**
   * The content followed by `extra` filler bytes (default 1 MiB of spaces, which a parser that trims
   * whitespace would accept), sent chunked without Content-Length unless `declareLength`.
   */
  | { kind: 'oversize'; extra?: number; fill?: string; declareLength?: boolean };

/** A behaviour, optionally for the next `times` requests only; then the path answers `ok` again. */
export type BehaviourSetting = Behaviour & { times?: number };

/** What `ok` would send. */
export interface Payload {
  status: number;
  contentType: string;
  size: number;
  /** What Content-Length says when it is not `size` (a lying server); null: no Content-Length. */
  contentLength?: number | null;
  /** Sent with the content: validators, Content-Range. */
  headers?: OutgoingHttpHeaders;
  chunks: () => AsyncIterable<Buffer>;
}

export interface Exchange {
  res: ServerResponse;
  payload: Payload;
  /** The TCP socket under the (TLS) connection, for resets. */
  raw: Socket | undefined;
  /** Aborted when the server closes, so slow loops stop. */
  signal: AbortSignal;
}

export function bufferPayload(body: string | Buffer, status = 200, contentType = 'application/octet-stream'): Payload {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    status,
    contentType,
    size: data.length,
    chunks: async function* () {
      for (let at = 0; at < data.length; at += 1 << 16) yield data.subarray(at, at + (1 << 16));
    },
  };
}

/** One empty gzip member: gunzip reads any number of them after an archive and makes nothing of them. */
const EMPTY_MEMBER = gzipSync(Buffer.alloc(0));

/** `chunks`, then `extra` bytes of empty gzip members (Infinity: endless, until the client hangs up). */
export async function* withGzipTail(chunks: AsyncIterable<Buffer>, extra: number): AsyncGenerator<Buffer> {
  yield* chunks;
  const block = Buffer.concat(Array.from({ length: Math.ceil((1 << 16) / EMPTY_MEMBER.length) }, () => EMPTY_MEMBER));
  for (let sent = 0; sent < extra; sent += block.length) yield block.subarray(0, Math.min(block.length, extra - sent));
}

/** Resolves true once `chunk` is accepted (after 'drain' if needed), false if the response died first. */
function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve(!res.destroyed);
    };
    res.on('drain', done).on('close', done);
  });
}

/** Sends up to `limit` bytes of the payload, optionally paced; false if the client went away. */
async function pump(x: Exchange, limit = Infinity, pace?: { chunk: number; bytesPerSecond: number }): Promise<boolean> {
  const start = performance.now();
  let sent = 0;
  for await (const chunk of x.payload.chunks()) {
    const piece = chunk.subarray(0, Math.max(0, limit - sent));
    const step = pace?.chunk ?? piece.length;
    for (let at = 0; at < piece.length; at += step) {
      const part = piece.subarray(at, at + step);
      if (!(await write(x.res, part))) return false;
      sent += part.length;
      // Sleep until this many bytes are due, so the rate holds whatever the chunk sizes.
      const wait = pace ? start + (1000 * sent) / pace.bytesPerSecond - performance.now() : 0;
      if (wait >= 1) await sleep(wait, undefined, { signal: x.signal });
    }
    if (sent >= limit) break;
  }
  return true;
}

function head(x: Exchange, status: number, contentType: string, length?: number, extra: OutgoingHttpHeaders = {}): void {
  const headers: OutgoingHttpHeaders = { 'content-type': contentType, ...(status === x.payload.status ? x.payload.headers : {}), ...extra };
  if (length !== undefined) headers['content-length'] = length;
  x.res.writeHead(status, headers);
}

/** Waits until the bytes written so far have left Node's buffers, so a reset does not discard them. */
async function drained(sockets: (Socket | null | undefined)[]): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve)); // http uncorks on the next tick
  for (const socket of sockets) {
    while (socket && !socket.destroyed && socket.writableLength > 0) {
      await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
    }
  }
}

export async function respond(b: Behaviour, x: Exchange): Promise<void> {
  const { res, payload } = x;
  switch (b.kind) {
    case 'ok':
      head(x, payload.status, payload.contentType, payload.contentLength === undefined ? payload.size : (payload.contentLength ?? undefined));
      if (await pump(x)) res.end();
      return;
    case 'status': {
      const body = b.body ?? `${b.status} ${STATUS_CODES[b.status] ?? ''}\n`;
      const data = typeof body === 'string' ? Buffer.from(body) : body;
      head(x, b.status, 'text/plain', data.length, b.headers);
      res.end(data);
      return;
    }
    case 'truncate':
      head(x, payload.status, payload.contentType, payload.size);
      if (await pump(x, b.after)) res.socket?.end(); // FIN with the response unfinished
      return;
    case 'reset':
      head(x, payload.status, payload.contentType, payload.size);
      res.flushHeaders();
      if (await pump(x, b.after ?? 0)) {
        await drained([res.socket, x.raw]);
        x.raw?.resetAndDestroy();
      }
      return;
    case 'slow': {
      const chunk = Math.max(1, b.chunkSize ?? Math.ceil(b.bytesPerSecond / 20));
      head(x, payload.status, payload.contentType, payload.size);
      res.flushHeaders();
      if (await pump(x, Infinity, { chunk, bytesPerSecond: b.bytesPerSecond })) res.end();
      return;
    }
    case 'hang':
      return;
    case 'hangBody':
      head(x, payload.status, payload.contentType, payload.size);
      res.flushHeaders();
      return;
    case 'redirect':
      res.writeHead(b.status ?? 302, { location: b.location, 'content-length': 0 });
      res.end();
      return;
    case 'body':
      return respond({ kind: 'ok' }, { ...x, payload: bufferPayload(b.body, b.status, b.contentType) });
    case 'oversize': {
      const filler = Buffer.alloc(b.extra ?? 1 << 20, b.fill ?? ' ');
      head(x, payload.status, payload.contentType, b.declareLength ? payload.size + filler.length : undefined);
      if ((await pump(x)) && (await write(res, filler))) res.end();
      return;
    }
  }
}
