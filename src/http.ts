/**
 * The one place that speaks HTTP. Everything else asks for a small text document or a body stream.
 * Policy lives here: proxies from the environment, TLS trust (Node's store plus NODE_EXTRA_CA_CERTS),
 * https only (plain http for loopback hosts), at most five redirects and never https -> http,
 * connect/idle/total timeouts, a minimum rate for body streams (min-rate.ts), retries with backoff for
 * network errors, 429 and 5xx.
 * Two clients behind it: documents and body streams go through Node.js's built-in node:https when no
 * proxy applies (http-native.ts: no undici to load, no WebAssembly to compile on `tsh login`, ~15 MiB
 * less at an install's peak); probes (the doctor's) and anything proxied go through undici. Both follow
 * the same policy, hop by hop.
 */
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { ToolsError, isToolsError } from './errors.js';
import { scopedSignal } from './abort.js';
import { isRetryableError, isRetryableStatus, networkError, parseRetryAfter } from './http-errors.js';
import { nativeRequest } from './http-native.js';
import type { Hop } from './http-native.js';
import { checkUrl, redact } from './url-policy.js';
import { normaliseProxy, proxyInUse } from './proxy-env.js';
import type { ProxyInUse, ProxySettings } from './proxy-env.js';

export { checkUrl, isLoopbackHost, redact } from './url-policy.js';
export { normaliseProxy, proxyFor, proxyInUse } from './proxy-env.js';
export type { ProxyInUse, ProxySettings } from './proxy-env.js';
export { parseRetryAfter } from './http-errors.js';

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
   * No certificate checks for this request only (`tsh --insecure`: a proxy with a self-signed
   * certificate; its own endpoints). Never for downloads.
   */
  insecure?: boolean | undefined;
  /** Attempts for this request (default: the client's `attempts`). */
  attempts?: number | undefined;
}

export interface StreamRequest {
  signal?: AbortSignal | undefined;
  /** `HEAD`: headers only (the body is empty). Default `GET`. */
  method?: 'GET' | 'HEAD';
  /** Extra request headers, e.g. `range` and `if-range` to resume a download. */
  headers?: Readonly<Record<string, string>>;
  /** Statuses outside 2xx answered rather than thrown (e.g. 416 to a Range request); not retried. */
  accept?: readonly number[];
}

