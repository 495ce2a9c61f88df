// proxyFor() must decide exactly as undici's EnvHttpProxyAgent does (the doctor reports with it, the
// agent routes with it); the end-to-end tests in proxy.test.ts check the agent itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseProxy, proxyFor, proxyInUse, redact } from '../../src/http.js';

const P = 'http://proxy.corp:3128';

test('HTTPS_PROXY for https, HTTP_PROXY for http (and for https when HTTPS_PROXY is unset)', () => {
  assert.equal(proxyFor('https://cdn.teleport.dev/x', { httpsProxy: P }), P);
  assert.equal(proxyFor('http://127.0.0.1:8080/x', { httpsProxy: P }), undefined);
  assert.equal(proxyFor('http://127.0.0.1:8080/x', { httpProxy: P }), P);
  assert.equal(proxyFor('https://cdn.teleport.dev/x', { httpProxy: P }), P);
  assert.deepEqual(proxyInUse('https://cdn.teleport.dev/x', { httpProxy: P }), { url: P, variable: 'HTTP_PROXY' });
  assert.deepEqual(proxyInUse('https://cdn.teleport.dev/x', { httpProxy: 'http://a:1', httpsProxy: P }), { url: P, variable: 'HTTPS_PROXY' });
  assert.equal(proxyFor('https://cdn.teleport.dev/x', {}), undefined);
});

test('loopback is proxied unless NO_PROXY names it', () => {
  assert.equal(proxyFor('https://127.0.0.1:4443/', { httpsProxy: P }), P);
  assert.equal(proxyFor('https://localhost:4443/', { httpsProxy: P, noProxy: '127.0.0.1' }), P);
  assert.equal(proxyFor('https://127.0.0.1:4443/', { httpsProxy: P, noProxy: '127.0.0.1' }), undefined);
  assert.equal(proxyFor('https://[::1]:4443/', { httpsProxy: P, noProxy: '[::1]' }), undefined);
});

test('NO_PROXY forms: host, suffix, .suffix, *.suffix, host:port, *, lists with commas or spaces', () => {
  const at = (url: string, noProxy: string) => proxyFor(url, { httpsProxy: P, noProxy });
  assert.equal(at('https://cdn.teleport.dev/', 'teleport.dev'), undefined);
  assert.equal(at('https://cdn.teleport.dev/', '.teleport.dev'), undefined);
  assert.equal(at('https://cdn.teleport.dev/', '*.teleport.dev'), undefined);
  assert.equal(at('https://cdn.teleport.dev/', 'CDN.Teleport.DEV'), undefined);
  assert.equal(at('https://cdn.teleport.dev/', 'eleport.dev'), P, 'a suffix matches whole labels only');
  assert.equal(at('https://cdn.teleport.dev/', 'cdn.teleport.dev:443'), undefined);
  assert.equal(at('https://cdn.teleport.dev/', 'cdn.teleport.dev:8443'), P);
  assert.equal(at('https://cdn.teleport.dev/', '*'), undefined);
  assert.equal(at('https://cdn.teleport.dev/', 'example.com  teleport.dev'), undefined);
  assert.equal(at('https://cdn.teleport.dev/', 'example.com,,internal'), P);
});

test('proxy values: a missing scheme means http://; junk is refused by variable name, never echoing credentials', () => {
  assert.equal(normaliseProxy('proxy.corp:3128', 'HTTPS_PROXY'), 'http://proxy.corp:3128');
  assert.equal(normaliseProxy('  ', 'HTTPS_PROXY'), undefined);
  assert.equal(redact(normaliseProxy('u:secret@proxy.corp:3128', 'HTTPS_PROXY') as string), 'http://proxy.corp:3128/');
  assert.throws(() => normaliseProxy('http://u:secret@[bad', 'HTTPS_PROXY'), (err: Error) => /^HTTPS_PROXY is not a valid proxy URL/.test(err.message) && !err.message.includes('secret'));
  assert.throws(() => normaliseProxy('ftp://u:secret@proxy:21', 'HTTP_PROXY'), (err: Error) => /^HTTP_PROXY is not a usable proxy URL \(ftp:\/\/proxy\/\)/.test(err.message) && !err.message.includes('secret'));
});
