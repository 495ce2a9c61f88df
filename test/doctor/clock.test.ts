import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockCheck, formatSkew, skewMs } from '../../src/doctor/clock.js';

test('skewMs: zero whenever the whole-second Date could have been stamped during the request', () => {
  const server = Date.parse('Tue, 01 Jul 2025 10:00:00 GMT');
  // Stamped between sent and answered, or in the same second (the header drops milliseconds).
  assert.equal(skewMs(server, server + 999, server + 1200), 0);
  assert.equal(skewMs(server, server - 300, server + 50), 0);
  assert.equal(skewMs(server, server + 1000, server + 1100), 0);
  // Local clock ahead: the server's second ended before we even sent.
  assert.equal(skewMs(server, server + 61_000, server + 61_500), 60_000);
  // Local clock behind: the server stamped a time after we got the answer.
  assert.equal(skewMs(server, server - 90_500, server - 90_000), -90_000);
});

test('formatSkew', () => {
  assert.equal(formatSkew(400), '0 s');
  assert.equal(formatSkew(-45_000), '45 s');
  assert.equal(formatSkew(600_000), '10 min 0 s');
  assert.equal(formatSkew(3_723_000), '1 h 2 min');
  assert.equal(formatSkew(5 * 86_400_000), '5 days');
});

test('clockCheck: the limit is a minute either way; a missing Date header is not a failure', () => {
  const date = 'Tue, 01 Jul 2025 10:00:00 GMT';
  const at = Date.parse(date);
  const sample = (offset: number) => ({ date, sent: at + offset, answered: at + offset + 100, server: 'example.com' });
  assert.equal(clockCheck(sample(61_000), 'linux').ok, true, '60 s ahead is still fine');
  const ahead = clockCheck(sample(62_000), 'linux');
  assert.equal(ahead.ok, false);
  assert.equal(ahead.detail, "this computer's clock is 1 min 1 s ahead of example.com (its Date header); logins fail beyond about 60 s");
  assert.equal(ahead.fix, 'turn on time synchronisation: sudo timedatectl set-ntp true');
  assert.match(clockCheck(sample(-3_600_000), 'darwin').fix ?? '', /System Settings/);
  assert.deepEqual(clockCheck({ date: undefined, sent: 0, answered: 1, server: 'x' }), { name: 'clock', ok: true, detail: 'skipped: x sent no usable Date header', fix: undefined });
});
