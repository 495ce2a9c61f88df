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
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
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

export async function nativeRequest(url: URL, o: NativeRequestOptions): Promise<Hop> {
  const secure = url.protocol === 'https:';
  const { request } = await clientFor(url.protocol);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port) || (secure ? 443 : 80);
  return new Promise<Hop>((resolve, reject) => {
    let res: IncomingMessage | undefined;
    let done = false;
    const req = request({
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
    });
    const cleanUp = (): void => {
      clearTimeout(connectTimer);
      o.signal?.removeEventListener('abort', onAbort);
      req.socket?.setTimeout(0);
    };
    /** Ends the request with `err`: rejects while waiting for the response, fails the body after it. */
    const fail = (err: Error): void => {
      cleanUp();
      if (res) res.destroy(err);
      req.destroy(err);
      if (!done) {
        done = true;
        reject(err);
      }
    };
    const onAbort = (): void => fail(Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
    if (o.signal?.aborted) {
      onAbort();
      return;
    }
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const connectTimer = setTimeout(() => {
      fail(coded('UND_ERR_CONNECT_TIMEOUT', `Connect Timeout Error (attempted address: ${host}:${port}, timeout: ${o.connectTimeoutMs}ms)`));
    }, o.connectTimeoutMs);
    req.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(connectTimer);
        // Silence while waiting for the headers, then between body bytes: undici's two idle limits.
        socket.setTimeout(o.idleTimeoutMs, () => {
          fail(res
            ? coded('UND_ERR_BODY_TIMEOUT', 'Body Timeout Error')
            : coded('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'));
        });
      });
    });
    req.on('error', (err) => {
      // After a complete body a socket error is nobody's business; before, the body's reader hears it.
      if (res && !res.complete && !res.destroyed) res.destroy(err);
      if (!done) fail(err);
    });
    req.on('response', (response) => {
      res = response;
      // Readers listen while they read; an error after they stopped must not crash the process. This
      // listener runs first: a body the server ends early is `aborted` (ECONNRESET) to Node.js and
      // `other side closed` to undici; users and http-errors.ts see undici's words whichever client ran.
      response.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNRESET' && err.message === 'aborted') Object.assign(err, { code: 'UND_ERR_SOCKET', message: 'other side closed' });
      });
      response.once('close', cleanUp);
      done = true;
      resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: response });
    });
    req.end();
  });
}
