// The checksum-file parser the download calls (fetchExpectedDigest). Re-point here when it moves.
export { CHECKSUM_MAX_BYTES, parseChecksumFile } from '../../src/artifacts/checksum-file.js';
