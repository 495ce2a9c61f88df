// A fake Teleport CDN + proxy on 127.0.0.1 (port 0), HTTPS with the test CA by default: serves release
// archives (streamed from disk), the version endpoint and /webapi/ping, logs every request, and fails on
// demand per path (see cdn-behaviours.ts).
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { BehaviourSetting, Payload } from './cdn-behaviours.js';
import { bufferPayload, respond, withGzipTail } from './cdn-behaviours.js';
import type { BuiltRelease } from './release.js';
import { sha256Line } from './release-layout.js';
import { tlsPems } from './tls.js';

export type { Behaviour, BehaviourSetting } from './cdn-behaviours.js';

export const VERSION_PATH = '/v1/stable/cloud/client-version';
export const PING_PATH = '/webapi/ping';
export const FIND_PATH = '/webapi/find';

export interface PingBody {
  server_version: string;
  cluster_name: string;
  proxy: Record<string, unknown>;
  auth: Record<string, unknown>;
  min_client_version: string;
  [key: string]: unknown;
}

export interface CdnOptions {
  /** Default `https`; `http` for https->http redirect tests. */
  protocol?: 'https' | 'http';
  /** `other`: present the certificate of the untrusted CA (`tlsPaths.otherCa`). */
  cert?: 'test' | 'other';
  /** Body of VERSION_PATH, e.g. `v13.2.3` (unset: 404). */
  version?: string;
  /** Merged over the default ping answer (server_version 13.2.3, cluster example.teleport.sh). */
  ping?: Partial<PingBody>;
}

export interface RequestRecord {
  method: string;
  /** Path without the query string: the key for behaviours and counts. */
  path: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Arrival, Date.now(). */
  time: number;
}

/** Holds every request for a path until `release()`: lets tests line up concurrent clients without sleeps. */
export interface Gate {
  /** Requests waiting right now. */
  readonly held: number;
  /** Resolves once `n` requests are waiting. */
  arrived(n?: number): Promise<void>;
  /** Lets the held (and all later) requests through with the path's behaviour. */
  release(): void;
}

type Content = Buffer | string | { file: string };

/**
 * How a path answers Range requests once `resumable()` is called for it (before that: no validators,
 * no Accept-Ranges, Range ignored, as the plainest server). Each switch is one way a real server or a
 * middlebox gets resuming wrong.
 */
export interface RangeOptions {
  /** Default `"v1"`; `false`: no ETag. */
  etag?: string | false;
  /** Default a fixed date; `false`: no Last-Modified. */
  lastModified?: string | false;
  /** Answer Range requests with the whole content (200). */
  ignoreRange?: boolean;
  /** Content-Range names a start this many bytes off the one asked for (the body is still the right one). */
  lieStart?: number;
  /** Answer a request without Range with 206 and the whole content. */
  partialWithoutRange?: boolean;
  /** Answer every Range request with 416. */
  refuse?: boolean;
  /**
   * A 206 that sends the rest and then this many bytes of empty gzip members (Infinity: endless), with
   * no Content-Length: a server trying to fill the disk through a resume.
   */
  gzipTail?: number;
  /**
   * A 206 whose Content-Length is this many bytes off what is missing; the body matches it (the rest
   * and that many bytes of empty gzip members, or the rest short by that many).
   */
  lieLength?: number;
}

const FIXED_DATE = 'Tue, 01 Aug 2023 10:00:00 GMT';

const DEFAULT_PING: PingBody = {
  server_version: '13.2.3', cluster_name: 'example.teleport.sh', proxy: {}, auth: {}, min_client_version: '12.0.0',
};

