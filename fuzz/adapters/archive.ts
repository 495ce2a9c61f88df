// The extractor the download runs (extractEntries) with the layout the install asks of it
// (archiveLayout). Re-point here when the download/archive functions split, and add the Windows zip
// extractor beside it when it lands.
export { extractEntries } from '../../src/artifacts/archive.js';
export type { Extracted, ExtractSpec } from '../../src/artifacts/archive.js';
export { archiveLayout } from '../../src/artifacts/release.js';
