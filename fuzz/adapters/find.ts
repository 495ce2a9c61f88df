// The /webapi/find answer parser (fetchFind) and what the login check does with its fields.
// Re-point here when they move.
export { FIND_MAX_BYTES, parseFindAnswer } from '../../src/tools/find.js';
export { isPlainVersion } from '../../src/version.js';
export { resolveEdition } from '../../src/artifacts/edition.js';
