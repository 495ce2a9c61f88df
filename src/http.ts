/**
 * The one place that speaks HTTP. Everything else asks for a small text document or a body stream.
 * Policy lives here: proxies from the environment, TLS trust (Node's store plus NODE_EXTRA_CA_CERTS),
 * https only (plain http for loopback hosts), at most five redirects and never https -> http,
 * connect/idle/total timeouts, a minimum rate for body streams (min-rate.ts), retries with backoff for
 * network errors, 429 and 5xx.
 */
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { ToolsError, isToolsError } from './errors.js';
import { scopedSignal } from './abort.js';
import { withMinRate } from './min-rate.js';
import { checkUrl, redact } from './url-policy.js';
import { normaliseProxy, proxyInUse } from './proxy-env.js';
import type { ProxyInUse, ProxySettings } from './proxy-env.js';

export { checkUrl, isLoopbackHost, redact } from './url-policy.js';
export { normaliseProxy, proxyFor, proxyInUse } from './proxy-env.js';
export type { ProxyInUse, ProxySettings } from './proxy-env.js';


export interface HttpOptions {
  proxy: ProxySettings;
  /** TCP+TLS connect limit. */
  connectTimeoutMs: number;
  /** Longest silence while waiting for headers or body bytes; also the window of a body stream's minimum rate. */
  idleTimeoutMs: number;
  /** Attempts for one request, the first included. */
  attempts: number;
  /** First backoff; doubled each retry, with jitter. */
  backoffMs: number;
  /** A Retry-After longer than this fails the request instead of stalling the user's command. */
  maxRetryAfterMs: number;
  userAgent: string;
  /** PEM CA certificates that replace the trust store (tests, a pinned CA). Unset: Node's store plus NODE_EXTRA_CA_CERTS. */
  ca?: readonly string[] | undefined;
}

export interface TextRequest {
  /** Hard cap on the body; a longer one is an error, not a truncation. */
  maxBytes: number;
  /** Whole-request limit, retries included. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /**
   * Skip certificate verification for this request alone (`tsh --insecure`: a proxy with a
   * self-signed certificate). Never for downloads.
   */
  insecure?: boolean | undefined;
  /** Attempts for this request (default: the client's `attempts`). */
  attempts?: number | undefined;
}

export interface StreamRequest {
  signal?: AbortSignal | undefined;
}

export interface BodyStream {
  body: Readable;
  /** From Content-Length, when the server sent one. */
  size: number | undefined;
  /** The URL after redirects. */
  url: string;
}

export interface ProbeRequest {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** What one request found out, whatever the status: for diagnostics (`teleport-tools doctor`). */
export interface ProbeResult {
  status: number;
  /** Response headers, lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The URL after redirects. */
  url: string;
  /** The first bytes of the body (at most 256), as text. */
  bodyStart: string;
}

export interface HttpClient {
  getText(url: string, req: TextRequest): Promise<string>;
  getStream(url: string, req?: StreamRequest): Promise<BodyStream>;
  /** One attempt, redirects followed, any status returned rather than thrown; network errors still throw. */
  probe(url: string, req: ProbeRequest): Promise<ProbeResult>;
  close(): Promise<void>;
}

const MAX_REDIRECTS = 5;

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After in ms (seconds or an HTTP date), undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);

const TLS_HINT = 'if a proxy or private CA re-signs TLS traffic, point NODE_EXTRA_CA_CERTS at its CA certificate';
const SLOW_HINT = 'on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT';
/** undici's idle timeouts, said the way a user reads them. */
const IDLE_TIMEOUTS: Record<string, string> = {
  UND_ERR_HEADERS_TIMEOUT: 'no answer for',
  UND_ERR_BODY_TIMEOUT: 'the server stopped sending for',
};
const PROXY_CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * One line that says what failed and what fixes it. undici's own messages never carry the proxy's
 * credentials; the proxy URL is printed through redact().
 */
function networkError(url: URL, err: unknown, proxy: ProxyInUse | undefined, idleMs: number): ToolsError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.cause?.code ?? e.code ?? '';
  let detail = e.cause?.message ?? e.message ?? String(err);
  let hint = '';
  const proxyStatus = /^Proxy response \((\d+)\)/.exec(detail)?.[1];
  const idle = IDLE_TIMEOUTS[code];
  if (idle) {
    detail = `${idle} ${idleMs / 1000} s`;
    hint = SLOW_HINT;
  } else if (proxy && proxyStatus) {
    detail = `the proxy answered HTTP ${proxyStatus}`;
    if (proxyStatus === '407') {
      hint = new URL(proxy.url).username
        ? `the proxy refused the user name and password in ${proxy.variable}`
        : `the proxy wants credentials: put them in ${proxy.variable} as http://user:password@host:port`;
    } else {
      hint = `the proxy in ${proxy.variable} refused to connect to ${url.host}; if it should not be used for this host, add the host to NO_PROXY`;
    }
  } else if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/i.test(`${code} ${detail}`)) {
    hint = TLS_HINT;
  } else if (proxy && PROXY_CONNECT_CODES.has(code)) {
    hint = `check the proxy in ${proxy.variable}, or unset it if no proxy is needed`;
  }
  const via = proxy ? ` through proxy ${redact(proxy.url)}` : '';
  return new ToolsError('ENETWORK', `cannot reach ${url.host}${via}: ${detail}${hint ? ` (${hint})` : ''}`, { cause: err });
}

