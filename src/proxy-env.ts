/**
 * The proxy settings from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and their lower-case
 * forms, read once in settings.ts), normalised as undici will use them, and which proxy a request
 * goes through, for messages and the doctor.
 */
import { ToolsError } from './errors.js';
import { redact } from './url-policy.js';

export interface ProxySettings {
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  noProxy?: string | undefined;
}

/**
 * A proxy setting as undici will use it. Like curl, a value without a scheme means http://
 * (`HTTPS_PROXY=proxy.corp:3128` is common); anything but http(s) or socks5 is refused with the
 * variable's name, never with the value's credentials.
 */
export function normaliseProxy(raw: string | undefined, name: string): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ToolsError('ECONFIG', `${name} is not a valid proxy URL; expected http://[user:password@]host:port`);
  }
  if (!['http:', 'https:', 'socks5:', 'socks:'].includes(url.protocol) || !url.hostname) {
    throw new ToolsError('ECONFIG', `${name} is not a usable proxy URL (${redact(url)}); expected http://[user:password@]host:port`);
  }
  return withScheme;
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The proxy a request to `target` goes through (normalised, credentials included: redact() before
 * printing it), or undefined when it goes direct. The same rules as undici's EnvHttpProxyAgent, which
 * decides for undici's requests; this decides which small documents go direct through node:https: NO_PROXY entries are host names or IPs, optionally with `:port`, a leading
 * `.` or `*.` matches subdomains, `*` alone turns proxies off; loopback hosts are proxied unless named.
 */
export function proxyFor(target: URL | string, proxy: ProxySettings): string | undefined {
  const url = new URL(String(target));
  const chosen = url.protocol === 'https:' ? (proxy.httpsProxy || proxy.httpProxy) : proxy.httpProxy;
  if (!chosen) return undefined;
  const noProxy = (proxy.noProxy ?? '').trim();
  if (noProxy === '*') return undefined;
  const hostname = url.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed ? (parsed[1] as string) : entry).replace(/^\*?\./, '').toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2] as string, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return undefined;
  }
  return normaliseProxy(chosen, url.protocol === 'https:' && proxy.httpsProxy ? 'HTTPS_PROXY' : 'HTTP_PROXY');
}

/** The proxy a request to `url` uses and the variable that set it, for messages. */
export interface ProxyInUse {
  url: string;
  variable: 'HTTPS_PROXY' | 'HTTP_PROXY';
}

export function proxyInUse(target: URL | string, proxy: ProxySettings): ProxyInUse | undefined {
  const url = proxyFor(target, proxy);
  if (url === undefined) return undefined;
  const variable = new URL(String(target)).protocol === 'https:' && proxy.httpsProxy ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  return { url, variable };
}
