/**
 * How one request travels, for http.ts: one hop (node:https when no proxy applies and the caller
 * allows it, else undici), redirects followed by hand (at most five, never https -> http), and retries
 * with backoff for network errors, 429 and 5xx (honouring Retry-After).
 */
import type { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { ToolsError, isToolsError } from './errors.js';
import { isRetryableError, isRetryableStatus, networkError, parseRetryAfter } from './http-errors.js';
import { nativeRequest } from './http-native.js';
import type { Hop } from './http-native.js';
import type { HttpOptions, StreamRequest } from './http-types.js';
import { checkUrl, redact } from './url-policy.js';
import { normaliseProxy, proxyInUse } from './proxy-env.js';
import type { ProxyInUse, ProxySettings } from './proxy-env.js';

const MAX_REDIRECTS = 5;

/** How one hop goes: `native` lets a request that no proxy applies to use node:https. */
export interface HopOptions {
  native: boolean;
  insecure: boolean;
  /** Method, extra headers and accepted non-2xx statuses (resumed downloads). */
  extra?: StreamRequest | undefined;
  /** Attempts for this request (default: the client's `attempts`). */
  attempts?: number | undefined;
}

/**
 * Lets go of a response body we will not use: drained (keeping the connection) or destroyed. Either
 * may end in an error event (a reset, undici's abort) that has nobody else to go to; unheard, it
 * would crash the process.
 */
export function discard(body: Readable, how: 'drain' | 'destroy'): void {
  body.on('error', () => undefined);
  if (how === 'drain') body.resume();
  else body.destroy();
}

export function abortReason(signal: AbortSignal | undefined): ToolsError | undefined {
  if (!signal?.aborted) return undefined;
  const reason: unknown = signal.reason;
  if (isToolsError(reason)) return reason;
  return new ToolsError('ECANCELLED', 'cancelled');
}

/**
 * undici is loaded on the first request that needs it, not when this module is: many launcher runs
 * make no request at all, and most of the rest go through node:https.
 */
let undici: Promise<typeof Undici> | undefined;
const loadUndici = (): Promise<typeof Undici> => (undici ??= import('undici'));

const isRedirect = (status: number): boolean => status >= 300 && status < 400 && status !== 304;

export class Transport {
  private readonly proxy: ProxySettings;
  /** The usual dispatcher, and one without certificate checks for `insecure` requests. */
  private readonly dispatchers: { checked?: Dispatcher; insecure?: Dispatcher } = {};

  constructor(private readonly options: HttpOptions) {
    this.proxy = {
      httpProxy: normaliseProxy(options.proxy.httpProxy, 'HTTP_PROXY'),
      httpsProxy: normaliseProxy(options.proxy.httpsProxy, 'HTTPS_PROXY'),
      noProxy: options.proxy.noProxy,
    };
  }

  via(url: URL): ProxyInUse | undefined {
    return proxyInUse(url, this.proxy);
  }

  /** The client's view of a network error: which URL, which proxy, which limit. */
  networkError(url: URL, err: unknown): ToolsError {
    return networkError(url, err, this.via(url), this.options.idleTimeoutMs);
  }

  private async dispatcher(insecure: boolean): Promise<Dispatcher> {
    const { EnvHttpProxyAgent } = await loadUndici();
    const { options, proxy } = this;
    const baseTls = { timeout: options.connectTimeoutMs, ...(options.ca ? { ca: [...options.ca] } : {}) };
    const tls = insecure ? { ...baseTls, rejectUnauthorized: false } : baseTls;
    return (this.dispatchers[insecure ? 'insecure' : 'checked'] ??= new EnvHttpProxyAgent({
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
  }

  /** One request without redirects, through node:https when allowed and no proxy applies, else undici. */
  private async hop(url: URL, signal: AbortSignal | undefined, how: HopOptions): Promise<Hop> {
    if (how.native && !this.via(url)) {
      const { connectTimeoutMs, idleTimeoutMs, userAgent, ca } = this.options;
      return nativeRequest(url, { method: how.extra?.method, headers: how.extra?.headers, connectTimeoutMs, idleTimeoutMs, userAgent, ca, insecure: how.insecure, signal });
    }
    const { request } = await loadUndici();
    const res = await request(url, {
      dispatcher: await this.dispatcher(how.insecure),
      method: how.extra?.method ?? 'GET',
      headers: { 'user-agent': this.options.userAgent, accept: '*/*', ...how.extra?.headers },
      signal,
    });
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }

  /** One request with manual redirects; resolves with the first answer that is not a redirect, its body unread. */
  async open(start: URL, signal: AbortSignal | undefined, how: HopOptions): Promise<{ res: Hop; url: URL }> {
    let url = start;
    for (let hops = 0; ; hops++) {
      const res = await this.hop(url, signal, how);
      if (!isRedirect(res.statusCode)) return { res, url };
      discard(res.body, 'drain');
      const location = res.headers.location;
      if (typeof location !== 'string') throw new ToolsError('EHTTP', `${redact(url)} answered ${res.statusCode} without a Location`);
      if (hops >= MAX_REDIRECTS) throw new ToolsError('EHTTP', `too many redirects (more than ${MAX_REDIRECTS}) starting at ${redact(start)}`);
      const next = new URL(location, url);
      if (url.protocol === 'https:' && next.protocol !== 'https:') {
        throw new ToolsError('EHTTP', `refusing redirect from https to ${next.protocol.replace(':', '')}: ${redact(url)} -> ${redact(next)}`);
      }
      url = checkUrl(next.toString());
    }
  }

  /**
   * open() and then use() the 2xx (or accepted) answer, with retries: network errors (reading a small
   * body included), 429 and 5xx, backing off (and honouring Retry-After).
   */
  async withRetries<T>(raw: string, signal: AbortSignal | undefined, how: HopOptions, use: (res: Hop, url: URL) => Promise<T>): Promise<T> {
    const start = checkUrl(raw);
    const attempts = how.attempts ?? this.options.attempts;
    for (let attempt = 1; ; attempt++) {
      let waitMs = this.options.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
      try {
        const { res, url } = await this.open(start, signal, how);
        if ((res.statusCode >= 200 && res.statusCode < 300) || how.extra?.accept?.includes(res.statusCode)) return await use(res, url);
        waitMs = this.retryAfterStatus(res, url, attempt, attempts) ?? waitMs;
      } catch (err) {
        const aborted = abortReason(signal);
        if (aborted) throw aborted;
        if (isToolsError(err)) throw err;
        if (!isRetryableError(err) || attempt >= attempts) throw this.networkError(start, err);
      }
      await delay(waitMs, undefined, { signal }).catch(() => {
        throw abortReason(signal) ?? new ToolsError('ECANCELLED', 'cancelled');
      });
    }
  }

  /** A status that is not an answer: throws unless it may be retried; the wait its Retry-After asks for, if any. */
  private retryAfterStatus(res: Hop, url: URL, attempt: number, attempts: number): number | undefined {
    discard(res.body, 'drain');
    const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
    const err = new ToolsError('EHTTP', `${redact(url)} answered HTTP ${res.statusCode}${tries}`);
    if (!isRetryableStatus(res.statusCode) || attempt >= attempts) throw err;
    const retryAfter = parseRetryAfter(res.headers['retry-after']);
    if (retryAfter !== undefined && retryAfter > this.options.maxRetryAfterMs) {
      throw new ToolsError('EHTTP', `${redact(url)} answered HTTP ${res.statusCode} and asks to retry in ${Math.ceil(retryAfter / 1000)} s; try again later`);
    }
    return retryAfter;
  }

  async close(): Promise<void> {
    await Promise.all([this.dispatchers.checked?.close(), this.dispatchers.insecure?.close()]);
  }
}
