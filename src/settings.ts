/**
 * Environment, tools.yaml and defaults become one typed Settings object, once, at the entry point.
 * Nothing below the entry points reads process.env.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, readConfigFile } from './config.js';
import type { ToolsConfig } from './config.js';
import { ToolsError } from './errors.js';
import type { HttpOptions } from './http.js';
import { isPlainVersion } from './version.js';
import { detectPlatform, parsePlatform } from './artifacts/release.js';
import { readPackage } from './runtime-gate.js';
import { teleportHome } from './teleport-home.js';
import type { Platform } from './artifacts/release.js';

export type Env = Readonly<Record<string, string | undefined>>;

export type Pin =
  | { kind: 'none' }
  | { kind: 'off' }
  | { kind: 'version'; version: string }
  | { kind: 'invalid'; raw: string };

export type Source = 'environment' | 'config' | 'default';

export interface Settings {
  env: Env;
  home: string;
  cacheDir: string;
  versionFile: string;
  configFile: string;
  currentProfileFile: string;
  /** Teleport Connect's directories, shared with Connect My Computer. */
  connect: { userData: string; cache: string };
  /** tools.yaml over the defaults. */
  config: ToolsConfig;
  /** Keys tools.yaml sets; `configError` when it could not be read. */
  configSet: Partial<ToolsConfig>;
  configError: ToolsError | undefined;
  pin: Pin;
  versionUrl: { value: string; source: Source };
  cdnBaseUrl: { value: string; source: Source };
  autoUpdates: { enabled: boolean; reason: string };
  http: HttpOptions;
  platform: Platform | ToolsError;
  /** stderr is a terminal, CI is not set and TERM is not dumb: progress may redraw a line. */
  interactive: boolean;
  crashAt: string | undefined;
  /** TELEPORT_TOOLS_TEST_FREE_BYTES (tests only, like crashAt): the free space statfs would report. */
  testFreeBytes: number | undefined;
  userAgent: string;
}

