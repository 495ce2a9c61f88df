/**
 * `<archive>.sha256`: one coreutils line, `<64 hex>  <file name>`. We accept exactly that (a `*`
 * binary marker, upper-case hex and a trailing newline allowed; one space and CR LF, as Windows zips'
 * files have them) and require the name to be the archive's own.
 */
import { ToolsError } from '../errors.js';

export const CHECKSUM_MAX_BYTES = 4096;

export function parseChecksumFile(text: string, expectedName: string): string {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  if (lines.length !== 1) {
    throw new ToolsError('ECHECKSUM', `checksum file for ${expectedName} must be one line, got ${lines.length} lines: ${shown}`);
  }
  const match = /^([0-9a-fA-F]{64}) [ *]?(\S+)$/.exec(lines[0] ?? '');
  if (!match) {
    throw new ToolsError('ECHECKSUM', `checksum file for ${expectedName} is not "<64 hex>  <file name>": ${shown}`);
  }
  const [, hex, name] = match;
  if (name !== expectedName) {
    throw new ToolsError('ECHECKSUM', `checksum file names ${JSON.stringify(name)}, expected ${expectedName}`);
  }
  return (hex as string).toLowerCase();
}
