import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, test } from 'node:test';
import { parseRetryAfter } from '../../src/http.js';
import { rejectsWith, testClient } from '../artifacts/support.js';
import { VERSION_PATH, startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';

const TEXT = { maxBytes: 256, timeoutMs: 20_000 };


async function cdnFor(t: { after(fn: () => unknown): void }): Promise<CdnServer> {
  const cdn = await startCdn({ version: 'v13.2.3' });
  t.after(() => cdn.close());
  return cdn;
}

describe('timeouts', { concurrency: true }, () => {
  test('a server that never answers: idle timeout, retried, then ENETWORK', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'hang' });
    const http = testClient(t, { idleTimeoutMs: 200 });
    await assert.rejects(http.getText(cdn.versionUrl, TEXT), rejectsWith('ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: no answer for 0\.2 s \(on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT\)$/));
    assert.equal(cdn.count(VERSION_PATH), 3, 'three attempts');
  });

  test('headers, then silence: the body idle timeout, retried, then ENETWORK', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'hangBody' });
    const http = testClient(t, { idleTimeoutMs: 200 });
    await assert.rejects(http.getText(cdn.versionUrl, TEXT), rejectsWith('ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: the server stopped sending for 0\.2 s \(on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT\)$/));
    assert.equal(cdn.count(VERSION_PATH), 3);
  });

  test('a slow trickle of a small document hits the total limit', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'slow', bytesPerSecond: 2, chunkSize: 1 });
    await assert.rejects(testClient(t).getText(cdn.versionUrl, { ...TEXT, timeoutMs: 1000 }),
      rejectsWith('ENETWORK', `${cdn.versionUrl} did not answer within 1 s`));
  });

  test('a slow but steady small document within the limit is fine', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'slow', bytesPerSecond: 100, chunkSize: 1 });
    assert.equal(await testClient(t, { idleTimeoutMs: 5000 }).getText(cdn.versionUrl, TEXT), 'v13.2.3');
  });

  test('a server that accepts but never completes TLS: the connect timeout, retried, then ENETWORK', async (t) => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => {
      silent.close(resolve);
      for (const socket of sockets) socket.destroy();
    }));
    const { port } = silent.address() as AddressInfo;
    await assert.rejects(testClient(t, { connectTimeoutMs: 200 }).getText(`https://127.0.0.1:${port}/v`, TEXT),
      rejectsWith('ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: Connect Timeout Error/));
    assert.equal(sockets.length, 3, 'three attempts');
  });

  test('nothing listening: connection refused, retried, then ENETWORK', async (t) => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(testClient(t).getText(`https://127.0.0.1:${port}/v`, TEXT), rejectsWith('ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: connect ECONNREFUSED/));
  });

  test('cancelling while the server hangs is ECANCELLED', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'hang' });
    const cancel = new AbortController();
    const pending = testClient(t).getText(cdn.versionUrl, { ...TEXT, signal: cancel.signal });
    await cdn.waitForRequests(VERSION_PATH);
    cancel.abort();
    await assert.rejects(pending, rejectsWith('ECANCELLED', 'cancelled'));
  });
});

describe('retries', () => {
  test('500 forever: three attempts, then EHTTP saying so', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'status', status: 500 });
    await assert.rejects(testClient(t).getText(cdn.versionUrl, TEXT), rejectsWith('EHTTP', `${cdn.versionUrl} answered HTTP 500 (3 attempts)`));
    assert.equal(cdn.count(VERSION_PATH), 3);
  });

  test('500 then success', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'status', status: 503, times: 2 });
    assert.equal(await testClient(t).getText(cdn.versionUrl, TEXT), 'v13.2.3');
    assert.equal(cdn.count(VERSION_PATH), 3);
  });

  test('429 with Retry-After: waits that long, then succeeds', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'status', status: 429, headers: { 'retry-after': '1' }, times: 1 });
    assert.equal(await testClient(t).getText(cdn.versionUrl, TEXT), 'v13.2.3');
    const [first, second] = cdn.requests.filter((r) => r.path === VERSION_PATH);
    assert.ok(first && second);
    assert.ok(second.time - first.time >= 990, `retried after ${second.time - first.time} ms, not before the second Retry-After asked for`);
  });

  test('a Retry-After longer than we will wait fails at once', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'status', status: 503, headers: { 'retry-after': '120' } });
    await assert.rejects(testClient(t).getText(cdn.versionUrl, TEXT),
      rejectsWith('EHTTP', `${cdn.versionUrl} answered HTTP 503 and asks to retry in 120 s; try again later`));
    assert.equal(cdn.count(VERSION_PATH), 1);
  });

  test('4xx is not retried', async (t) => {
    const cdn = await cdnFor(t);
    await assert.rejects(testClient(t).getText(cdn.urlFor('/missing'), TEXT), rejectsWith('EHTTP', `${cdn.urlFor('/missing')} answered HTTP 404`));
    cdn.behave(VERSION_PATH, { kind: 'status', status: 403 });
    await assert.rejects(testClient(t).getText(cdn.versionUrl, TEXT), rejectsWith('EHTTP', `${cdn.versionUrl} answered HTTP 403`));
    assert.equal(cdn.count('/missing') + cdn.count(VERSION_PATH), 2);
  });

  test('a connection reset mid-body of a small document is retried', async (t) => {
    const cdn = await cdnFor(t);
    cdn.serve('/doc', 'x'.repeat(200));
    cdn.behave('/doc', { kind: 'reset', after: 100, times: 1 });
    assert.equal(await testClient(t).getText(cdn.urlFor('/doc'), TEXT), 'x'.repeat(200));
    assert.equal(cdn.count('/doc'), 2);
  });

  test('a truncated small document is retried, and fails as ENETWORK when it stays truncated', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'truncate', after: 3, times: 1 });
    assert.equal(await testClient(t).getText(cdn.versionUrl, TEXT), 'v13.2.3');
    cdn.behave(VERSION_PATH, { kind: 'truncate', after: 3 });
    await assert.rejects(testClient(t).getText(cdn.versionUrl, TEXT), rejectsWith('ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: /));
    assert.equal(cdn.count(VERSION_PATH), 2 + 3);
  });
});

describe('size caps', () => {
  test('a declared oversize document is refused without reading it', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'oversize', declareLength: true });
    await assert.rejects(testClient(t).getText(cdn.versionUrl, TEXT),
      rejectsWith('EHTTP', `${cdn.versionUrl} sent ${7 + (1 << 20)} bytes; at most 256 expected`));
    assert.equal(cdn.count(VERSION_PATH), 1, 'not retried');
  });

  test('an undeclared (chunked) oversize document is cut off at the cap', async (t) => {
    const cdn = await cdnFor(t);
    cdn.behave(VERSION_PATH, { kind: 'oversize' });
    await assert.rejects(testClient(t).getText(cdn.versionUrl, TEXT), rejectsWith('EHTTP', `${cdn.versionUrl} sent more than 256 bytes; at most 256 expected`));
    assert.equal(cdn.count(VERSION_PATH), 1);
  });

  test('exactly the cap is fine', async (t) => {
    const cdn = await cdnFor(t);
    cdn.serve('/doc', 'y'.repeat(256));
    assert.equal((await testClient(t).getText(cdn.urlFor('/doc'), TEXT)).length, 256);
  });
});

describe('Retry-After', () => {
  test('seconds or an HTTP date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('Sun, 31 Dec 2023 23:00:00 GMT', now), 0, 'a date in the past: now');
    assert.equal(parseRetryAfter(['7', '9'], now), 7000);
    assert.equal(parseRetryAfter(undefined, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });
});
