/**
 * How http.ts judges a failed request, whichever client made it (undici, or node:https through
 * http-native.ts, which fails with undici's codes): what is worth retrying, and the one line a user reads.
 */
import { ToolsError, isToolsError } from './errors.js';
import { redact } from './url-policy.js';
import type { ProxyInUse } from './proxy-env.js';

export function isRetryableStatus(status: number): boolean {
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
export function networkError(url: URL, err: unknown, proxy: ProxyInUse | undefined, idleMs: number): ToolsError {
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

export function isRetryableError(err: unknown): boolean {
  if (isToolsError(err)) return false;
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  return NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(e.cause?.code ?? '');
}
