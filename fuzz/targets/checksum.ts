/**
 * `<archive>.sha256` bodies: parsed to a digest or refused with ECHECKSUM. A digest is 64 lower-case
 * hex digits (what the streaming SHA-256 is compared with), taken from a line naming the archive.
 */
import { CHECKSUM_MAX_BYTES, parseChecksumFile } from '../adapters/checksum.js';
import { check, parseOrRefuse } from '../lib/check.js';

const NAME = 'teleport-v17.0.1-linux-amd64-bin.tar.gz';

export function fuzz(data: Buffer): void {
  const text = data.subarray(0, CHECKSUM_MAX_BYTES).toString('utf8');
  const digest = parseOrRefuse(() => parseChecksumFile(text, NAME), ['ECHECKSUM']);
  if (digest === undefined) return;
  check(/^[0-9a-f]{64}$/.test(digest), `accepted digest is not 64 lower-case hex digits: ${JSON.stringify(digest)}`);
  check(text.toLowerCase().includes(digest), 'accepted digest is not in the file');
  check(text.includes(NAME), 'accepted a file that does not name the archive');
}
