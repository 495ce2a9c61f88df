// The launchers and the CLI behind a real forward proxy on loopback: HTTPS_PROXY (and https_proxy) is
// used for every request, loopback targets included; NO_PROXY is honoured; credentials in the proxy
// URL work and never show up in any output or file.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import type { ConnectProxy } from '../helpers/connect-proxy.js';
import { releaseCdnForFile } from '../helpers/file-cdn.js';
import { createSandbox } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';

const VERSION = '13.2.3';
const USER = 'alice';
const PASSWORD = 'pr0xy p@ss:word!';
/** Every spelling of the password that could leak: as typed, percent-encoded, and inside Basic auth. */
const SECRETS = [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];

const file = releaseCdnForFile('tt-proxy-', VERSION);

async function sandbox(): Promise<Sandbox> {
  const box = await createSandbox({ versionUrl: file.cdn.versionUrl, cdnBaseUrl: file.cdn.url });
  file.cleanups.push(() => box.remove());
  return box;
}

async function proxy(credentials?: { user: string; password: string }): Promise<ConnectProxy> {
  const p = await startConnectProxy({ credentials });
  file.cleanups.push(() => p.close());
  return p;
}

const cdnHostPort = (): string => new URL(file.cdn.url).host;

/** Requests the CDN received for `path` since `mark` (an index into file.cdn.requests). */
const since = (mark: number, path?: string): number => file.cdn.requests.slice(mark).filter((r) => !path || r.path === path).length;

function assertInstalledAndRan(r: RunResult): void {
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Teleport v${VERSION.replaceAll('.', '\\.')} `));
}

async function assertNothingLeft(box: Sandbox): Promise<void> {
  assert.deepEqual(await box.cacheEntries(), []);
  assert.equal(await box.hasVersionFile(), false);
}

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} shows the proxy password: ${text}`);
}

/** Every file under `dir`, as text (binaries included: a leak there counts too). */
async function allText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(
    entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'latin1')),
  );
  return texts.join('\n');
}

describe('HTTPS_PROXY', () => {
  it('carries every request of a first run, loopback targets included', async () => {
    const box = await sandbox();
    const p = await proxy();
    const mark = file.cdn.requests.length;
    const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: p.url });
    assertInstalledAndRan(r);
    assert.ok(p.log.length >= 1);
    for (const entry of p.log) assert.deepEqual([entry.method, entry.target, entry.status], ['CONNECT', cdnHostPort(), 200]);
    assert.equal(since(mark, '/v1/stable/cloud/client-version'), 1);
    assert.equal(since(mark, `/${file.release.archiveName}`), 1);
    assert.equal(r.stdout.split('\n').filter(Boolean).length, 1, 'only tsh writes to stdout');
  });

  it('is the only way out: a proxy that refuses everything means no request reaches the CDN', async () => {
    const box = await sandbox();
    const p = await proxy({ user: USER, password: PASSWORD }); // and we send no credentials
    const mark = file.cdn.requests.length;
    const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: p.url });
    assert.equal(r.code, 1);
    assert.equal(since(mark), 0, 'a request bypassed the proxy');
    assert.ok(p.log.length >= 1 && p.log.every((e) => e.status === 407));
    assert.match(r.stderr, new RegExp(`through proxy http://127\\.0\\.0\\.1:${p.port}/: the proxy answered HTTP 407`));
    assert.match(r.stderr, /put them in HTTPS_PROXY as http:\/\/user:password@host:port/);
    assert.equal(r.stdout, '');
    await assertNothingLeft(box);
  });

  it('lower-case https_proxy wins over HTTPS_PROXY, as in curl', async () => {
    const box = await sandbox();
    const p = await proxy();
    const r = await box.tool('tsh', ['version'], { https_proxy: p.url, HTTPS_PROXY: 'http://127.0.0.1:1' });
    assertInstalledAndRan(r);
    assert.ok(p.log.some((e) => e.method === 'CONNECT' && e.target === cdnHostPort()));
  });

  it('a value without a scheme means http://', async () => {
    const box = await sandbox();
    const p = await proxy();
    const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: `127.0.0.1:${p.port}` });
    assertInstalledAndRan(r);
    assert.ok(p.log.length >= 1);
  });

  it('a value that is not a URL: one warning naming the variable, never echoing it; nothing left behind', async () => {
    const box = await sandbox();
    const mark = file.cdn.requests.length;
    const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: `http://${USER}:${PASSWORD}@[proxy` });
    assert.equal(r.code, 1);
    assert.equal(since(mark), 0);
    assert.match(r.stderr, /^teleport-tools: warning: could not install the cloud-stable version: HTTPS_PROXY is not a valid proxy URL; expected http:\/\/\[user:password@\]host:port$/m);
    assertNoSecret(r.stderr, 'stderr');
    await assertNothingLeft(box);
  });

  it('teleport-tools update goes through it too', async () => {
    const box = await sandbox();
    const p = await proxy();
    const r = await box.cli(['update'], { HTTPS_PROXY: p.url });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Updated tsh/tctl to version v${VERSION}`));
    assert.ok(p.log.length >= 1 && p.log.every((e) => e.target === cdnHostPort() && e.status === 200));
  });

  it('a proxy that is down: one clear message naming the proxy and the variable, nothing left behind', async () => {
    const box = await sandbox();
    const p = await proxy();
    await p.close();
    const mark = file.cdn.requests.length;
    const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${p.port}` });
    assert.equal(r.code, 1);
    assert.equal(since(mark), 0);
    assert.match(r.stderr, new RegExp(`through proxy http://127\\.0\\.0\\.1:${p.port}/: connect ECONNREFUSED`));
    assert.match(r.stderr, /check the proxy in HTTPS_PROXY/);
    assertNoSecret(r.stderr, 'stderr');
    await assertNothingLeft(box);
  });
});

