/**
 * The one place that speaks HTTP. Everything else asks for a small text document or a body stream.
 * Policy lives here: proxies from the environment, TLS trust (Node's store plus NODE_EXTRA_CA_CERTS),
 * https only (plain http for loopback hosts), at most five redirects and never https -> http,
 * connect/idle/total timeouts, retries with backoff for network errors, 429 and 5xx.
 */
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { EnvHttpProxyAgent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { ToolsError, isToolsError } from './errors.js';

export interface ProxySettings {
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  noProxy?: string | undefined;
}

export interface HttpOptions {
  proxy: ProxySettings;
  /** TCP+TLS connect limit. */
  connectTimeoutMs: number;
  /** Longest silence while waiting for headers or body bytes. */
  idleTimeoutMs: number;
  /** Attempts for one request, the first included. */
  attempts: number;
  /** First backoff; doubled each retry, with jitter. */
  backoffMs: number;
  /** A Retry-After longer than this fails the request instead of stalling the user's command. */
  maxRetryAfterMs: number;
  userAgent: string;
}

export interface TextRequest {
  /** Hard cap on the body; a longer one is an error, not a truncation. */
  maxBytes: number;
  /** Whole-request limit, retries included. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
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

export interface HttpClient {
  getText(url: string, req: TextRequest): Promise<string>;
  getStream(url: string, req?: StreamRequest): Promise<BodyStream>;
  close(): Promise<void>;
}

const MAX_REDIRECTS = 5;

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** https anywhere; http only for loopback. Returns the parsed URL. */
export function checkUrl(raw: string, what = 'URL'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolsError('EHTTP', `${what} is not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new ToolsError('EHTTP', `refusing plain http:// for ${redact(url)}: use https:// (http is allowed only for localhost)`);
  }
  throw new ToolsError('EHTTP', `${what} must be an https:// URL, got ${redact(url)}`);
}

/** A URL as it may be printed: never with credentials. */
export function redact(url: URL | string): string {
  try {
    const u = new URL(String(url));
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '<invalid URL>';
  }
}

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

function networkError(url: URL, err: unknown): ToolsError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.cause?.code ?? e.code ?? '';
  const detail = e.cause?.message ?? e.message ?? String(err);
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/i.test(`${code} ${detail}`);
  const hint = tls ? ` (${TLS_HINT})` : '';
  return new ToolsError('ENETWORK', `cannot reach ${url.host}: ${detail}${hint}`, { cause: err });
}

function isRetryableError(err: unknown): boolean {
  if (isToolsError(err)) return false;
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  return NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.cause?.code ?? '');
}

function abortReason(signal: AbortSignal | undefined): ToolsError | undefined {
  if (!signal?.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (isToolsError(reason)) return reason;
  return new ToolsError('ECANCELLED', 'cancelled');
}

export function createHttpClient(options: HttpOptions): HttpClient {
  const dispatcher: Dispatcher = new EnvHttpProxyAgent({
    httpProxy: options.proxy.httpProxy ?? '',
    httpsProxy: options.proxy.httpsProxy ?? '',
    noProxy: options.proxy.noProxy ?? '',
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.idleTimeoutMs,
    bodyTimeout: options.idleTimeoutMs,
  });

  /** One request with manual redirects; resolves with a 2xx response whose body is unread. */
  async function open(start: URL, signal: AbortSignal | undefined): Promise<{ res: Dispatcher.ResponseData; url: URL }> {
    let url = start;
    for (let hop = 0; ; hop++) {
      const res = await request(url, {
        dispatcher,
        method: 'GET',
        headers: { 'user-agent': options.userAgent, accept: '*/*' },
        signal,
      });
      if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
        res.body.resume();
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

  /** open() with retries: network errors, 429 and 5xx, backing off (and honouring Retry-After). */
  async function openWithRetries(raw: string, signal: AbortSignal | undefined): Promise<{ res: Dispatcher.ResponseData; url: URL }> {
    const start = checkUrl(raw);
    for (let attempt = 1; ; attempt++) {
      let waitMs = options.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      try {
        const opened = await open(start, signal);
        const { res, url } = opened;
        if (res.statusCode >= 200 && res.statusCode < 300) return opened;
        res.body.resume();
        const err = new ToolsError('EHTTP', `${redact(url)} answered HTTP ${res.statusCode}`);
        if (!isRetryableStatus(res.statusCode) || attempt >= options.attempts) throw err;
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
        if (!isRetryableError(err) || attempt >= options.attempts) throw networkError(start, err);
      }
      await delay(waitMs, undefined, { signal }).catch(() => {
        throw abortReason(signal) ?? new ToolsError('ECANCELLED', 'cancelled');
      });
    }
  }

  return {
    async getText(raw, req) {
      const signal = req.signal ? AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]) : AbortSignal.timeout(req.timeoutMs);
      const timedOut = () => (req.signal?.aborted ? abortReason(req.signal) : new ToolsError('ENETWORK', `${redact(raw)} did not answer within ${req.timeoutMs / 1000} s`));
      try {
        const { res, url } = await openWithRetries(raw, signal);
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > req.maxBytes) {
          res.body.destroy();
          throw new ToolsError('EHTTP', `${redact(url)} sent ${declared} bytes; at most ${req.maxBytes} expected`);
        }
        const chunks: Buffer[] = [];
        let total = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > req.maxBytes) {
            res.body.destroy();
            throw new ToolsError('EHTTP', `${redact(url)} sent more than ${req.maxBytes} bytes; at most ${req.maxBytes} expected`);
          }
          chunks.push(chunk);
        }
        return Buffer.concat(chunks).toString('utf8');
      } catch (err) {
        if (signal.aborted && !isToolsError(err, 'EHTTP')) throw timedOut() ?? err;
        if (isToolsError(err)) throw err;
        throw networkError(new URL(raw), err);
      }
    },

    async getStream(raw, req = {}) {
      const { res, url } = await openWithRetries(raw, req.signal);
      const length = Number(res.headers['content-length']);
      const body = res.body as unknown as Readable;
      return { body: body instanceof Readable ? body : Readable.from(body), size: Number.isFinite(length) ? length : undefined, url: url.toString() };
    },

    async close() {
      await dispatcher.close();
    },
  };
}
