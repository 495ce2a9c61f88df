/**
 * `teleport-tools cmc …`: Connect My Computer (RFD 0133) on the command line. The services load when a
 * cmc command runs, not on every start of the CLI.
 */
import type { Argv, CommandModule } from 'yargs';
import { ToolsError } from '../errors.js';
import type { CmcContext } from '../cmc/context.js';
import { cliContext, handler, out, printJson } from './common.js';

interface ProfileArgs {
  profile?: string | undefined;
}

const profileOption = <T>(y: Argv<T>) =>
  y.option('profile', { type: 'string', describe: 'The proxy host of the profile (default: the current tsh profile)' });

/** Connect My Computer is a macOS and Linux feature, as in Teleport Connect (docs/behaviour.md item 25). */
export const CMC_UNSUPPORTED = 'Connect My Computer runs on macOS and Linux only (as in Teleport Connect), not on Windows';

async function withContext(fn: (ctx: CmcContext) => Promise<void>): Promise<void> {
  if (process.platform === 'win32') throw new ToolsError('ECMC', CMC_UNSUPPORTED);
  const { settings, reporter, signal } = await cliContext();
  const { createCmcContext } = await import('../cmc/context.js');
  const ctx = createCmcContext(settings, reporter, signal);
  try {
    await fn(ctx);
  } finally {
    await ctx.close();
  }
}

async function requireProfile(ctx: CmcContext, flag: string | undefined): Promise<string> {
  const { chosenProfile } = await import('../cmc/context.js');
  const profile = await chosenProfile(ctx.settings, flag);
  if (!profile) throw new ToolsError('ECMC', 'no current Teleport profile: log in with tsh login, or name one with --profile <proxy host>');
  return profile;
}

interface InsecureArgs {
  insecure?: boolean | undefined;
}

/** No default: absent means "what the profile remembers"; --no-insecure turns it off again. */
const insecureOption = <T>(y: Argv<T>) =>
  y.option('insecure', {
    type: 'boolean',
    describe: 'The cluster has a self-signed certificate: skip certificate checks of the proxy, as tsh --insecure (remembered for the profile; --no-insecure turns it off)',
  });

const setup: CommandModule<object, InsecureArgs> = {
  command: 'setup',
  describe: 'Set up this computer for the current profile: role, agent, config, join (safe to run again)',
  builder: insecureOption,
  handler: handler((args) => withContext(async (ctx) => (await import('../cmc/setup.js')).runSetup(ctx, out, { insecure: args.insecure }))),
};

const start: CommandModule<object, InsecureArgs> = {
  command: 'start',
  describe: 'Share this computer until Ctrl-C (runs in the foreground)',
  builder: insecureOption,
  handler: handler((args) => withContext(async (ctx) => (await import('../cmc/start.js')).runStart(ctx, out, { insecure: args.insecure }))),
};

const stop: CommandModule<object, ProfileArgs> = {
  command: 'stop',
  describe: 'Stop a running `cmc start` and clear autoStart',
  builder: profileOption,
  handler: handler((args) =>
    withContext(async (ctx) => (await import('../cmc/manage.js')).runStop(ctx.settings, await requireProfile(ctx, args.profile), out)),
  ),
};

const status: CommandModule<object, ProfileArgs & { json: boolean }> = {
  command: 'status',
  describe: 'Show setup state, agent, node, compatibility and last agent errors',
  builder: (y) => profileOption(y).option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' }),
  handler: handler((args) =>
    withContext(async (ctx) => {
      const { cmcStatus, formatStatus } = await import('../cmc/status.js');
      const report = await cmcStatus(ctx, await requireProfile(ctx, args.profile));
      if (args.json) printJson(report);
      else out(formatStatus(report).join('\n'));
    }),
  ),
};

const remove: CommandModule<object, ProfileArgs & InsecureArgs> = {
  command: 'remove',
  describe: 'Stop sharing, delete the agent directory and the node; keeps the role and the agent binary',
  builder: (y) => insecureOption(profileOption(y)),
  handler: handler((args) =>
    withContext(async (ctx) => (await import('../cmc/manage.js')).runRemove(ctx, await requireProfile(ctx, args.profile), out, { insecure: args.insecure })),
  ),
};

const logs: CommandModule<object, ProfileArgs & { follow: boolean }> = {
  command: 'logs',
  describe: "Print the agent's log (--follow: keep printing until Ctrl-C)",
  builder: (y) => profileOption(y).option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'Keep printing new lines until Ctrl-C' }),
  handler: handler((args) =>
    withContext(async (ctx) => {
      const { agentPaths } = await import('../cmc/paths.js');
      const { printLog } = await import('../cmc/logs.js');
      const { log } = agentPaths(ctx.settings.connect, await requireProfile(ctx, args.profile));
      try {
        await printLog(log, (chunk) => process.stdout.write(chunk), { follow: args.follow, signal: ctx.signal });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ToolsError('ECMC', `no agent log yet (${log}); it appears once the agent runs: teleport-tools cmc setup`);
        throw err;
      }
    }),
  ),
};

export const cmcCommand: CommandModule = {
  command: 'cmc',
  describe: 'Connect My Computer: share this computer with your cluster as an SSH node',
  builder: (y) =>
    y
      .usage('$0 cmc <command>\n\nConnect My Computer (RFD 0133): share this computer with the cluster you are logged in to, as an SSH node only you can log in to.')
      .command(setup)
      .command(start)
      .command(stop)
      .command(status)
      .command(remove)
      .command(logs)
      .demandCommand(1, 'Name a cmc command; see teleport-tools cmc --help.'),
  handler: () => undefined,
};
