// tools.yaml: the strict subset reader and the file reader that falls back to the yaml package.
// Re-point here when they move.
export { parseSimpleConfig } from '../../src/config-text.js';
export { readConfigFile } from '../../src/config.js';
