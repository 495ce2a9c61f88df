/** Linux release archives (bare tsh and tctl) through the real extractor: see lib/extract.ts. */
import { extractAndCheck } from '../lib/extract.js';

export async function fuzz(data: Buffer): Promise<void> {
  await extractAndCheck(data, 'linux', 'archive');
}
