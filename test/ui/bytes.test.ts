import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytePair, formatBytes } from '../../src/ui/bytes.js';

test('decimal: download sizes and speeds', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999.6), '1000 B');
  assert.equal(formatBytes(1000), '1.0 kB');
  assert.equal(formatBytes(123_400_000), '123.4 MB');
  assert.equal(formatBytePair(45_000_000, 100_000_000), '45.0/100.0 MB');
  assert.equal(formatBytePair(999, 1_500), '1.0/1.5 kB');
});

test('binary: disk space', () => {
  assert.equal(formatBytes(1023, 'binary'), '1023 bytes');
  assert.equal(formatBytes(1024, 'binary'), '1.0 KiB');
  assert.equal(formatBytes(432_328_704, 'binary'), '412.3 MiB');
  assert.equal(formatBytes(5 * 1024 ** 4, 'binary'), '5.0 TiB');
  assert.equal(formatBytes(5 * 1024 ** 5, 'binary'), '5120.0 TiB');
});

test('limit: exact whole GiB or MiB, else bytes', () => {
  assert.equal(formatBytes(1024 ** 3, 'limit'), '1 GiB');
  assert.equal(formatBytes(2 * 1024 ** 3, 'limit'), '2 GiB');
  assert.equal(formatBytes(64 * 1024 ** 2, 'limit'), '64 MiB');
  assert.equal(formatBytes(1024 ** 3 + 1024 ** 2, 'limit'), '1025 MiB');
  assert.equal(formatBytes(65_536, 'limit'), '65536 bytes');
});
