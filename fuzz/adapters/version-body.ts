// The version-endpoint body parser (fetchCloudStableVersion, doctor) and what later steps apply to
// its answer. Re-point here when they move.
export { compareVersions, isPlainVersion, majorOf, parseVersionBody, requirePlainVersion } from '../../src/version.js';
export { archiveName } from '../../src/artifacts/release.js';
