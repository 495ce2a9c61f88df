/**
 * Proxy and CA settings as teleport-tools will use them. Node.js reads NODE_EXTRA_CA_CERTS once at
 * start and only warns when the file is missing, after which every TLS request fails far from the cause.
 */
import { readFile } from 'node:fs/promises';
import { normaliseProxy, redact } from '../http.js';
import type { ProxySettings } from '../http.js';
import { describeError } from '../errors.js';
import type { Env } from '../settings.js';
import type { Check } from './check.js';
import { failed, passed, shellQuote } from './check.js';

function describeProxy(raw: string, variable: string): string {
  const url = new URL(normaliseProxy(raw, variable) as string);
  return `${variable}=${redact(url)}${url.username ? ' (with credentials, not shown)' : ''}`;
}

export function checkProxy(proxy: ProxySettings): Check {
  const name = 'proxy';
  const parts: string[] = [];
  try {
    if (proxy.httpsProxy) parts.push(describeProxy(proxy.httpsProxy, 'HTTPS_PROXY'));
    if (proxy.httpProxy) parts.push(describeProxy(proxy.httpProxy, 'HTTP_PROXY'));
  } catch (err) {
    return failed(name, describeError(err), 'set it to http://host:port or http://user:password@host:port (percent-encode special characters in the password), or unset it');
  }
  if (!parts.length) return passed(name, 'no HTTPS_PROXY or HTTP_PROXY set: direct connections');
  if (!proxy.httpsProxy) parts.push('https requests use HTTP_PROXY too');
  if (proxy.noProxy) parts.push(`NO_PROXY=${proxy.noProxy}`);
  return passed(name, parts.join('; '));
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----/g;

export async function checkExtraCaCerts(env: Env): Promise<Check> {
  const name = 'ca-certs';
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return passed(name, "NODE_EXTRA_CA_CERTS not set: Node.js's built-in CA list is trusted");
  const fix = "point NODE_EXTRA_CA_CERTS at a PEM file holding your proxy's or company's CA certificate";
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return failed(name, `NODE_EXTRA_CA_CERTS=${shellQuote(file)} cannot be read (${describeError(err)}); Node.js ignores it`, fix);
  }
  const count = text.match(PEM_CERT)?.length ?? 0;
  if (count === 0) return failed(name, `NODE_EXTRA_CA_CERTS=${shellQuote(file)} holds no PEM certificate (-----BEGIN CERTIFICATE-----); Node.js ignores it`, fix);
  return passed(name, `NODE_EXTRA_CA_CERTS=${shellQuote(file)}: ${count} extra CA certificate${count === 1 ? '' : 's'} trusted`);
}
