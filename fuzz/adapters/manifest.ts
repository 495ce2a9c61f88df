// readManifest and every reader of what it returns. Re-point here when they move.
export { MANIFEST_NAME, hasBundles, manifestFileFor, readManifest } from '../../src/artifacts/manifest.js';
export { fileIntact, verifyInstalled, versionIntact } from '../../src/artifacts/verify.js';
export { matchingManifest as publishedManifest } from '../../src/artifacts/install.js';
export { installedManifest, listInstalled } from '../../src/tools/cache.js';
export { buildServes } from '../../src/artifacts/edition.js';
