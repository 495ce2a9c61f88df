/** What the HTTP client (http.ts) is configured with, asked for and answers. */
import type { Readable } from 'node:stream';
import type { ProxySettings } from './proxy-env.js';

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
