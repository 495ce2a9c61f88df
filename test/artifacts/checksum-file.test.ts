import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseChecksumFile } from '../../src/artifacts/checksum-file.js';
import { isToolsError } from '../../src/errors.js';

const NAME = 'teleport-v13.2.3-linux-amd64-bin.tar.gz';
const HEX = 'a3f1c0de'.repeat(8);
/** The complaint about a line of the wrong shape, as a pattern. */
const NOT_A_LINE = /is not "<64 hex> {2}<file name>"/;

function refused(text: string, expected: string | RegExp): void {
  assert.throws(() => parseChecksumFile(text, NAME), (err: unknown) => {
    assert.ok(isToolsError(err, 'ECHECKSUM'), String(err));
    if (typeof expected === 'string') assert.equal(err.message, expected);
    else assert.match(err.message, expected);
    return true;
  });
}

describe('checksum file', () => {
  test('reads the coreutils line', () => {
    assert.equal(parseChecksumFile(`${HEX}  ${NAME}\n`, NAME), HEX);
    assert.equal(parseChecksumFile(`${HEX}  ${NAME}`, NAME), HEX, 'no trailing newline');
    assert.equal(parseChecksumFile(`${HEX}  ${NAME}\r\n`, NAME), HEX, 'CRLF');
    assert.equal(parseChecksumFile(`${HEX} *${NAME}\n`, NAME), HEX, 'binary-mode marker');
  });

  test('upper-case hex is accepted and normalised to lower case', () => {
    assert.equal(parseChecksumFile(`${HEX.toUpperCase()}  ${NAME}\n`, NAME), HEX);
  });

  test('empty', () => {
    refused('', `checksum file for ${NAME} is not "<64 hex>  <file name>": ""`);
    refused('\n', `checksum file for ${NAME} is not "<64 hex>  <file name>": "\\n"`);
  });

  test('an HTML page says what it got, shortened', () => {
    const html = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>' + 'x'.repeat(500) + '</body></html>\n';
    refused(html, /^checksum file for teleport-v13\.2\.3-linux-amd64-bin\.tar\.gz must be one line, got 2 lines: "<!DOCTYPE html>\\n<html><head><title>Sign in<\/title>.*…"$/);
    refused('<html><body>Not Found</body></html>', `checksum file for ${NAME} is not "<64 hex>  <file name>": "<html><body>Not Found</body></html>"`);
  });

  test('a short or long digest', () => {
    refused(`${HEX.slice(0, 63)}  ${NAME}\n`, new RegExp(`${NOT_A_LINE.source}: "a3f1c0de`));
    refused(`${HEX}0  ${NAME}\n`, NOT_A_LINE);
    refused(`${HEX.slice(0, 32)}\n`, NOT_A_LINE);
  });

  test('a digest alone, without the file name', () => {
    refused(`${HEX}\n`, `checksum file for ${NAME} is not "<64 hex>  <file name>": "${HEX}\\n"`);
  });

  test('non-hex characters', () => {
    refused(`${HEX.slice(0, 63)}g  ${NAME}\n`, NOT_A_LINE);
  });

  test('extra lines, even a second valid one', () => {
    refused(`${HEX}  ${NAME}\n${HEX}  other.tar.gz\n`, /^checksum file for .* must be one line, got 2 lines: /);
    refused(`${HEX}  ${NAME}\n\nextra\n`, /must be one line, got 3 lines/);
  });

  test('the digest of another file', () => {
    refused(`${HEX}  teleport-v13.2.2-linux-amd64-bin.tar.gz\n`, `checksum file names "teleport-v13.2.2-linux-amd64-bin.tar.gz", expected ${NAME}`);
    refused(`${HEX}  ./${NAME}\n`, /^checksum file names "\.\/teleport-v13\.2\.3/);
  });

  test('one space, as Windows zips have it with CR LF (docs/behaviour.md item 22)', () => {
    const zip = 'teleport-v13.2.3-windows-amd64-bin.zip';
    assert.equal(parseChecksumFile(`${HEX} ${zip}\r\n`, zip), HEX);
    assert.equal(parseChecksumFile(`${HEX}  ${zip}\n`, zip), HEX);
    assert.equal(parseChecksumFile(`${HEX} ${NAME}\n`, NAME), HEX);
  });

  test('three spaces, or a tab', () => {
    refused(`${HEX}   ${NAME}\n`, NOT_A_LINE);
    refused(`${HEX}\t${NAME}\n`, NOT_A_LINE);
    refused(`${HEX} \t${NAME}\n`, NOT_A_LINE);
  });

  test('a .sha256 holding HTML, for a zip', () => {
    const zip = 'teleport-v13.2.3-windows-amd64-bin.zip';
    assert.throws(() => parseChecksumFile('<html><body>Access denied</body></html>\r\n', zip), (err: Error) => /^checksum file for teleport-v13\.2\.3-windows-amd64-bin\.zip is not "<64 hex> {2}<file name>": "<html>/.test(err.message));
  });
});
