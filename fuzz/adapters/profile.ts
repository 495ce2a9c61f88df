// The TypeScript side of the call's profile and the selected version, as the launcher's planLaunch
// reads them (settings, current-profile, callProfile, selectVersion), and the tsh argument parser.
// Re-point these imports when the profile/proxy parsers move.
export { callProfile, readQuietly } from '../../src/tools/profile.js';
export { parseTshArgs } from '../../src/tools/tsh-args.js';
export { loadSettings } from '../../src/settings.js';
export { selectVersion } from '../../src/tools/update.js';
