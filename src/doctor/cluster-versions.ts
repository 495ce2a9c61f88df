/**
 * The `cluster-versions/<profile>` records: each one is listed, and one that the launchers cannot use
 * (it names a version that is not installed, or is not a plain version file) fails with the fix.
 */
import type { Settings } from '../settings.js';
import { isInstalled } from '../tools/cache.js';
import { clusterVersionsDir, listRecords } from '../tools/cluster-versions.js';
import { profileProxyAddress } from '../tools/find.js';
import { unsafeReason } from '../trust.js';
import type { Check } from './check.js';
import { failed, passed, shellQuote } from './check.js';

const NAME = 'cluster-versions';

export async function checkClusterVersions(settings: Settings): Promise<Check> {
  const dir = clusterVersionsDir(settings.home);
  const unsafe = unsafeReason(dir);
  if (unsafe) {
    const fix = unsafe.kind === 'mode' ? `chmod go-w ${shellQuote(dir)}` : `rm -r ${shellQuote(dir)} (the next tsh login records each cluster's version again)`;
    return failed(NAME, `${dir} ${unsafe.problem}, so the launchers ignore the records in it`, fix);
  }
  const records = await listRecords(settings.home);
  if (records.length === 0) return passed(NAME, `no cluster asks for a version of its own (${clusterVersionsDir(settings.home)} is empty)`);
  const listed: string[] = [];
  for (const r of records) {
    if (r.state.kind === 'bad') {
      return failed(NAME, `${r.file} ${r.state.why}, so the launchers ignore it`, `rm ${shellQuote(r.file)} && tsh login --proxy=${r.profile}`);
    }
    if (r.state.kind !== 'ok') continue;
    const version = r.state.version;
    if (!(await isInstalled(settings.cacheDir, version))) {
      return failed(
        NAME,
        `${r.profile} asks for v${version} (${r.file}), which is not installed`,
        `teleport-tools update --proxy ${await profileProxyAddress(settings.home, r.profile)}`,
      );
    }
    listed.push(`${r.profile}: v${version}`);
  }
  return passed(NAME, listed.join(', '));
}