export interface BodyStream {
  body: Readable;
  /** From Content-Length, when the server sent one. */
  size: number | undefined;
  /** The URL after redirects. */
  url: string;
  status: number;
  /** Response headers, lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
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

/** Probes: undici, whatever the URL (the doctor reports what undici, the client of proxied requests, sees). */
const UNDICI = { native: false, insecure: false } as const;

/**
 * Lets go of a response body we will not use: drained (keeping the connection) or destroyed. Either
 * may end in an error event (a reset, undici's abort) that has nobody else to go to; unheard, it
 * would crash the process.
 */
function discard(body: Readable, how: 'drain' | 'destroy'): void {
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

function headerRecord(raw: Hop['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
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
  const baseTls = { timeout: options.connectTimeoutMs, ...(options.ca ? { ca: [...options.ca] } : {}) };
  /** The usual dispatcher, and one without certificate checks for `insecure` requests. */
  const dispatchers: { checked?: Dispatcher; insecure?: Dispatcher } = {};
  const getDispatcher = async (insecure: boolean): Promise<Dispatcher> => {
    const { EnvHttpProxyAgent } = await loadUndici();
    const key = insecure ? 'insecure' : 'checked';
    const tls = insecure ? { ...baseTls, rejectUnauthorized: false } : baseTls;
    return (dispatchers[key] ??= new EnvHttpProxyAgent({
      // Empty strings, not undefined: undici would fall back to process.env.
      httpProxy: proxy.httpProxy ?? '',
      httpsProxy: proxy.httpsProxy ?? '',
      noProxy: proxy.noProxy ?? '',
      connect: tls,
      // Through a proxy, undici takes the TLS settings (and the connect limit) from these instead.
      proxyTls: { timeout: options.connectTimeoutMs },
      requestTls: tls,
      headersTimeout: options.idleTimeoutMs,
      bodyTimeout: options.idleTimeoutMs,
    }));
  };

  /** How one hop goes: `native` lets a request that no proxy applies to use node:https. */
  interface HopOptions {
    native: boolean;
    insecure: boolean;
    /** Method, extra headers and accepted non-2xx statuses (resumed downloads). */
    extra?: StreamRequest | undefined;
    /** Attempts for this request (default: the client's `attempts`). */
    attempts?: number | undefined;
  }

  /** One GET without redirects, through node:https when allowed and no proxy applies, else undici. */
  async function hop(url: URL, signal: AbortSignal | undefined, how: HopOptions): Promise<Hop> {
    if (how.native && !via(url)) {
      const { connectTimeoutMs, idleTimeoutMs, userAgent, ca } = options;
      return nativeRequest(url, { method: how.extra?.method, headers: how.extra?.headers, connectTimeoutMs, idleTimeoutMs, userAgent, ca, insecure: how.insecure, signal });
    }
    const { request } = await loadUndici();
    const res = await request(url, {
      dispatcher: await getDispatcher(how.insecure),
      method: how.extra?.method ?? 'GET',
      headers: { 'user-agent': options.userAgent, accept: '*/*', ...how.extra?.headers },
      signal,
    });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }

  /** One request with manual redirects; resolves with a 2xx response whose body is unread. */
  async function open(start: URL, signal: AbortSignal | undefined, how: HopOptions): Promise<{ res: Hop; url: URL }> {
    let url = start;
    for (let hops = 0; ; hops++) {
      const res = await hop(url, signal, how);
      if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
        discard(res.body, 'drain');
        const location = res.headers.location;
        if (typeof location !== 'string') throw new ToolsError('EHTTP', `${redact(url)} answered ${res.statusCode} without a Location`);
        if (hops >= MAX_REDIRECTS) throw new ToolsError('EHTTP', `too many redirects (more than ${MAX_REDIRECTS}) starting at ${redact(start)}`);
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
  async function withRetries<T>(raw: string, signal: AbortSignal | undefined, how: HopOptions, use: (res: Hop, url: URL) => Promise<T>): Promise<T> {
    const start = checkUrl(raw);
    const attempts = how.attempts ?? options.attempts;
    for (let attempt = 1; ; attempt++) {
      let waitMs = options.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      try {
        const { res, url } = await open(start, signal, how);
        if ((res.statusCode >= 200 && res.statusCode < 300) || how.extra?.accept?.includes(res.statusCode)) return await use(res, url);
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
        return await withRetries(raw, signal, { native: true, insecure: req.insecure === true, attempts: req.attempts }, async (res, url) => {
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
        });
      } catch (err) {
        if (signal.aborted && !isToolsError(err, 'EHTTP')) throw timedOut() ?? err;
        if (isToolsError(err)) throw err;
        throw networkError(new URL(raw), err, via(new URL(raw)), options.idleTimeoutMs);
      } finally {
        scope.dispose();
      }
    },

    async getStream(raw, req = {}) {
      const { res, url } = await withRetries(raw, req.signal, { native: true, insecure: false, extra: req }, async (res, url) => ({ res, url }));
      const headers = headerRecord(res.headers);
      const length = headers['content-length'] === undefined ? NaN : Number(headers['content-length']);
      const stream = res.body;
      // Loaded here: body streams are for downloads, and a login that is up to date makes none.
      const { withMinRate } = await import('./min-rate.js');
      const body = withMinRate(stream instanceof Readable ? stream : Readable.from(stream), options.idleTimeoutMs);
      return { body, size: Number.isFinite(length) ? length : undefined, url: url.toString(), status: res.statusCode, headers };
    },

    async probe(raw, req) {
      const start = checkUrl(raw);
      const scope = scopedSignal([req.signal], req.timeoutMs);
      const { signal } = scope;
      try {
        const { res, url } = await open(start, signal, UNDICI);
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
        const headers = headerRecord(res.headers);
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
      await Promise.all([dispatchers.checked?.close(), dispatchers.insecure?.close()]);
    },
  };
}
