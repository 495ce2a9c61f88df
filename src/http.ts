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
import { ToolsError, isToolsError } from './errors.js';
import { scopedSignal } from './abort.js';
import type { Hop } from './http-native.js';
import { Transport, abortReason, discard } from './http-transport.js';
import type { HopOptions } from './http-transport.js';
import type { BodyStream, HttpClient, HttpOptions, ProbeRequest, ProbeResult, StreamRequest, TextRequest } from './http-types.js';
import { checkUrl, redact } from './url-policy.js';

export { checkUrl, isLoopbackHost, redact } from './url-policy.js';
export { normaliseProxy, proxyFor, proxyInUse } from './proxy-env.js';
export type { ProxyInUse, ProxySettings } from './proxy-env.js';
export { parseRetryAfter } from './http-errors.js';
export type { BodyStream, HttpClient, HttpOptions, ProbeRequest, ProbeResult, StreamRequest, TextRequest } from './http-types.js';

/** Probes: undici, whatever the URL (the doctor reports what undici, the client of proxied requests, sees). */
const UNDICI: HopOptions = { native: false, insecure: false };

/** Most of a body a probe reads. */
const PROBE_BYTES = 256;

function headerRecord(raw: Hop['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function createHttpClient(options: HttpOptions): HttpClient {
  const transport = new Transport(options);
  return {
    getText: (raw, req) => getText(transport, raw, req),
    getStream: (raw, req = {}) => getStream(transport, options, raw, req),
    probe: (raw, req) => probe(transport, raw, req),
    close: () => transport.close(),
  };
}

/** A small body, whole: at most `maxBytes` (declared or sent), within `timeoutMs` retries included. */
async function getText(transport: Transport, raw: string, req: TextRequest): Promise<string> {
  const scope = scopedSignal([req.signal], req.timeoutMs);
  const { signal } = scope;
  const timedOut = () => (req.signal?.aborted ? abortReason(req.signal) : new ToolsError('ENETWORK', `${redact(raw)} did not answer within ${req.timeoutMs / 1000} s`));
  try {
    return await transport.withRetries(raw, signal, { native: true, insecure: req.insecure === true, attempts: req.attempts }, (res, url) => readCapped(res, url, req.maxBytes));
  } catch (err) {
    if (signal.aborted && !isToolsError(err, 'EHTTP')) throw timedOut() ?? err;
    if (isToolsError(err)) throw err;
    throw transport.networkError(new URL(raw), err);
  } finally {
    scope.dispose();
  }
}

async function readCapped(res: Hop, url: URL, maxBytes: number): Promise<string> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(res.body, 'destroy');
    throw new ToolsError('EHTTP', `${redact(url)} sent ${declared} bytes; at most ${maxBytes} expected`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      discard(res.body, 'destroy');
      throw new ToolsError('EHTTP', `${redact(url)} sent more than ${maxBytes} bytes; at most ${maxBytes} expected`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A body stream (an archive), with a minimum rate; retried only until the answer's headers are in. */
async function getStream(transport: Transport, options: HttpOptions, raw: string, req: StreamRequest): Promise<BodyStream> {
  const { res, url } = await transport.withRetries(raw, req.signal, { native: true, insecure: false, extra: req }, async (res, url) => ({ res, url }));
  const headers = headerRecord(res.headers);
  const length = headers['content-length'] === undefined ? NaN : Number(headers['content-length']);
  const stream = res.body;
  // Loaded here: body streams are for downloads, and a login that is up to date makes none.
  const { withMinRate } = await import('./min-rate.js');
  const body = withMinRate(stream instanceof Readable ? stream : Readable.from(stream), options.idleTimeoutMs);
  return { body, size: Number.isFinite(length) ? length : undefined, url: url.toString(), status: res.statusCode, headers };
}

/** One attempt for a diagnosis: any status answered, the start of the body read. */
async function probe(transport: Transport, raw: string, req: ProbeRequest): Promise<ProbeResult> {
  const start = checkUrl(raw);
  const scope = scopedSignal([req.signal], req.timeoutMs);
  const { signal } = scope;
  try {
    const { res, url } = await transport.open(start, signal, UNDICI);
    return { status: res.statusCode, headers: headerRecord(res.headers), url: url.toString(), bodyStart: await bodyStart(res.body) };
  } catch (err) {
    if (req.signal?.aborted) throw abortReason(req.signal) ?? err;
    if (signal.aborted) {
      const p = transport.via(start);
      throw new ToolsError('ENETWORK', `${redact(start)} did not answer within ${req.timeoutMs / 1000} s${p ? ` through proxy ${redact(p.url)}` : ''}`);
    }
    if (isToolsError(err)) throw err;
    throw transport.networkError(start, err);
  } finally {
    scope.dispose();
  }
}

/** The first PROBE_BYTES of a body, as text; the rest is not read. */
async function bodyStart(body: Readable): Promise<string> {
  // Listen for errors before stopping the rest.
  body.on('error', () => undefined);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    total += chunk.length;
    if (total >= PROBE_BYTES) break;
  }
  discard(body, 'destroy');
  return Buffer.concat(chunks).subarray(0, PROBE_BYTES).toString('utf8');
}
