// `insecure: true` on one request (cmc's ping of a self-signed cluster): that request skips certificate
// verification; every other request of the same client still verifies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PING_PATH, startCdn } from '../helpers/cdn-server.js';
import { rejectsWith, testClient } from '../artifacts/support.js';

test('insecure skips certificate checks for that request only', async (t) => {
  const cdn = await startCdn({ cert: 'other', ping: { server_version: '13.2.3' } });
  t.after(() => cdn.close());
  const http = testClient(t);
  const url = cdn.urlFor(PING_PATH);
  const req = { maxBytes: 4096, timeoutMs: 10_000 };
  await assert.rejects(http.getText(url, req), rejectsWith('ENETWORK', /^cannot reach 127\.0\.0\.1:\d+: .*(certificate|self.signed)/));
  assert.match(await http.getText(url, { ...req, insecure: true }), /"server_version":"13\.2\.3"/);
  await assert.rejects(http.getText(url, req), rejectsWith('ENETWORK', /certificate|self.signed/), 'the next request verifies again');
});
