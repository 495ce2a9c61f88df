/** `teleport-tools update [--version X.Y.Z | --proxy host[:port]]`: the login refresh and the login check, on demand. */
import type { CommandModule } from 'yargs';
import { ToolsError, describeError } from '../errors.js';
import { requirePlainVersion } from '../version.js';
import { createToolsContext } from '../tools/context.js';
import type { ToolsContext } from '../tools/context.js';
import { adoptVersion, fetchCloudStableVersion, requireNetwork } from '../tools/update.js';
import { findUrl } from '../tools/find.js';
import { profileOfAddress } from '../tools/proxy-address.js';
import { cliContext, handler } from './common.js';

interface Args {
  version?: string | undefined;
  proxy?: string | undefined;
  insecure: boolean;
}

export const updateCommand: CommandModule<object, Args> = {
  command: 'update',
  describe: 'Install the cloud-stable version now (or --version X.Y.Z) and make it the one tsh and tctl run; --proxy: ask a cluster for its version now',
  // --version here is the version to install, not the global --version flag.
  builder: (y) =>
    y
      .version(false)
      .option('version', { type: 'string', describe: 'Install and select exactly this version' })
      .option('proxy', { type: 'string', describe: "Ask this cluster's proxy (host[:port]) for the version it wants now, as tsh login does, without logging in" })
      .option('insecure', { type: 'boolean', default: false, describe: "With --proxy: skip the proxy's certificate check (a self-signed certificate)" })
      .conflicts('version', 'proxy'),
  handler: handler(async (args) => {
    const { settings, reporter, signal } = await cliContext();
    if (args.version !== undefined) {
      try {
        requirePlainVersion(args.version.replace(/^v/, ''), '--version');
      } catch (err) {
        throw new ToolsError('EUSAGE', (err as Error).message);
      }
    }
    // Installs run in a child with the lean V8 flags (tools/install-process.ts), as the launchers' do.
    const ctx = createToolsContext(settings, reporter, { signal, requested: true, isolateInstalls: true });
    try {
      if (args.proxy !== undefined) return await checkProxy(ctx, args.proxy, args.insecure);
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

async function checkProxy(ctx: ToolsContext, address: string, insecure: boolean): Promise<void> {
  const { settings, reporter } = ctx;
  const profile = profileOfAddress(address);
  if (profile === undefined || !findUrl(address)) throw new ToolsError('EUSAGE', `--proxy must be host[:port], got ${JSON.stringify(address.slice(0, 80))}`);
  requireNetwork(ctx);
  if (settings.pin.kind === 'version') reporter.warn(`TELEPORT_TOOLS_VERSION=${settings.pin.version} is set, so tsh and tctl keep running v${settings.pin.version}`);
  const { loginCheck } = await import('../tools/login-check.js');
  const result = await loginCheck(ctx, { address, profile, insecure });
  if (result.cluster === 'no-answer') {
    throw new ToolsError('ENETWORK', `no usable answer from ${findUrl(address) ?? address}: ${describeError(result.error)}${insecure ? '' : ' (a self-signed certificate? add --insecure)'}`);
  }
  if (result.cluster === 'current') reporter.info(`tsh/tctl are up to date for ${profile} (v${result.version ?? ''}).`);
  if (result.cluster === 'record-removed') reporter.info(`${profile} turned managed client-tools updates off; its recorded version was removed.`);
  if (result.cluster === 'unmanaged') reporter.info(`${profile} does not manage client-tools versions; tsh and tctl use the cloud-stable version for it.`);
}
