// The extractors the download runs (extractEntries for tar.gz; saveZip then extractZip for Windows zips)
// with the layout the install asks of them (archiveLayout). Re-point here when they move.
export { extractEntries } from '../../src/artifacts/archive.js';
export type { Extracted, ExtractSpec } from '../../src/artifacts/archive.js';
export { extractZip, saveZip } from '../../src/artifacts/zip.js';
export { archiveLayout } from '../../src/artifacts/release.js';
