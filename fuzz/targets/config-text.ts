/**
 * tools.yaml, differential: whenever the strict subset reader (config-text.ts) accepts a text, the
 * yaml package parses it to the same value. The file reader built on both refuses with ECONFIG (one
 * line) or returns the checked settings.
 */
import { isDeepStrictEqual } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseSimpleConfig, readConfigFile } from '../adapters/config-text.js';
import { check, expectRefusal } from '../lib/check.js';
import { reusedDir } from '../lib/scratch.js';

export async function fuzz(data: Buffer): Promise<void> {
  const text = data.toString('utf8');
  const ours = parseSimpleConfig(text);
  if (ours !== undefined) {
    let theirs: unknown;
    try {
      theirs = parse(text) ?? {};
    } catch (err) {
      check(false, `config-text accepted what yaml refuses (${(err as Error).message.split('\n')[0]})`);
    }
    check(isDeepStrictEqual(ours, theirs), `config-text read ${JSON.stringify(ours)}, yaml ${JSON.stringify(theirs)}`);
  }
  const file = join(reusedDir('config'), 'tools.yaml');
  writeFileSync(file, data);
  await readConfigFile(file).catch((err: unknown) => expectRefusal(err, ['ECONFIG']));
}
