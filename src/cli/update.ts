/** `teleport-tools update [--version X.Y.Z]`: the login refresh, on demand. */
import type { CommandModule } from 'yargs';
import { ToolsError } from '../errors.js';
import { requirePlainVersion } from '../version.js';
import { createToolsContext } from '../tools/context.js';
import { adoptVersion, fetchCloudStableVersion } from '../tools/update.js';
import { cliContext, handler } from './common.js';

interface Args {
  version?: string | undefined;
}

export const updateCommand: CommandModule<object, Args> = {
  command: 'update',
  describe: 'Install the cloud-stable version now (or --version X.Y.Z) and make it the one tsh and tctl run',
  // --version here is the version to install, not the global --version flag.
  builder: (y) => y.version(false).option('version', { type: 'string', describe: 'Install and select exactly this version' }),
  handler: handler(async (args) => {
    const { settings, reporter, signal } = await cliContext();
    if (args.version !== undefined) {
      try {
        requirePlainVersion(args.version.replace(/^v/, ''), '--version');
      } catch (err) {
        throw new ToolsError('EUSAGE', (err as Error).message);
      }
    }
    const ctx = createToolsContext(settings, reporter, signal, true);
    try {
      const requested = args.version?.replace(/^v/, '');
      const version = requested ?? (await fetchCloudStableVersion(ctx));
      if (!(await adoptVersion(ctx, version, requested ? 'requested' : 'detected'))) reporter.info(`tsh/tctl are up to date (v${version}).`);
      if (settings.pin.kind === 'version' && settings.pin.version !== version) {
        reporter.warn(`TELEPORT_TOOLS_VERSION=${settings.pin.version} is set, so tsh and tctl keep running v${settings.pin.version}`);
      }
    } finally {
      await ctx.close();
    }
  }),
};
