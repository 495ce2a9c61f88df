/**
 * A resumed download's headers: Content-Range parsed to safe integers with start <= end < total, or
 * nothing; the validator (strong ETag, else Last-Modified) is sent back as If-Range, so it must be a
 * value an HTTP client accepts in a header.
 */
import { validateHeaderValue } from 'node:http';
import { parseContentRange, validatorOf } from '../adapters/resume.js';
import { ByteReader } from '../lib/bytes.js';
import { check } from '../lib/check.js';

export function fuzz(data: Buffer): void {
  const r = new ByteReader(data);
  const contentRange = r.text(200);
  const range = parseContentRange(contentRange);
  if (range) {
    const { start, end, total } = range;
    check([start, end, total].every((n) => Number.isSafeInteger(n) && n >= 0), `unsafe numbers in ${JSON.stringify(range)}`);
    check(start <= end && end < total, `inconsistent range ${JSON.stringify(range)}`);
  }
  // What an HTTP parser lets through in a header value: tab, printable ASCII, obs-text.
  const value = () => r.text(200).replace(/[^\t\x20-\x7e\x80-\xff]/g, '');
  const headers: Record<string, string> = {};
  if (r.bool()) headers.etag = value();
  if (r.bool()) headers['last-modified'] = value();
  const validator = validatorOf(headers);
  if (validator === undefined) return;
  check(validator !== '' && validator === validator.trim(), `validator ${JSON.stringify(validator)}`);
  const etag = headers.etag?.trim();
  if (etag && !etag.startsWith('W/')) check(validator === etag, `a strong ETag ${JSON.stringify(etag)} is not the validator`);
  else check(validator === headers['last-modified']?.trim(), 'the validator is not Last-Modified, with no strong ETag');
  try {
    validateHeaderValue('if-range', validator);
  } catch {
    check(false, `validator ${JSON.stringify(validator)} cannot be sent as If-Range`);
  }
}