function contentTypeOf(path: string): string {
  if (path.endsWith('.tar.gz') || path.endsWith('.tgz')) return 'application/gzip';
  if (path.endsWith('.sha256') || path === VERSION_PATH) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

class PathGate implements Gate {
  held = 0;
  private readonly opened: Promise<void>;
  private open!: () => void;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(private readonly onRelease: () => void) {
    this.opened = new Promise((resolve) => (this.open = resolve));
  }

  async hold(): Promise<void> {
    this.held++;
    this.waiters = this.waiters.filter((w) => (w.n <= this.held ? (w.resolve(), false) : true));
    await this.opened;
  }

  arrived(n = 1): Promise<void> {
    if (this.held >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  release(): void {
    this.onRelease();
    this.open();
  }
}

export class CdnServer {
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly versionUrl: string;
  /** Every GET (and other non-HEAD request), in arrival order. */
  readonly requests: RequestRecord[] = [];
  /** HEAD requests (the installer asks for the archive's size): kept apart, they transfer nothing. */
  readonly heads: RequestRecord[] = [];
  private readonly routes = new Map<string, { content: Content; contentType: string }>();
  private readonly behaviours = new Map<string, BehaviourSetting>();
  private readonly rangeOptions = new Map<string, RangeOptions>();
  private readonly gates = new Map<string, PathGate>();
  private readonly sockets = new Map<number, Socket>();
  private waiters: { path: string; n: number; resolve: () => void }[] = [];
  private readonly closing = new AbortController();

  constructor(private readonly server: Server, protocol: string) {
    this.url = `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.versionUrl = this.urlFor(VERSION_PATH);
    server.on('connection', (socket: Socket) => this.track(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch(() => res.destroy());
    });
  }

  /** Tracks raw sockets: `close()` destroys them, `reset` needs the TCP socket under TLS. */
  private track(socket: Socket): void {
    const port = socket.remotePort ?? -1;
    this.sockets.set(port, socket);
    socket.on('error', () => undefined).on('close', () => this.sockets.delete(port));
  }

  urlFor(path: string): string {
    return `${this.url}${path.startsWith('/') ? '' : '/'}${path}`;
  }

  /** Serves `content` at `path` (a file is streamed from disk at each request, so it may change). */
  serve(path: string, content: Content, contentType = contentTypeOf(path)): void {
    this.routes.set(path, { content, contentType });
  }

  unserve(path: string): void {
    this.routes.delete(path);
  }

  /** Serves `/<name>` and `/<name>.sha256` (the digest of `data` unless given, e.g. a wrong one). */
  serveArchive(name: string, data: Buffer, sha256 = createHash('sha256').update(data).digest('hex')): void {
    this.serve(`/${name}`, data);
    this.serve(`/${name}.sha256`, sha256Line(sha256, name));
  }

  /** Serves a built release and its `.sha256` at the CDN root, like cdn.teleport.dev. */
  serveRelease(release: BuiltRelease): void {
    this.serve(`/${release.archiveName}`, { file: release.archivePath });
    this.serve(`/${release.archiveName}.sha256`, readFileSync(release.sha256Path));
  }

  /** The exact body of the version endpoint (`undefined`: 404). */
  setVersion(body: string | undefined): void {
    if (body === undefined) this.unserve(VERSION_PATH);
    else this.serve(VERSION_PATH, body);
  }

  setPing(ping: Partial<PingBody>): void {
    this.serve(PING_PATH, JSON.stringify({ ...DEFAULT_PING, ...ping }), 'application/json');
  }

  /** `/webapi/find` (v17+), e.g. `{ auto_update: { tools_auto_update: true, tools_version: '17.0.1' } }`. */
  setFind(body: unknown): void {
    this.serve(FIND_PATH, JSON.stringify(body), 'application/json');
  }

  /** How `path` answers from the next request on; `{ kind: 'ok' }` restores normal service. */
  behave(path: string, behaviour: BehaviourSetting): void {
    if (behaviour.kind === 'ok') this.behaviours.delete(path);
    else this.behaviours.set(path, { ...behaviour });
  }

  /** Serves `path` with validators and Range support (see RangeOptions); call again to change them. */
  resumable(path: string, options: RangeOptions = {}): void {
    this.rangeOptions.set(path, { ...options });
  }

  gate(path: string): Gate {
    const gate = new PathGate(() => this.gates.delete(path));
    this.gates.set(path, gate);
    return gate;
  }

  /** Requests for `path` (HEADs are in `heads`). */
  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  /** The Range header of each GET of `path`, in order (undefined: the whole content asked for). */
  ranges(path: string): (string | undefined)[] {
    return this.requests.filter((r) => r.path === path).map((r) => r.headers.range);
  }

  /** Resolves once `path` has been requested `n` times in all. */
  waitForRequests(path: string, n = 1): Promise<void> {
    if (this.count(path) >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ path, n, resolve }));
  }

  /** Stops listening and destroys every connection, hanging ones included. */
  async close(): Promise<void> {
    this.closing.abort();
    for (const gate of this.gates.values()) gate.release();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets.values()) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const record = { method: req.method ?? '', path, url: req.url ?? '', headers: req.headers, time: Date.now() };
    if (req.method === 'HEAD') {
      this.heads.push(record);
      // Only the headers, outside behaviours and gates: those script the downloads.
      const p = this.ranged(req, path, await this.payload(path));
      res.writeHead(p.status, { 'content-type': p.contentType, 'content-length': p.size, ...p.headers });
      res.end();
      return;
    }
    this.requests.push(record);
    const count = this.count(path);
    this.waiters = this.waiters.filter((w) => (w.path === path && count >= w.n ? (w.resolve(), false) : true));
    await this.gates.get(path)?.hold();
    const setting = this.behaviours.get(path) ?? { kind: 'ok' };
    if (setting.times !== undefined && --setting.times <= 0) this.behaviours.delete(path);
    const raw = this.sockets.get(req.socket.remotePort ?? -1);
    const whole = await this.payload(path);
    await respond(setting, { res, payload: this.ranged(req, path, whole), raw, signal: this.closing.signal });
  }

  /** `whole` as a resumable path answers `req` (RangeOptions); unchanged for other paths. */
  private ranged(req: IncomingMessage, path: string, whole: Payload & { from?: (start: number) => AsyncIterable<Buffer> }): Payload {
    const opts = this.rangeOptions.get(path);
    if (!opts || whole.status !== 200) return whole;
    const headers: OutgoingHttpHeaders = { 'accept-ranges': 'bytes' };
    const etag = opts.etag ?? '"v1"';
    const lastModified = opts.lastModified ?? FIXED_DATE;
    if (etag !== false) headers.etag = etag;
    if (lastModified !== false) headers['last-modified'] = lastModified;
    const full: Payload = { ...whole, headers };
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!req.headers.range) {
      return opts.partialWithoutRange ? { ...full, status: 206, headers: { ...headers, 'content-range': `bytes 0-${whole.size - 1}/${whole.size}` } } : full;
    }
    if (opts.ignoreRange || !range) return full;
    const ifRange = req.headers['if-range'];
    if (ifRange !== undefined && ifRange !== etag && ifRange !== lastModified) return full;
    const start = Number(range[1]);
    if (opts.refuse || start >= whole.size) {
      return { ...bufferPayload('', 416, 'text/plain'), headers: { ...headers, 'content-range': `bytes */${whole.size}` } };
    }
    const from = whole.from ?? ((n: number) => skip(whole.chunks(), n));
    const rest = whole.size - start;
    const lie = opts.lieLength ?? 0;
    const tail = opts.gzipTail ?? Math.max(0, lie);
    return {
      status: 206,
      contentType: whole.contentType,
      size: rest,
      ...(opts.gzipTail !== undefined ? { contentLength: null } : lie !== 0 ? { contentLength: rest + lie } : {}),
      headers: { ...headers, 'content-range': `bytes ${start + (opts.lieStart ?? 0)}-${whole.size - 1}/${whole.size}` },
      chunks: () => (tail > 0 ? withGzipTail(from(start), tail) : lie < 0 ? take(from(start), rest + lie) : from(start)),
    };
  }

  private async payload(path: string): Promise<Payload & { from?: (start: number) => AsyncIterable<Buffer> }> {
    const route = this.routes.get(path);
    if (!route) return bufferPayload('not found\n', 404, 'text/plain');
    const { content, contentType } = route;
    if (typeof content === 'string' || Buffer.isBuffer(content)) return bufferPayload(content, 200, contentType);
    const size = (await stat(content.file)).size;
    const from = (start: number) => createReadStream(content.file, { highWaterMark: 1 << 16, start });
    return { status: 200, contentType, size, chunks: () => from(0), from };
  }
}

async function* take(chunks: AsyncIterable<Buffer>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const chunk of chunks) {
    if (left <= 0) return;
    yield chunk.subarray(0, left);
    left -= chunk.length;
  }
}

async function* skip(chunks: AsyncIterable<Buffer>, n: number): AsyncGenerator<Buffer> {
  let left = n;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield chunk.subarray(left);
    left = 0;
  }
}

/** Starts a fake CDN on 127.0.0.1 and a free port. Always `close()` it (e.g. in `after`). */
export async function startCdn(options: CdnOptions = {}): Promise<CdnServer> {
  const protocol = options.protocol ?? 'https';
  const other = options.cert === 'other';
  const server: Server = protocol === 'http'
    ? createHttpServer()
    : createHttpsServer({ cert: other ? tlsPems.otherCert : tlsPems.cert, key: other ? tlsPems.otherKey : tlsPems.key });
  server.on('tlsClientError', () => undefined); // clients that distrust the certificate hang up
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  // Synchronously after listening: no connection event can come in between.
  const cdn = new CdnServer(server, protocol);
  cdn.setPing(options.ping ?? {});
  if (options.version !== undefined) cdn.setVersion(options.version);
  return cdn;
}