function isRetryableError(err: unknown): boolean {
  if (isToolsError(err)) return false;
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  return NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.cause?.code ?? '');
}

/**
 * Lets go of a response body we will not use: drained (keeping the connection) or destroyed. Either
 * may end in an error event (a reset, undici's abort) that has nobody else to go to; unheard, it
 * would crash the process.
 */
function discard(body: Dispatcher.ResponseData['body'], how: 'drain' | 'destroy'): void {
  body.on('error', () => undefined);
  if (how === 'drain') body.resume();
  else body.destroy();
}

function abortReason(signal: AbortSignal | undefined): ToolsError | undefined {
  if (!signal?.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (isToolsError(reason)) return reason;
  return new ToolsError('ECANCELLED', 'cancelled');
}

/**
 * undici is loaded on the first request, not when this module is: it takes ~65 ms to load, and many
 * launcher runs make no request at all.
 */
let undici: Promise<typeof Undici> | undefined;
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

export function createHttpClient(options: HttpOptions): HttpClient {
  const proxy: ProxySettings = {
    httpProxy: normaliseProxy(options.proxy.httpProxy, 'HTTP_PROXY'),
    httpsProxy: normaliseProxy(options.proxy.httpsProxy, 'HTTPS_PROXY'),
    noProxy: options.proxy.noProxy,
  };
  const via = (url: URL): ProxyInUse | undefined => proxyInUse(url, proxy);
  const tls = { timeout: options.connectTimeoutMs, ...(options.ca ? { ca: [...options.ca] } : {}) };
  let dispatcher: Dispatcher | undefined;
  /** Its own dispatcher, so that no connection made without verification is ever reused for others. */
  let insecureDispatcher: Dispatcher | undefined;
  const getDispatcher = async (insecure = false): Promise<Dispatcher> => {
    const { EnvHttpProxyAgent } = await loadUndici();
    const make = (t: typeof tls & { rejectUnauthorized?: boolean }): Dispatcher => new EnvHttpProxyAgent({
      // Empty strings, not undefined: undici would fall back to process.env.
      httpProxy: proxy.httpProxy ?? '',
      httpsProxy: proxy.httpsProxy ?? '',
      noProxy: proxy.noProxy ?? '',
      connect: t,
      // Through a proxy, undici takes the TLS settings (and the connect limit) from these instead.
      proxyTls: { timeout: options.connectTimeoutMs },
      requestTls: t,
      headersTimeout: options.idleTimeoutMs,
      bodyTimeout: options.idleTimeoutMs,
    });
    if (insecure) return (insecureDispatcher ??= make({ ...tls, rejectUnauthorized: false }));
    return (dispatcher ??= make(tls));
  };

  /** One request with manual redirects; resolves with a 2xx response whose body is unread. */
  async function open(start: URL, signal: AbortSignal | undefined, insecure = false): Promise<{ res: Dispatcher.ResponseData; url: URL }> {
    let url = start;
    const { request } = await loadUndici();
    const via = await getDispatcher(insecure);
    for (let hop = 0; ; hop++) {
      const res = await request(url, {
        dispatcher: via,
        method: 'GET',
        headers: { 'user-agent': options.userAgent, accept: '*/*' },
        signal,
      });
      if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
        discard(res.body, 'drain');
        const location = res.headers.location;
        if (typeof location !== 'string') throw new ToolsError('EHTTP', `${redact(url)} answered ${res.statusCode} without a Location`);
        if (hop >= MAX_REDIRECTS) throw new ToolsError('EHTTP', `too many redirects (more than ${MAX_REDIRECTS}) starting at ${redact(start)}`);
        const next = new URL(location, url);
        if (url.protocol === 'https:' && next.protocol !== 'https:') {
          throw new ToolsError('EHTTP', `refusing redirect from https to ${next.protocol.replace(':', '')}: ${redact(url)} -> ${redact(next)}`);
        }
        url = checkUrl(next.toString());
        continue;
      }
      return { res, url };
    }
  }

  /**
   * open() and then use() the 2xx response, with retries: network errors (reading a small body
   * included), 429 and 5xx, backing off (and honouring Retry-After).
   */
  async function withRetries<T>(
    raw: string,
    signal: AbortSignal | undefined,
    use: (res: Dispatcher.ResponseData, url: URL) => Promise<T>,
    per: { insecure?: boolean | undefined; attempts?: number | undefined } = {},
  ): Promise<T> {
    const start = checkUrl(raw);
    const attempts = per.attempts ?? options.attempts;
    for (let attempt = 1; ; attempt++) {
      let waitMs = options.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      try {
        const { res, url } = await open(start, signal, per.insecure);
        if (res.statusCode >= 200 && res.statusCode < 300) return await use(res, url);
        discard(res.body, 'drain');
        const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
        const err = new ToolsError('EHTTP', `${redact(url)} answered HTTP ${res.statusCode}${tries}`);
        if (!isRetryableStatus(res.statusCode) || attempt >= attempts) throw err;
        const retryAfter = parseRetryAfter(res.headers['retry-after']);
        if (retryAfter !== undefined) {
          if (retryAfter > options.maxRetryAfterMs) {
            throw new ToolsError('EHTTP', `${redact(url)} answered HTTP ${res.statusCode} and asks to retry in ${Math.ceil(retryAfter / 1000)} s; try again later`);
          }
          waitMs = retryAfter;
        }
      } catch (err) {
        const aborted = abortReason(signal);
        if (aborted) throw aborted;
        if (isToolsError(err)) throw err;
        if (!isRetryableError(err) || attempt >= attempts) throw networkError(start, err, via(start), options.idleTimeoutMs);
      }
      await delay(waitMs, undefined, { signal }).catch(() => {
        throw abortReason(signal) ?? new ToolsError('ECANCELLED', 'cancelled');
      });
    }
  }

  return {
    async getText(raw, req) {
      const scope = scopedSignal([req.signal], req.timeoutMs);
      const { signal } = scope;
      const timedOut = () => (req.signal?.aborted ? abortReason(req.signal) : new ToolsError('ENETWORK', `${redact(raw)} did not answer within ${req.timeoutMs / 1000} s`));
      try {
        return await withRetries(raw, signal, async (res, url) => {
          const declared = Number(res.headers['content-length']);
          if (Number.isFinite(declared) && declared > req.maxBytes) {
            discard(res.body, 'destroy');
            throw new ToolsError('EHTTP', `${redact(url)} sent ${declared} bytes; at most ${req.maxBytes} expected`);
          }
          const chunks: Buffer[] = [];
          let total = 0;
          for await (const chunk of res.body as AsyncIterable<Buffer>) {
            total += chunk.length;
            if (total > req.maxBytes) {
              discard(res.body, 'destroy');
              throw new ToolsError('EHTTP', `${redact(url)} sent more than ${req.maxBytes} bytes; at most ${req.maxBytes} expected`);
            }
            chunks.push(chunk);
          }
          return Buffer.concat(chunks).toString('utf8');
        }, req);
      } catch (err) {
        if (signal.aborted && !isToolsError(err, 'EHTTP')) throw timedOut() ?? err;
        if (isToolsError(err)) throw err;
        throw networkError(new URL(raw), err, via(new URL(raw)), options.idleTimeoutMs);
      } finally {
        scope.dispose();
      }
    },

    async getStream(raw, req = {}) {
      const { res, url } = await withRetries(raw, req.signal, async (res, url) => ({ res, url }));
      const length = Number(res.headers['content-length']);
      const stream = res.body as unknown as Readable;
      const body = withMinRate(stream instanceof Readable ? stream : Readable.from(stream), options.idleTimeoutMs);
      return { body, size: Number.isFinite(length) ? length : undefined, url: url.toString() };
    },

    async probe(raw, req) {
      const start = checkUrl(raw);
      const scope = scopedSignal([req.signal], req.timeoutMs);
      const { signal } = scope;
      try {
        const { res, url } = await open(start, signal);
        // A diagnosis needs only the start of the body; listen for errors before stopping the rest.
        res.body.on('error', () => undefined);
        const chunks: Buffer[] = [];
        let total = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          chunks.push(chunk);
          total += chunk.length;
          if (total >= 256) break;
        }
        discard(res.body, 'destroy');
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        return { status: res.statusCode, headers, url: url.toString(), bodyStart: Buffer.concat(chunks).subarray(0, 256).toString('utf8') };
      } catch (err) {
        if (req.signal?.aborted) throw abortReason(req.signal) ?? err;
        if (signal.aborted) {
          const p = via(start);
          throw new ToolsError('ENETWORK', `${redact(start)} did not answer within ${req.timeoutMs / 1000} s${p ? ` through proxy ${redact(p.url)}` : ''}`);
        }
        if (isToolsError(err)) throw err;
        throw networkError(start, err, via(start), options.idleTimeoutMs);
      } finally {
        scope.dispose();
      }
    },

    async close() {
      await Promise.all([dispatcher?.close(), insecureDispatcher?.close()]);
    },
  };
}
