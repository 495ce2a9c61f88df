/** `teleport-tools clean`: remove cached versions that are not selected. */
import type { CommandModule } from 'yargs';
import { acquireLock } from '../artifacts/lock.js';
import { listInstalled, pruneVersions } from '../tools/cache.js';
import { keptVersions } from '../tools/update.js';
import { ToolsError } from '../errors.js';
import { cliContext, handler, out } from './common.js';

export const cleanCommand: CommandModule = {
  command: 'clean',
  describe: 'Remove installed versions that are not in use (cloud-stable, a cluster\'s recorded version, or pinned)',
  handler: handler(async () => {
    const { settings, reporter, signal } = await cliContext();
    const lock = await acquireLock(settings.cacheDir, { signal, onWait: () => reporter.info('Waiting for another teleport-tools process...') });
    if (!lock) throw new ToolsError('ELOCKED', `could not lock ${settings.cacheDir}`);
    try {
      // Decided under the lock: a version adopted while we waited is kept (docs/behaviour.md item 30).
      const keep = await keptVersions(settings);
      const removed = await pruneVersions(settings.cacheDir, keep, 0);
      const left = await listInstalled(settings.cacheDir);
      // Not kept yet still there: a file in it is in use (Windows refuses to rename a running tsh.exe).
      const stuck = left.filter((v) => !keep.includes(v.version));
      const kept = left.filter((v) => keep.includes(v.version));
      out(removed.length ? `Removed ${removed.map((v) => `v${v}`).join(', ')}.` : stuck.length ? 'Removed nothing.' : 'Nothing to remove.');
      if (stuck.length) out(`Could not remove ${stuck.map((v) => `v${v.version}`).join(', ')}: a file in it is in use (a running tsh or tctl?); run 'teleport-tools clean' again once it has exited.`);
      if (kept.length) out(`Kept ${kept.map((v) => `v${v.version}`).join(', ')} (in use).`);
    } finally {
      await lock.release();
    }
  }),
};
