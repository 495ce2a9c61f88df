/** `teleport-tools clean`: remove cached versions that are not selected. */
import type { CommandModule } from 'yargs';
import { acquireLock } from '../artifacts/lock.js';
import { listInstalled, pruneVersions } from '../tools/cache.js';
import { selectVersion } from '../tools/update.js';
import { readVersionFile } from '../tools/version-file.js';
import { ToolsError } from '../errors.js';
import { cliContext, handler, out } from './common.js';

export const cleanCommand: CommandModule = {
  command: 'clean',
  describe: 'Remove installed versions that are neither cloud-stable nor pinned',
  handler: handler(async () => {
    const { settings, reporter, signal } = await cliContext();
    const keep = [(await selectVersion(settings)).version, await readVersionFile(settings.versionFile)].filter((v): v is string => v !== undefined);
    const lock = await acquireLock(settings.cacheDir, { signal, onWait: () => reporter.info('Waiting for another teleport-tools process...') });
    if (!lock) throw new ToolsError('ELOCKED', `could not lock ${settings.cacheDir}`);
    try {
      const removed = await pruneVersions(settings.cacheDir, keep, 0);
      const left = await listInstalled(settings.cacheDir);
      out(removed.length ? `Removed ${removed.map((v) => `v${v}`).join(', ')}.` : 'Nothing to remove.');
      if (left.length) out(`Kept ${left.map((v) => `v${v.version}`).join(', ')} (in use).`);
    } finally {
      await lock.release();
    }
  }),
};
