/**
 * Which URLs we fetch and how we print them: https anywhere, plain http only for loopback hosts,
 * and never a URL with its credentials in a message.
 */
import { ToolsError } from './errors.js';

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
