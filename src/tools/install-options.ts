/**
 * What an install is asked to do besides installing: shared by installTools (update.ts) and the
 * install child it may hand the work to (install-process.ts), so neither imports the other.
 */
import type { BuildNeed } from './edition.js';

export interface InstallToolsOptions {
  /** Record the version in cloud-stable-version once installed. */
  record: boolean;
  /** The installed version is damaged: install it again unless, under the lock, it checks out. */
  repair?: boolean;
  /** Record it as this profile's cluster version once installed. */
  profile?: string | undefined;
  /** Which build (default: the settings'; `edition: auto` without a cluster answer is oss). */
  need?: BuildNeed | undefined;
}