describe('NO_PROXY', () => {
  for (const [label, value] of [
    ['the host', '127.0.0.1'],
    ['the host and port', () => cdnHostPort()],
    ['one entry of a list, with spaces', 'example.com, 127.0.0.1 ,.corp'],
    ['*', '*'],
  ] as const) {
    it(`naming ${label} sends requests direct`, async () => {
      const box = await sandbox();
      const p = await proxy();
      const noProxy = typeof value === 'function' ? value() : value;
      const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: p.url, NO_PROXY: noProxy });
      assertInstalledAndRan(r);
      assert.deepEqual(p.log, []);
    });
  }

  it('naming other hosts (or another port) leaves the proxy in use', async () => {
    const box = await sandbox();
    const p = await proxy();
    const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: p.url, no_proxy: 'localhost,example.com,127.0.0.1:1' });
    assertInstalledAndRan(r);
    assert.ok(p.log.length >= 1);
  });
});

describe('proxy credentials', () => {
  it('are sent to the proxy and never printed or stored', async () => {
    const box = await sandbox();
    const p = await proxy({ user: USER, password: PASSWORD });
    const env = { HTTPS_PROXY: p.urlWith(USER, PASSWORD) };
    const first = await box.tool('tsh', ['version'], env);
    assertInstalledAndRan(first);
    assert.ok(p.log.length >= 1);
    for (const entry of p.log) {
      assert.equal(entry.status, 200);
      assert.equal(entry.authorization, `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    }
    const outputs: [string, RunResult][] = [
      ['tsh version', first],
      ['teleport-tools update', await box.cli(['update'], env)],
      ['teleport-tools status', await box.cli(['status'], env)],
      ['teleport-tools status --json', await box.cli(['status', '--json'], env)],
      ['teleport-tools config list', await box.cli(['config', 'list'], env)],
    ];
    for (const [what, r] of outputs) {
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assertNoSecret(r.stdout, `${what} stdout`);
      assertNoSecret(r.stderr, `${what} stderr`);
    }
    assertNoSecret(await allText(box.teleportHome), 'TELEPORT_HOME');
  });

  it('wrong ones: the message says the proxy refused them, without showing them; nothing left behind', async () => {
    const box = await sandbox();
    const p = await proxy({ user: USER, password: 'the right one' });
    const mark = file.cdn.requests.length;
    const r = await box.tool('tsh', ['version'], { HTTPS_PROXY: p.urlWith(USER, PASSWORD) });
    assert.equal(r.code, 1);
    assert.equal(since(mark), 0);
    assert.match(r.stderr, new RegExp(`cannot reach ${cdnHostPort().replaceAll('.', '\\.')} through proxy http://127\\.0\\.0\\.1:${p.port}/: the proxy answered HTTP 407 \\(the proxy refused the user name and password in HTTPS_PROXY\\)`));
    assertNoSecret(r.stderr, 'stderr');
    assert.ok(!r.stderr.includes(USER), 'the user name is part of the credentials too');
    assert.equal(r.stdout, '');
    await assertNothingLeft(box);
  });
});

describe('HTTP_PROXY', () => {
  it('carries plain http:// requests to loopback (undici tunnels them with CONNECT too)', async () => {
    const plain = await startCdn({ protocol: 'http', version: `v${VERSION}` });
    file.cleanups.push(() => plain.close());
    const box = await sandbox();
    const p = await proxy();
    const r = await box.tool('tsh', ['version'], { HTTP_PROXY: p.url, TELEPORT_TOOLS_VERSION_URL: plain.versionUrl, NO_PROXY: cdnHostPort() });
    assertInstalledAndRan(r);
    assert.deepEqual(p.log.map((e) => [e.method, e.target, e.status]), [['CONNECT', new URL(plain.url).host, 200]]);
    assert.equal(plain.count('/v1/stable/cloud/client-version'), 1);
  });
});
