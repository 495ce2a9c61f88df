/**
 * Which build of a version a need calls for, and whether an installed one serves it (docs/behaviour.md item
 * 14): an `ent` build also serves an `oss` need of the same version (it is a superset) and is never
 * replaced by the `oss` build; a FIPS need is served only by a FIPS build.
 */
import type { Edition } from './release.js';

export type EditionSetting = 'auto' | Edition;

/** `edition: auto` follows the cluster's `/webapi/find` answer: `ent` → ent, anything else → oss. */
export function resolveEdition(setting: EditionSetting, clusterEdition?: string): Edition {
  if (setting !== 'auto') return setting;
  return clusterEdition === 'ent' ? 'ent' : 'oss';
}

/** Does an installed build (its manifest's edition and archive name) serve this need? */
export function buildServes(installed: { edition: string; archive: string }, need: { edition: Edition; fips?: boolean | undefined }): boolean {
  const editionOk = installed.edition === need.edition || (need.edition === 'oss' && installed.edition === 'ent');
  const fipsOk = !need.fips || installed.archive.endsWith('-fips-bin.tar.gz');
  return editionOk && fipsOk;
}
