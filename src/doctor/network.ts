/**
 * Can this machine reach the version endpoint and the CDN the way the launchers will (same proxy, same
 * CA trust), and is its clock close to the server's? Each request is one attempt with a 10 s limit:
 * a diagnosis should be quick and say what it saw, not retry it away.
 */
import { ToolsError, isToolsError } from '../errors.js';
import { proxyInUse, redact } from '../http.js';
import type { HttpClient, ProbeResult, ProxySettings } from '../http.js';
import type { Settings } from '../settings.js';
import { archiveName, archiveUrl } from '../artifacts/release.js';
import { readVersionFile } from '../tools/version-file.js';
import { releaseFor } from '../tools/edition.js';
import { parseVersionBody } from '../version.js';
import type { Check } from './check.js';
import { failed, passed } from './check.js';
import { clockCheck } from './clock.js';

export const PROBE_TIMEOUT_MS = 10_000;

export interface NetworkCheckOptions {
  settings: Settings;
  http: () => HttpClient;
  signal?: AbortSignal | undefined;
  now?: () => number;
}

/** `through proxy http://proxy:3128/` or `directly`, saying why when a proxy is set but not used. */
function route(url: string, proxy: ProxySettings): string {
  const p = proxyInUse(url, proxy);
  if (p) return `through proxy ${redact(p.url)} (${p.variable})`;
  return proxy.httpsProxy || proxy.httpProxy ? 'directly (NO_PROXY)' : 'directly';
}

/** The innermost system or undici error code behind a ToolsError. */
function rootCode(err: unknown): string {
  let code = '';
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && !isToolsError(e)) code = e.code;
  }
  return code;
}

/** What to do about a request that failed before any HTTP answer. */
function networkFix(err: unknown, url: string, proxy: ProxySettings): string {
  const host = new URL(url).host;
  const p = proxyInUse(url, proxy);
  const message = err instanceof Error ? err.message : String(err);
  if (/NODE_EXTRA_CA_CERTS/.test(message) || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(rootCode(err))) {
    return `set NODE_EXTRA_CA_CERTS to a PEM file with the CA that signs ${host}'s certificate (behind a TLS-inspecting proxy: the proxy's CA; ask your IT team)`;
  }
  if (p && /proxy answered HTTP 407/.test(message)) return `put the proxy's user name and password in ${p.variable}: http://user:password@host:port`;
  if (p && /proxy answered HTTP/.test(message)) return `ask your proxy administrator to allow ${host}, or add ${new URL(url).hostname} to NO_PROXY if it should be reached directly`;
  if (p) return `check ${p.variable} (is the proxy running at ${redact(p.url)}?), or unset it if no proxy is needed`;
  return 'check your network connection and DNS; behind a corporate proxy, set HTTPS_PROXY=http://host:port';
}

/** The hint src/http.ts appends to a network error; the check's own fix says it better. */
const HTTP_HINT = / \((if a proxy or private CA|the proxy|check the proxy)[^()]*\)$/;

function failure(name: string, url: string, err: unknown, proxy: ProxySettings): Check {
  const message = (err instanceof Error ? err.message : String(err)).replace(HTTP_HINT, '');
  return failed(name, `${message}${/through proxy/.test(message) ? '' : ` (${route(url, proxy)})`}`, networkFix(err, url, proxy));
}

interface Probed {
  result?: ProbeResult;
  error?: unknown;
  sent: number;
  answered: number;
}

async function probe(opts: NetworkCheckOptions, url: string): Promise<Probed> {
  const now = opts.now ?? Date.now;
  const sent = now();
  try {
    const result = await opts.http().probe(url, { timeoutMs: PROBE_TIMEOUT_MS, signal: opts.signal });
    return { result, sent, answered: now() };
  } catch (error) {
    if (isToolsError(error, 'ECANCELLED')) throw error;
    return { error, sent, answered: now() };
  }
}

const looksLikeHtml = (body: string): boolean => /^\s*<(!doctype|html|head|body)/i.test(body);

