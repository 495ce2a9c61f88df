/** Windows release zips (tsh.exe and tctl.exe) through saveZip and the real extractor: see lib/extract.ts. */
import { extractAndCheck } from '../lib/extract.js';

export async function fuzz(data: Buffer): Promise<void> {
  await extractAndCheck(data, 'windows', 'zip');
}