function pick(env: Env, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function parsePin(raw: string | undefined): Pin {
  if (raw === undefined || raw === '') return { kind: 'none' };
  if (raw === 'off') return { kind: 'off' };
  if (isPlainVersion(raw)) return { kind: 'version', version: raw };
  return { kind: 'invalid', raw };
}

function seconds(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ToolsError('ECONFIG', `${name} must be a positive number of seconds, got ${JSON.stringify(raw)}`);
  return n;
}

export interface LoadOptions {
  env: Env;
  stderrIsTTY?: boolean;
  platform?: string;
  arch?: string;
}

export async function loadSettings(opts: LoadOptions): Promise<Settings> {
  const { env } = opts;
  const userHome = env.HOME || homedir();
  const home = teleportHome(env, userHome);
  const configFile = join(home, 'config', 'tools.yaml');

  const { fromFile, configError } = await readToolsConfig(configFile);
  const config: ToolsConfig = { ...defaultConfig(), ...fromFile };
  const pin = parsePin(env.TELEPORT_TOOLS_VERSION);
  const userAgent = `teleport-tools/${(await readPackage()).version} node/${process.versions.node}`;
  return {
    env,
    home,
    cacheDir: join(home, 'cache'),
    versionFile: join(home, 'cloud-stable-version'),
    configFile,
    currentProfileFile: join(home, 'current-profile'),
    connect: connectDirs(env, userHome, opts.platform ?? process.platform),
    config,
    configSet: fromFile,
    configError,
    pin,
    versionUrl: layered(pick(env, 'TELEPORT_TOOLS_VERSION_URL'), 'version_url', config, fromFile),
    cdnBaseUrl: layered(pick(env, 'TELEPORT_CDN_BASE_URL'), 'cdn_base_url', config, fromFile),
    autoUpdates: autoUpdatesFor({ pin, configError, config, configFile }),
    http: httpOptions(env, userAgent),
    platform: platformFor(env, opts),
    interactive: Boolean(opts.stderrIsTTY) && !env.CI && env.TERM !== 'dumb',
    crashAt: env.TELEPORT_TOOLS_TEST_CRASH_AT || undefined,
    testFreeBytes: testFreeBytes(env),
    userAgent,
  };
}

interface ConfigRead {
  /** Keys tools.yaml sets; empty when it could not be read. */
  fromFile: Partial<ToolsConfig>;
  configError: ToolsError | undefined;
}

/** An unreadable tools.yaml is not fatal: the defaults apply, and configError says what is wrong. */
async function readToolsConfig(configFile: string): Promise<ConfigRead> {
  try {
    return { fromFile: await readConfigFile(configFile), configError: undefined };
  } catch (err) {
    if (!(err instanceof ToolsError)) throw err;
    return { fromFile: {}, configError: err };
  }
}

/** The environment over tools.yaml over the default, and which of them it came from. */
function layered(fromEnv: string | undefined, key: 'version_url' | 'cdn_base_url', config: ToolsConfig, fromFile: Partial<ToolsConfig>): { value: string; source: Source } {
  const source: Source = fromEnv !== undefined ? 'environment' : key in fromFile ? 'config' : 'default';
  return { value: fromEnv ?? config[key], source };
}

interface AutoUpdateInputs {
  pin: Pin;
  configError: ToolsError | undefined;
  config: ToolsConfig;
  configFile: string;
}

function autoUpdatesFor({ pin, configError, config, configFile }: AutoUpdateInputs): Settings['autoUpdates'] {
  if (pin.kind === 'off') return { enabled: false, reason: 'TELEPORT_TOOLS_VERSION=off' };
  if (configError) return { enabled: false, reason: `${configFile} is invalid` };
  if (config.disable_auto_updates) return { enabled: false, reason: `disable_auto_updates: true in ${configFile}` };
  return { enabled: true, reason: 'default' };
}

function platformFor(env: Env, opts: LoadOptions): Platform | ToolsError {
  try {
    // Tests only: install another platform's archives (the macOS app-bundle layout on Linux).
    const testPlatform = pick(env, 'TELEPORT_TOOLS_TEST_PLATFORM');
    return testPlatform
      ? parsePlatform(testPlatform, 'TELEPORT_TOOLS_TEST_PLATFORM')
      : detectPlatform(opts.platform ?? process.platform, opts.arch ?? process.arch);
  } catch (err) {
    return err as ToolsError;
  }
}

function connectDirs(env: Env, userHome: string, nodePlatform: string): Settings['connect'] {
  if (nodePlatform === 'darwin') {
    return {
      userData: join(userHome, 'Library', 'Application Support', 'Teleport Connect'),
      cache: join(userHome, 'Library', 'Caches', 'Teleport Connect'),
    };
  }
  // Teleport Connect is an Electron app named "Teleport Connect": userData is Electron's appData/<name>,
  // on Linux $XDG_CONFIG_HOME (or ~/.config)/<name>; its caches go under $XDG_CACHE_HOME (or ~/.cache).
  const xdg = (variable: string, fallback: string): string => join(env[variable] || join(userHome, fallback), 'Teleport Connect');
  return { userData: xdg('XDG_CONFIG_HOME', '.config'), cache: xdg('XDG_CACHE_HOME', '.cache') };
}

function httpOptions(env: Env, userAgent: string): HttpOptions {
  const timeout = seconds(env, 'TELEPORT_TOOLS_HTTP_TIMEOUT', 30);
  return {
    proxy: {
      httpProxy: pick(env, 'http_proxy', 'HTTP_PROXY'),
      httpsProxy: pick(env, 'https_proxy', 'HTTPS_PROXY'),
      noProxy: pick(env, 'no_proxy', 'NO_PROXY'),
    },
    connectTimeoutMs: Math.min(timeout, 10) * 1000,
    idleTimeoutMs: timeout * 1000,
    attempts: 3,
    backoffMs: 250,
    maxRetryAfterMs: 10_000,
    userAgent,
  };
}

function testFreeBytes(env: Env): number | undefined {
  return /^\d+$/.test(env.TELEPORT_TOOLS_TEST_FREE_BYTES ?? '') ? Number(env.TELEPORT_TOOLS_TEST_FREE_BYTES) : undefined;
}