async function checkEndpoint(opts: NetworkCheckOptions): Promise<{ check: Check; probed: Probed; version: string | undefined }> {
  const { settings } = opts;
  const name = 'version-endpoint';
  const url = settings.versionUrl.value;
  const proxy = settings.http.proxy;
  const setting = settings.versionUrl.source === 'environment' ? 'TELEPORT_TOOLS_VERSION_URL' : "version_url ('teleport-tools config get version_url')";
  const probed = await probe(opts, url);
  const { result } = probed;
  if (!result) return { check: failure(name, url, probed.error, proxy), probed, version: undefined };
  if (result.status < 200 || result.status > 299) {
    return { check: failed(name, `${redact(url)} answered HTTP ${result.status} (${route(url, proxy)})`, `check ${setting}`), probed, version: undefined };
  }
  try {
    const version = parseVersionBody(result.bodyStart, redact(url));
    return { check: passed(name, `${redact(url)} answered v${version}, ${route(url, proxy)}`), probed, version };
  } catch (err) {
    const portal = looksLikeHtml(result.bodyStart) ? '; a web page came back, as from a proxy login page or captive portal' : '';
    const message = err instanceof Error ? err.message : String(err);
    return { check: failed(name, `${message}${portal} (${route(url, proxy)})`, `check ${setting}${portal ? ', and log in to the network or proxy in a browser' : ''}`), probed, version: undefined };
  }
}

async function checkCdn(opts: NetworkCheckOptions, endpointVersion: string | undefined): Promise<Check> {
  const { settings } = opts;
  const name = 'cdn';
  const base = settings.cdnBaseUrl.value;
  const proxy = settings.http.proxy;
  const setting = settings.cdnBaseUrl.source === 'environment' ? 'TELEPORT_CDN_BASE_URL' : "cdn_base_url and edition ('teleport-tools config list')";
  const version = settings.pin.kind === 'version' ? settings.pin.version : endpointVersion ?? (await readVersionFile(settings.versionFile));
  if (version === undefined || settings.platform instanceof ToolsError) {
    const probed = await probe(opts, base);
    if (!probed.result) return failure(name, base, probed.error, proxy);
    return passed(name, `${redact(base)} is reachable (HTTP ${probed.result.status}), ${route(base, proxy)}`);
  }
  const release = releaseFor({ ...settings, platform: settings.platform }, version);
  const url = `${archiveUrl(base, release)}.sha256`;
  const probed = await probe(opts, url);
  if (!probed.result) return failure(name, url, probed.error, proxy);
  const { status } = probed.result;
  if (status >= 200 && status <= 299) return passed(name, `${redact(base)} has ${archiveName(release)}, ${route(url, proxy)}`);
  if (status === 403 || status === 404) {
    return failed(name, `${redact(base)} has no ${archiveName(release)} (HTTP ${status} for its .sha256; ${route(url, proxy)})`, `check ${setting}`);
  }
  return failed(name, `${redact(url)} answered HTTP ${status} (${route(url, proxy)})`, status >= 500 ? 'the CDN has a problem; try again later' : `check ${setting}`);
}

const skipped = (name: string, why: string): Check => passed(name, `skipped: ${why}`);

/** [version-endpoint, cdn, clock] */
export async function checkNetwork(opts: NetworkCheckOptions): Promise<Check[]> {
  const { settings } = opts;
  if (!settings.autoUpdates.enabled) {
    const why = `automatic updates are off (${settings.autoUpdates.reason}), so the launchers make no requests`;
    return [skipped('version-endpoint', why), skipped('cdn', why), skipped('clock', why)];
  }
  try {
    opts.http();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return [failed('version-endpoint', message, 'fix the proxy setting (see the proxy check)'), skipped('cdn', 'no usable proxy setting'), skipped('clock', 'no usable proxy setting')];
  }
  const endpoint = await checkEndpoint(opts);
  const cdn = await checkCdn(opts, endpoint.version);
  const { result, sent, answered } = endpoint.probed;
  const clock = result
    ? clockCheck({ date: result.headers.date, sent, answered, server: new URL(result.url).host })
    : skipped('clock', 'the version endpoint did not answer, so there is no server time to compare with');
  return [endpoint.check, cdn, clock];
}
