/**
 * /webapi/find bodies: parsed or refused with EHTTP/EVERSION. A managed-updates version that is
 * accepted is a plain X.Y.Z (it becomes a path and a URL); strings stay strings.
 */
import { FIND_MAX_BYTES, isPlainVersion, parseFindAnswer, resolveEdition } from '../adapters/find.js';
import { check, parseOrRefuse } from '../lib/check.js';

export function fuzz(data: Buffer): void {
  const body = data.subarray(0, FIND_MAX_BYTES).toString('utf8');
  const answer = parseOrRefuse(() => parseFindAnswer(body, 'https://proxy.example.com:443/webapi/find'), ['EHTTP', 'EVERSION']);
  if (answer === undefined) return;
  const au = answer.autoUpdate;
  if (au?.toolsAutoUpdate) check(au.toolsVersion !== undefined && isPlainVersion(au.toolsVersion), `accepted tools_version ${JSON.stringify(au.toolsVersion)}`);
  for (const v of [answer.serverVersion, answer.edition, au?.toolsVersion]) check(v === undefined || typeof v === 'string', 'a field is neither a string nor absent');
  check(['oss', 'ent'].includes(resolveEdition('auto', answer.edition)), 'edition resolves to no build');
}
