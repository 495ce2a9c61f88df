import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { isToolsError } from '../../src/errors.js';
import { checkUrl, isLoopbackHost, redact } from '../../src/http.js';
import { childEnv, rejectsWith, testClient } from '../artifacts/support.js';
import { startCdn } from '../helpers/cdn-server.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';

const TEXT = { maxBytes: 256, timeoutMs: 20_000 };


describe('URL policy', () => {
  test('https anywhere, http only for loopback hosts', () => {
    for (const url of ['https://cdn.teleport.dev/x', 'http://localhost:8080/x', 'http://127.0.0.1/x', 'http://127.9.8.7:1/x', 'http://[::1]:3000/x']) {
      assert.equal(checkUrl(url).toString(), new URL(url).toString(), url);
    }
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '[::1]', '::1']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['example.com', '128.0.0.1', '10.0.0.1', 'localhost.example.com', '127.0.0.1.nip.io', '[::2]']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  test('plain http to another host is refused before any request', () => {
    assert.throws(() => checkUrl('http://cdn.teleport.dev/x'), rejectsWith('EHTTP', 'refusing plain http:// for http://cdn.teleport.dev/x: use https:// (http is allowed only for localhost)'));
    assert.throws(() => checkUrl('ftp://cdn.teleport.dev/x'), rejectsWith('EHTTP', 'URL must be an https:// URL, got ftp://cdn.teleport.dev/x'));
    assert.throws(() => checkUrl('cdn.teleport.dev/x', 'cdn_base_url'), rejectsWith('EHTTP', 'cdn_base_url is not a valid URL: "cdn.teleport.dev/x"'));
  });

  test('credentials in URLs are never printed', () => {
    assert.equal(redact('https://user:secret@proxy.corp:3128/'), 'https://proxy.corp:3128/');
    assert.throws(() => checkUrl('http://user:secret@cdn.example/x'), (err: unknown) => isToolsError(err, 'EHTTP') && !err.message.includes('secret'));
  });

  test('plain http works against loopback', async (t) => {
    const cdn = await startCdn({ protocol: 'http', version: 'v13.2.3' });
    t.after(() => cdn.close());
    assert.equal(await testClient(t).getText(cdn.versionUrl, TEXT), 'v13.2.3');
  });
});

describe('redirects', () => {
  test('five redirects are followed, relative and absolute', async (t) => {
    const cdn = await startCdn({ version: 'v13.2.3' });
    t.after(() => cdn.close());
    for (let i = 1; i <= 5; i++) {
      const next = i === 5 ? cdn.versionUrl : i % 2 ? `/hop${i + 1}` : cdn.urlFor(`/hop${i + 1}`);
      cdn.behave(`/hop${i}`, { kind: 'redirect', location: next, status: [301, 302, 303, 307, 308][i - 1] });
    }
    const stream = await testClient(t).getStream(cdn.urlFor('/hop1'));
    stream.body.resume();
    assert.equal(stream.url, cdn.versionUrl, 'the final URL is reported');
    assert.equal(stream.size, 'v13.2.3'.length);
  });

  test('a sixth redirect is refused', async (t) => {
    const cdn = await startCdn({ version: 'v13.2.3' });
    t.after(() => cdn.close());
    for (let i = 1; i <= 6; i++) cdn.behave(`/hop${i}`, { kind: 'redirect', location: i === 6 ? cdn.versionUrl : `/hop${i + 1}` });
    await assert.rejects(testClient(t).getText(cdn.urlFor('/hop1'), TEXT), rejectsWith('EHTTP', `too many redirects (more than 5) starting at ${cdn.urlFor('/hop1')}`));
    assert.equal(cdn.count(new URL(cdn.versionUrl).pathname), 0);
  });

  test('a redirect loop ends after five hops, without retries', async (t) => {
    const cdn = await startCdn();
    t.after(() => cdn.close());
    cdn.behave('/loop', { kind: 'redirect', location: '/loop' });
    await assert.rejects(testClient(t).getText(cdn.urlFor('/loop'), TEXT), rejectsWith('EHTTP', /^too many redirects \(more than 5\)/));
    assert.equal(cdn.count('/loop'), 6);
  });

  test('https never redirects to http, even on loopback', async (t) => {
    const cdn = await startCdn();
    const plain = await startCdn({ protocol: 'http', version: 'v13.2.3' });
    t.after(() => Promise.all([cdn.close(), plain.close()]));
    cdn.behave('/down', { kind: 'redirect', location: plain.versionUrl });
    await assert.rejects(testClient(t).getText(cdn.urlFor('/down'), TEXT),
      rejectsWith('EHTTP', `refusing redirect from https to http: ${cdn.urlFor('/down')} -> ${plain.versionUrl}`));
    assert.equal(plain.requests.length, 0, 'the http server was never asked');
  });

  test('a redirect without Location is an error', async (t) => {
    const cdn = await startCdn();
    t.after(() => cdn.close());
    cdn.behave('/nowhere', { kind: 'status', status: 302 });
    await assert.rejects(testClient(t).getText(cdn.urlFor('/nowhere'), TEXT), rejectsWith('EHTTP', `${cdn.urlFor('/nowhere')} answered 302 without a Location`));
  });
});

describe('TLS trust', () => {
  test('an untrusted certificate fails at once with the NODE_EXTRA_CA_CERTS hint', async (t) => {
    const cdn = await startCdn({ cert: 'other', version: 'v13.2.3' });
    t.after(() => cdn.close());
    await assert.rejects(testClient(t).getText(cdn.versionUrl, TEXT),
      rejectsWith('ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: .*certificate.* \(if a proxy or private CA re-signs TLS traffic, point NODE_EXTRA_CA_CERTS at its CA certificate\)$/));
    assert.equal(cdn.requests.length, 0);
  });

  test('NODE_EXTRA_CA_CERTS makes a private CA trusted (no CA option)', async (t) => {
    const cdn = await startCdn({ version: 'v13.2.3' });
    t.after(() => cdn.close());
    const http = new URL('../../src/http.js', import.meta.url).href;
    const script = `
      import { createHttpClient } from ${JSON.stringify(http)};
      const c = createHttpClient({ proxy: {}, connectTimeoutMs: 10000, idleTimeoutMs: 20000, attempts: 1, backoffMs: 1, maxRetryAfterMs: 1, userAgent: 't' });
      try { process.stdout.write(await c.getText(process.argv[1], { maxBytes: 64, timeoutMs: 20000 })); }
      catch (e) { process.stdout.write(e.code); } finally { await c.close(); }`;
    const run = (env: Record<string, string | undefined>) =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, cdn.versionUrl], { env: childEnv(env) });
    assert.equal((await run({})).stdout, 'v13.2.3');
    assert.equal((await run({ NODE_EXTRA_CA_CERTS: undefined })).stdout, 'ENETWORK');
  });
});

describe('the client for small documents', () => {
  test('insecure skips certificate checks for that request only, direct and through a proxy', async (t) => {
    const cdn = await startCdn({ cert: 'other', version: 'v13.2.3' });
    const proxy = await startConnectProxy();
    t.after(() => Promise.all([cdn.close(), proxy.close()]));
    for (const http of [testClient(t), testClient(t, { proxy: { httpsProxy: proxy.url } })]) {
      assert.equal(await http.getText(cdn.versionUrl, { ...TEXT, insecure: true }), 'v13.2.3');
      await assert.rejects(http.getText(cdn.versionUrl, TEXT), rejectsWith('ENETWORK', /certificate/));
    }
    assert.equal(proxy.log.length, 2, 'the proxied client went through the proxy both times');
  });

  test('without a proxy, neither a small document nor an archive stream loads undici; a proxied one does', async (t) => {
    const cdn = await startCdn({ version: 'v13.2.3' });
    cdn.serve('/archive.bin', Buffer.alloc(300_000, 7));
    cdn.resumable('/archive.bin');
    const proxy = await startConnectProxy();
    t.after(() => Promise.all([cdn.close(), proxy.close()]));
    const http = new URL('../../src/http.js', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      import { createHttpClient } from ${JSON.stringify(http)};
      const c = createHttpClient({ proxy: { httpsProxy: process.argv[2] }, connectTimeoutMs: 10000, idleTimeoutMs: 20000, attempts: 1, backoffMs: 1, maxRetryAfterMs: 1, userAgent: 't' });
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/undici/'));
      const text = await c.getText(process.argv[1], { maxBytes: 64, timeoutMs: 20000 });
      const afterText = loaded();
      const s = await c.getStream(process.argv[3], { headers: { range: 'bytes=100000-' } });
      let bytes = 0;
      for await (const chunk of s.body) bytes += chunk.length;
      process.stdout.write([text, afterText, s.status, s.headers['content-range'], bytes, loaded()].join(' '));
      await c.close();`;
    const run = (proxyUrl: string) =>
      promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, cdn.versionUrl, proxyUrl, `${cdn.url}/archive.bin`], { env: childEnv() });
    assert.equal((await run('')).stdout, 'v13.2.3 false 206 bytes 100000-299999/300000 200000 false');
    assert.equal((await run(proxy.url)).stdout, 'v13.2.3 true 206 bytes 100000-299999/300000 200000 true');
    assert.equal(proxy.log.length, 2);
  });
});

describe('proxies', () => {
  test('HTTPS_PROXY carries https requests through CONNECT, loopback included', async (t) => {
    const cdn = await startCdn({ version: 'v13.2.3' });
    const proxy = await startConnectProxy();
    t.after(() => Promise.all([cdn.close(), proxy.close()]));
    const http = testClient(t, { proxy: { httpsProxy: proxy.url } });
    assert.equal(await http.getText(cdn.versionUrl, TEXT), 'v13.2.3');
    assert.deepEqual(proxy.log.map((e) => [e.method, e.target, e.status]), [['CONNECT', new URL(cdn.url).host, 200]]);
  });

  test('NO_PROXY naming the host goes direct', async (t) => {
    const cdn = await startCdn({ version: 'v13.2.3' });
    const proxy = await startConnectProxy();
    t.after(() => Promise.all([cdn.close(), proxy.close()]));
    for (const noProxy of ['127.0.0.1', `example.com, 127.0.0.1:${new URL(cdn.url).port}`, '*']) {
      const http = testClient(t, { proxy: { httpsProxy: proxy.url, noProxy } });
      assert.equal(await http.getText(cdn.versionUrl, TEXT), 'v13.2.3', noProxy);
    }
    assert.deepEqual(proxy.log, []);
  });

  test('HTTP_PROXY carries plain http requests', async (t) => {
    const cdn = await startCdn({ protocol: 'http', version: 'v13.2.3' });
    const proxy = await startConnectProxy();
    t.after(() => Promise.all([cdn.close(), proxy.close()]));
    assert.equal(await testClient(t, { proxy: { httpProxy: proxy.url } }).getText(cdn.versionUrl, TEXT), 'v13.2.3');
    assert.equal(proxy.log.length, 1);
  });

  test('proxy credentials work and are never printed', async (t) => {
    const cdn = await startCdn({ version: 'v13.2.3' });
    const proxy = await startConnectProxy({ credentials: { user: 'alice', password: 's3cr/et' } });
    t.after(() => Promise.all([cdn.close(), proxy.close()]));
    const good = testClient(t, { proxy: { httpsProxy: proxy.urlWith('alice', 's3cr/et') } });
    assert.equal(await good.getText(cdn.versionUrl, TEXT), 'v13.2.3');
    const bad = testClient(t, { proxy: { httpsProxy: proxy.urlWith('alice', 'wrong-pass') } });
    await assert.rejects(bad.getText(cdn.versionUrl, TEXT), (err: unknown) => {
      assert.ok(isToolsError(err, 'ENETWORK'), String(err));
      assert.match(err.message, /407/);
      assert.ok(!err.message.includes('wrong-pass') && !err.message.includes('alice:'), err.message);
      return true;
    });
  });
});
