/**
 * One request over Node.js's own node:http/node:https, for everything that no proxy applies to: the
 * small documents (the version endpoint, a proxy's /webapi/find, .sha256 files) and the archives.
 * Loading undici and compiling its WebAssembly HTTP parser costs more than the whole rest of an
 * up-to-date `tsh login`, and ~15 MiB of an install's peak memory; Node's built-in client has a native
 * parser that is already there. Redirects, retries, caps, minimum rate and messages stay in http.ts:
 * this is one hop with the same connect and idle limits as undici's, failing with undici's error codes
 * so that http-errors.ts says the same thing whichever client ran.
 * Trust is Node's store plus NODE_EXTRA_CA_CERTS, as for undici (both use node:tls).
 */
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type * as Https from 'node:https';
import type { Readable } from 'node:stream';

/** What http.ts needs of a response, from either client: a status, headers and an unread body. */
export interface Hop {
  statusCode: number;
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface NativeRequestOptions {
  /** Default GET. */
  method?: 'GET' | 'HEAD' | undefined;
  /** Extra request headers (range, if-range). */
  headers?: Readonly<Record<string, string>> | undefined;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  userAgent: string;
  /** PEM CAs that replace the trust store. */
  ca?: readonly string[] | undefined;
  /** No certificate checks (tsh's --insecure), for this request only. */
  insecure?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

type Client = typeof Https;

/** Loaded on the first request: node:https brings node:tls, which paths without a request never need. */
let clients: { 'https:': Promise<Client>; 'http:': Promise<Client> } | undefined;
function clientFor(protocol: string): Promise<Client> {
  clients ??= {
    'https:': import('node:https'),
    'http:': import('node:http') as unknown as Promise<Client>,
  };
  return protocol === 'https:' ? clients['https:'] : clients['http:'];
}

/** What node:http(s) is asked: one fresh connection, our headers, the trust the caller chose. */
function requestOptions(url: URL, o: NativeRequestOptions, host: string, port: number): Https.RequestOptions {
  return {
    protocol: url.protocol,
    hostname: host,
    port,
    path: `${url.pathname}${url.search}`,
    method: o.method ?? 'GET',
    headers: { 'user-agent': o.userAgent, accept: '*/*', ...o.headers },
    // A fresh connection per request: nothing to close afterwards, nothing keeps the process up.
    agent: false,
    ...(o.ca ? { ca: [...o.ca] } : {}),
    ...(o.insecure ? { rejectUnauthorized: false } : {}),
  };
}

/** One request and its answer's life: the connect limit, the idle limits, cancelling, and the one failure. */
class Exchange {
  private res: IncomingMessage | undefined;
  private done = false;
  private readonly connectTimer: NodeJS.Timeout;
  private readonly req: ClientRequest;

  constructor(
    client: Client,
    url: URL,
    private readonly o: NativeRequestOptions,
    private readonly answer: { resolve: (hop: Hop) => void; reject: (err: Error) => void },
  ) {
    const secure = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (secure ? 443 : 80);
    this.req = client.request(requestOptions(url, o, host, port));
    this.connectTimer = setTimeout(() => {
      this.fail(coded('UND_ERR_CONNECT_TIMEOUT', `Connect Timeout Error (attempted address: ${host}:${port}, timeout: ${o.connectTimeoutMs}ms)`));
    }, o.connectTimeoutMs);
    if (o.signal?.aborted) {
      this.onAbort();
      return;
    }
    o.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.req.on('socket', (socket) => socket.once(secure ? 'secureConnect' : 'connect', () => this.connected(socket)));
    this.req.on('error', this.onError);
    this.req.on('response', this.onResponse);
    this.req.end();
  }

  private readonly cleanUp = (): void => {
    clearTimeout(this.connectTimer);
    this.o.signal?.removeEventListener('abort', this.onAbort);
    this.req.socket?.setTimeout(0);
  };

  /** Ends the request with `err`: rejects while waiting for the response, fails the body after it. */
  private fail(err: Error): void {
    this.cleanUp();
    if (this.res) this.res.destroy(err);
    this.req.destroy(err);
    if (!this.done) {
      this.done = true;
      this.answer.reject(err);
    }
  }

  private readonly onAbort = (): void => this.fail(Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));

  /** Silence while waiting for the headers, then between body bytes: undici's two idle limits. */
  private connected(socket: Socket): void {
    clearTimeout(this.connectTimer);
    socket.setTimeout(this.o.idleTimeoutMs, () => {
      this.fail(this.res ? coded('UND_ERR_BODY_TIMEOUT', 'Body Timeout Error') : coded('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'));
    });
  }

  private readonly onError = (err: Error): void => {
    // After a complete body a socket error is nobody's business; before, the body's reader hears it.
    const { res } = this;
    if (res && !res.complete && !res.destroyed) res.destroy(err);
    if (!this.done) this.fail(err);
  };

  private readonly onResponse = (response: IncomingMessage): void => {
    this.res = response;
    // Readers listen while they read; an error after they stopped must not crash the process. This
    // listener runs first: a body the server ends early is `aborted` (ECONNRESET) to Node.js and
    // `other side closed` to undici; users and http-errors.ts see undici's words whichever client ran.
    response.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' && err.message === 'aborted') Object.assign(err, { code: 'UND_ERR_SOCKET', message: 'other side closed' });
    });
    response.once('close', this.cleanUp);
    this.done = true;
    this.answer.resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: response });
  };
}

export async function nativeRequest(url: URL, o: NativeRequestOptions): Promise<Hop> {
  const client = await clientFor(url.protocol);
  return new Promise<Hop>((resolve, reject) => {
    new Exchange(client, url, o, { resolve, reject });
  });
}
