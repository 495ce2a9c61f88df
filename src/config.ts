/**
 * `$TELEPORT_HOME/config/tools.yaml`: the launcher's own settings, as a table of keys with their
 * defaults and validators. Absent file means defaults; an unreadable or invalid one is an ECONFIG
 * error naming the file, the key and the fix.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ToolsError } from './errors.js';
import { parseSimpleConfig } from './config-text.js';
import { writeFileAtomic } from './write-file-atomic.js';
import { unsafeLine, unsafeReason } from './trust.js';

export interface ToolsConfig {
  disable_auto_updates: boolean;
  version_url: string;
  cdn_base_url: string;
  edition: 'auto' | 'oss' | 'ent';
  fips: boolean;
  cloud_proxy_suffixes: string[];
  follow_cluster_version: boolean;
  usage_reporting: boolean;
}

export type ConfigKey = keyof ToolsConfig;

interface KeySpec<K extends ConfigKey> {
  default: ToolsConfig[K];
  help: string;
  /** Validates a value read from YAML (any type). */
  check(value: unknown): ToolsConfig[K];
  /** Parses a value typed on the command line. */
  fromText(text: string): ToolsConfig[K];
}

function bool(key: string): Pick<KeySpec<'disable_auto_updates'>, 'check' | 'fromText'> {
  return {
    check(v) {
      if (typeof v !== 'boolean') throw new Error(`${key} must be true or false`);
      return v;
    },
    fromText(t) {
      if (t === 'true') return true;
      if (t === 'false') return false;
      throw new Error(`${key} must be true or false, got ${JSON.stringify(t)}`);
    },
  };
}

function url(key: string): Pick<KeySpec<'version_url'>, 'check' | 'fromText'> {
  const check = (v: unknown): string => {
    if (typeof v !== 'string') throw new Error(`${key} must be a URL`);
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new Error(`${key} must be a URL, got ${JSON.stringify(v)}`);
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`${key} must be an https:// URL, got ${JSON.stringify(v)}`);
    return v;
  };
  return { check, fromText: check };
}

function edition(v: unknown): 'auto' | 'oss' | 'ent' {
  if (v !== 'auto' && v !== 'oss' && v !== 'ent') throw new Error(`edition must be auto, oss or ent, got ${JSON.stringify(v)}`);
  return v;
}

function suffixes(v: unknown): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || !/^\.[a-z0-9.-]+$/i.test(s))) {
    throw new Error('cloud_proxy_suffixes must be a list of host suffixes starting with a dot, e.g. [".teleport.sh"]');
  }
  return v.map((s: string) => s.toLowerCase());
}

export const CONFIG_KEYS: { readonly [K in ConfigKey]: KeySpec<K> } = {
  disable_auto_updates: { default: false, help: 'true: the launchers never touch the network', ...bool('disable_auto_updates') },
  version_url: {
    default: 'https://updates.releases.teleport.dev/v1/stable/cloud/client-version',
    help: 'version discovery endpoint',
    ...url('version_url'),
  },
  cdn_base_url: { default: 'https://cdn.teleport.dev', help: 'where release archives and their .sha256 files live', ...url('cdn_base_url') },
  edition: {
    default: 'auto',
    help: "oss downloads teleport-v…, ent downloads teleport-ent-v…; auto: the edition the cluster reports at tsh login (oss when it does not say)",
    check: edition,
    fromText: edition,
  },
  fips: { default: false, help: 'true: download the FIPS builds (Enterprise builds, teleport-ent-v…-fips-bin.tar.gz; Linux only)', ...bool('fips') },
  cloud_proxy_suffixes: {
    default: ['.teleport.sh'],
    help: 'proxy host suffixes that count as Teleport Cloud',
    check: suffixes,
    fromText: (t) => suffixes(t.split(',').map((s) => s.trim()).filter(Boolean)),
  },
  follow_cluster_version: {
    default: false,
    help: "true: a cluster that does not announce managed updates is treated as asking for its own server_version",
    ...bool('follow_cluster_version'),
  },
  usage_reporting: {
    default: false,
    help: 'true: record anonymised Connect My Computer usage events in a local file (nothing is sent)',
    ...bool('usage_reporting'),
  },
};

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

export function defaultConfig(): ToolsConfig {
  return Object.fromEntries(Object.entries(CONFIG_KEYS).map(([k, spec]) => [k, spec.default])) as unknown as ToolsConfig;
}

/** What the file sets (validated), without defaults. */
export async function readConfigFile(file: string): Promise<Partial<ToolsConfig>> {
  let text: string;
  try {
    // Synchronous, like readManifest (which says why).
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ToolsError('ECONFIG', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  // It can send downloads elsewhere (cdn_base_url): only the user's own file counts (trust.ts).
  for (const [path, what] of [[dirname(file), 'config directory'], [file, 'config file']] as const) {
    const unsafe = unsafeReason(path, { followLinks: true });
    if (unsafe) throw new ToolsError('ECONFIG', unsafeLine(path, what, unsafe));
  }
  let data: unknown = parseSimpleConfig(text);
  try {
    // Loaded only for a file outside the simple subset: yaml costs more to load than the rest of a login.
    if (data === undefined) data = (await import('yaml')).parse(text) ?? {};
  } catch (err) {
    throw new ToolsError('ECONFIG', `${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (typeof data !== 'object' || Array.isArray(data) || data === null) {
    throw new ToolsError('ECONFIG', `${file} must be a YAML mapping of keys to values`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!isConfigKey(key)) {
      throw new ToolsError('ECONFIG', `${file}: unknown key ${JSON.stringify(key)} (known: ${Object.keys(CONFIG_KEYS).join(', ')})`);
    }
    try {
      out[key] = CONFIG_KEYS[key].check(value);
    } catch (err) {
      throw new ToolsError('ECONFIG', `${file}: ${(err as Error).message}; fix it with: teleport-tools config set ${key} <value>`);
    }
  }
  return out as Partial<ToolsConfig>;
}

/** Writes the given keys (others absent), atomically. */
export async function writeConfigFile(file: string, values: Partial<ToolsConfig>): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const { stringify } = await import('yaml');
  const body = Object.keys(values).length === 0 ? '' : stringify(values);
  await writeFileAtomic(file, body, { mode: 0o644 });
}
