// A misbehaving CDN, end to end: every failure of the server holding v13.3.0 costs one warning line and
// a bounded wait (TELEPORT_TOOLS_HTTP_TIMEOUT=2 here), and the installed tsh runs. Module-level checks of
// the same failures: test/artifacts/download.test.ts, test/http/.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { BehaviourSetting, CdnOptions } from '../helpers/cdn-server.js';
import { release } from '../launcher/world.js';
import type { Scene } from './support.js';
import { SHORT_TIMEOUT, TIMEOUT, V2, assertFailedOpen, assertUpdated, baseline, escape, scene, updateWarning, updateWarningLike } from './support.js';

const SLOW_HINT = 'on a slow link, raise TELEPORT_TOOLS_HTTP_TIMEOUT';

/** A second server with V2 on it (plain http, or a certificate nobody here trusts), closed after the test. */
async function otherCdn(t: { after(fn: () => Promise<void>): void }, options: CdnOptions) {
  const other = await startCdn(options);
  other.serveRelease(await release(V2));
  t.after(() => other.close());
  return other;
}

describe('a misbehaving CDN through tsh login', { concurrency: true }, () => {
  /** Makes the archive path behave as given, runs tsh login, expects the warning. */
  async function failsWith(t: { after(fn: () => Promise<void>): void }, behaviour: BehaviourSetting, warning: (s: Scene) => string | RegExp, env: Record<string, string> = {}): Promise<Scene> {
    const s = await scene(t);
    s.w.cdn.behave(s.path, behaviour);
    const base = await baseline(s);
    await assertFailedOpen(s, base, await s.login(env), warning(s));
    return s;
  }

  test('hangs (no answer): given up after TELEPORT_TOOLS_HTTP_TIMEOUT, three tries', TIMEOUT, async (t) => {
    const s = await failsWith(t, { kind: 'hang' }, (x) => updateWarning(`cannot reach ${new URL(x.w.cdn.url).host}: no answer for 2 s (${SLOW_HINT})`), SHORT_TIMEOUT);
    assert.equal(s.w.cdn.count(s.path), 3);
  });

  test('trickles below any useful rate (100 B/s, never silent)', TIMEOUT, async (t) => {
    const { size } = await release(V2);
    await failsWith(t, { kind: 'slow', bytesPerSecond: 100, chunkSize: 10 },
      (x) => updateWarningLike(`download of ${escape(x.name)} was cut short after \\d+ of ${size} bytes: it arrived at \\d+ B/s over [\\d.]+ s, under 1 KiB/s \\(${escape(SLOW_HINT)}\\)`),
      SHORT_TIMEOUT);
  });

  test('500 forever: three tries, then given up', TIMEOUT, async (t) => {
    const s = await failsWith(t, { kind: 'status', status: 500 }, (x) => updateWarning(`${x.w.cdn.url}${x.path} answered HTTP 500 (3 attempts)`));
    assert.equal(s.w.cdn.count(s.path), 3);
  });

  test('429 with a Retry-After longer than a login should wait: given up at once', TIMEOUT, async (t) => {
    const s = await failsWith(t, { kind: 'status', status: 429, headers: { 'retry-after': '3600' } },
      (x) => updateWarning(`${x.w.cdn.url}${x.path} answered HTTP 429 and asks to retry in 3600 s; try again later`));
    assert.equal(s.w.cdn.count(s.path), 1);
  });

  test('429 with Retry-After: 1, once: waited for, then installed', TIMEOUT, async (t) => {
    const s = await scene(t);
    s.w.cdn.behave(s.path, { kind: 'status', status: 429, headers: { 'retry-after': '1' }, times: 1 });
    const base = await baseline(s);
    await assertUpdated(s, base, await s.login());
    assert.equal(s.w.cdn.count(s.path), 2);
  });

  test('redirect loop', TIMEOUT, async (t) => {
    const s = await scene(t);
    s.w.cdn.behave(s.path, { kind: 'redirect', location: s.path });
    const base = await baseline(s);
    await assertFailedOpen(s, base, await s.login(), updateWarning(`too many redirects (more than 5) starting at ${s.w.cdn.url}${s.path}`));
    assert.equal(s.w.cdn.count(s.path), 6, 'the first request and five redirects, no retries');
  });

  test('redirect from https to http', TIMEOUT, async (t) => {
    const s = await scene(t);
    const plain = await otherCdn(t, { protocol: 'http' });
    s.w.cdn.behave(s.path, { kind: 'redirect', location: `${plain.url}${s.path}` });
    const base = await baseline(s);
    await assertFailedOpen(s, base, await s.login(), updateWarning(`refusing redirect from https to http: ${s.w.cdn.url}${s.path} -> ${plain.url}${s.path}`));
    assert.equal(plain.requests.length, 0, 'nothing fetched over plain http');
  });

  test('TLS with a certificate from an untrusted CA', TIMEOUT, async (t) => {
    const s = await scene(t);
    const untrusted = await otherCdn(t, { cert: 'other' });
    const base = await baseline(s);
    const r = await s.login({ TELEPORT_CDN_BASE_URL: untrusted.url });
    const hint = 'if a proxy or private CA re-signs TLS traffic, point NODE_EXTRA_CA_CERTS at its CA certificate';
    await assertFailedOpen(s, base, r, updateWarning(`cannot reach ${new URL(untrusted.url).host}: unable to verify the first certificate (${hint})`));
    assert.equal(untrusted.requests.length, 0, 'no request got past the TLS handshake');
  });

  test('connection reset mid-body', TIMEOUT, async (t) => {
    const { size } = await release(V2);
    await failsWith(t, { kind: 'reset', after: 2000 }, (x) => updateWarningLike(`download of ${escape(x.name)} was cut short after \\d+ of ${size} bytes: (other side closed|read ECONNRESET)`));
  });
});
