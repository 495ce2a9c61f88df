// The TypeScript side of the call's profile and the selected version, as the launcher's planLaunch
// reads them (settings, current-profile, readCall, selectVersion). Re-point these imports when they move.
export { readCall } from '../../src/tools/profile.js';
export { readQuietly } from '../../src/tools/record-line.js';
export { loadSettings } from '../../src/settings.js';
export { selectVersion } from '../../src/tools/update.js';
