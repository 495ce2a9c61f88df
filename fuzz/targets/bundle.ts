/** macOS release archives (tsh.app and tctl.app bundles, or bare binaries) through the real extractor: see lib/extract.ts. */
import { extractAndCheck } from '../lib/extract.js';

export async function fuzz(data: Buffer): Promise<void> {
  await extractAndCheck(data, 'darwin', 'bundle');
}
