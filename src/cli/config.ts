/** `teleport-tools config get|set|unset|list` over $TELEPORT_HOME/config/tools.yaml. */
import type { Argv, CommandModule } from 'yargs';
import { CONFIG_KEYS, isConfigKey, writeConfigFile } from '../config.js';
import type { ConfigKey, ToolsConfig } from '../config.js';
import { ToolsError } from '../errors.js';
import type { Settings } from '../settings.js';
import { cliContext, handler, out, printJson } from './common.js';

function checkKey(key: string): ConfigKey {
  if (!isConfigKey(key)) throw new ToolsError('EUSAGE', `unknown config key ${JSON.stringify(key)}; known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`);
  return key;
}

function show(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

interface KeyArgs {
  key: string;
}
interface SetArgs extends KeyArgs {
  value: string;
}
interface ListArgs {
  json: boolean;
}

const keyArg = <T>(y: Argv<T>) => y.positional('key', { type: 'string', demandOption: true, choices: Object.keys(CONFIG_KEYS), describe: 'config key' });

/** A handler that needs only the Settings; errors go through handler() as for every command. */
function withSettings<A>(fn: (settings: Settings, args: A) => Promise<void>): (args: A) => Promise<void> {
  return handler(async (args: A) => fn((await cliContext()).settings, args));
}

async function printValue(settings: Settings, args: KeyArgs): Promise<void> {
  if (settings.configError) throw settings.configError;
  out(show(settings.config[checkKey(args.key)]));
}

async function setValue(settings: Settings, args: SetArgs): Promise<void> {
  const key = checkKey(args.key);
  let value: ToolsConfig[ConfigKey];
  try {
    value = CONFIG_KEYS[key].fromText(args.value);
  } catch (err) {
    throw new ToolsError('EUSAGE', (err as Error).message);
  }
  const current = settings.configError ? {} : settings.configSet;
  await writeConfigFile(settings.configFile, { ...current, [key]: value });
  out(`${key} = ${show(value)}`);
}

async function unsetValue(settings: Settings, args: KeyArgs): Promise<void> {
  const key = checkKey(args.key);
  const current: Partial<ToolsConfig> = settings.configError ? {} : { ...settings.configSet };
  delete current[key];
  await writeConfigFile(settings.configFile, current);
  out(`${key} = ${show(CONFIG_KEYS[key].default)} (default)`);
}

async function listValues(settings: Settings, args: ListArgs): Promise<void> {
  if (settings.configError) throw settings.configError;
  const rows = (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key) => ({
    key,
    value: settings.config[key],
    source: key in settings.configSet ? 'tools.yaml' : 'default',
    description: CONFIG_KEYS[key].help,
  }));
  if (args.json) return printJson({ file: settings.configFile, keys: rows });
  out(rows.map((r) => `${r.key.padEnd(22)} ${show(r.value).padEnd(40)} (${r.source})`).join('\n'));
}

const get: CommandModule<object, KeyArgs> = {
  command: 'get <key>',
  describe: 'Print the value in effect (from tools.yaml or the default)',
  builder: keyArg,
  handler: withSettings(printValue),
};

const set: CommandModule<object, SetArgs> = {
  command: 'set <key> <value>',
  describe: 'Set a key in tools.yaml (lists are comma-separated)',
  builder: (y) => keyArg(y).positional('value', { type: 'string', demandOption: true }),
  handler: withSettings(setValue),
};

const unset: CommandModule<object, KeyArgs> = {
  command: 'unset <key>',
  describe: 'Remove a key from tools.yaml (its default applies again)',
  builder: keyArg,
  handler: withSettings(unsetValue),
};

const list: CommandModule<object, ListArgs> = {
  command: 'list',
  describe: 'Print every key with its value and where it comes from',
  builder: (y) => y.option('json', { type: 'boolean', default: false }),
  handler: withSettings(listValues),
};

export const configCommand: CommandModule = {
  command: 'config',
  describe: 'Read and change tools.yaml (disable_auto_updates, version_url, cdn_base_url, edition, ...)',
  builder: (y) => y.command(get).command(set).command(unset).command(list).demandCommand(1, 'Name an action: get, set, unset or list.'),
  handler: () => undefined,
};
