// A real forward proxy on 127.0.0.1 (port 0), like the corporate ones: HTTP CONNECT tunnels for https://
// and absolute-form requests for http://. It logs every request, can demand Basic credentials (407
// otherwise), and only ever connects to loopback targets, so a test can never reach the outside world.
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxyLogEntry {
  /** `CONNECT` for tunnels, else the method of a forwarded http:// request. */
  method: string;
  /** `host:port` for CONNECT, the absolute URL otherwise. */
  target: string;
  /** The Proxy-Authorization header as received. */
  authorization: string | undefined;
  /** What the proxy answered: 200, 407, 403 (not loopback) or 502 (target unreachable). */
  status: number;
}

export interface ConnectProxyOptions {
  /** Demand these Basic credentials. */
  credentials?: { user: string; password: string };
}

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` (no credentials). */
  url: string;
  port: number;
  log: ProxyLogEntry[];
  /** The proxy URL with credentials, percent-encoded as users write them in HTTPS_PROXY. */
  urlWith(user: string, password: string): string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function splitHostPort(target: string): { host: string; port: number } | undefined {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(target);
  if (!m) return undefined;
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Duplex>();
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const authorised = (req: IncomingMessage): boolean => expected === undefined || req.headers['proxy-authorization'] === expected;
  const track = (s: Duplex): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };

  const server: Server = createServer((req, res) => {
    const entry: ProxyLogEntry = { method: req.method ?? '', target: req.url ?? '', authorization: req.headers['proxy-authorization'], status: 0 };
    log.push(entry);
    const answer = (status: number, text: string, headers: Record<string, string> = {}): void => {
      entry.status = status;
      res.writeHead(status, { 'content-type': 'text/plain', connection: 'close', ...headers }).end(text);
    };
    if (!authorised(req)) return answer(407, 'proxy authentication required\n', { 'proxy-authenticate': 'Basic realm="test"' });
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return answer(400, 'absolute URL expected\n');
    }
    if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) return answer(403, 'this test proxy only reaches loopback\n');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(url, { method: req.method, headers }, (up) => {
      entry.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => answer(502, 'target unreachable\n'));
    req.pipe(upstream);
  });

  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    const entry: ProxyLogEntry = { method: 'CONNECT', target: req.url ?? '', authorization: req.headers['proxy-authorization'], status: 0 };
    log.push(entry);
    const refuse = (status: number, reason: string, extra = ''): void => {
      entry.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!authorised(req)) return refuse(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="test"\r\n');
    const target = splitHostPort(req.url ?? '');
    if (!target || !LOOPBACK.has(target.host)) return refuse(403, 'Forbidden');
    const upstream: Socket = connect(target.port, target.host);
    track(upstream);
    upstream.once('error', () => {
      if (entry.status === 0) refuse(502, 'Bad Gateway');
      else client.destroy();
    });
    upstream.once('connect', () => {
      entry.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    urlWith: (user, password) => `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
