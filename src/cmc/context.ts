/**
 * What the Connect My Computer services need from the entry point: settings, a voice, a way to
 * cancel, HTTP on first use, and the installed client tools (whose version is also the agent's).
 */
import { userInfo } from 'node:os';
import { binaryEnv } from '../binary-env.js';
import { ToolsError } from '../errors.js';
import { createHttpClient } from '../http.js';
import type { HttpClient } from '../http.js';
import type { Env, Settings } from '../settings.js';
import type { Reporter } from '../ui/reporter.js';
import { isInstalled } from '../tools/cache.js';
import { trustedTool } from '../tools/safety.js';
import { selectVersion } from '../tools/update.js';
import { profileOf } from '../tools/profile.js';
import { hostOfAddress } from '../tools/proxy-address.js';
import { readQuietly, recordLine } from '../tools/record-line.js';
import type { ClientTools, Profile } from './cluster.js';
import { activeProfile } from './cluster.js';
import type { EventSink } from './events.js';
import type { AgentPaths } from './paths.js';
import { resolveInsecure } from './insecure.js';
import { agentPaths, agentProfileName, checkProfile } from './paths.js';
import type { ProfileState } from './state.js';
import { readProfileState } from './state.js';

export interface CmcContext {
  settings: Settings;
  reporter: Reporter;
  signal?: AbortSignal | undefined;
  /** The environment of every program we start: the user's, as a real binary must see it (binary-env.ts). */
  childEnv: Env;
  events: EventSink;
  /** The login this computer's agent allows: the user running teleport-tools. */
  systemUser: string;
  http(): HttpClient;
  close(): Promise<void>;
}

export function createCmcContext(settings: Settings, reporter: Reporter, signal?: AbortSignal): CmcContext {
  let client: HttpClient | undefined;
  return {
    settings,
    reporter,
    signal,
    childEnv: binaryEnv(settings.env),
    events: { enabled: settings.config.usage_reporting, dirs: settings.connect },
    systemUser: userInfo().username,
    http: () => (client ??= createHttpClient(settings.http)),
    close: async () => {
      await client?.close();
    },
  };
}

/** Connect My Computer runs where Teleport has an SSH agent: Linux and macOS. */
export function requireSupportedOs(nodePlatform: string = process.platform): void {
  if (nodePlatform === 'win32') {
    throw new ToolsError('ECMC', 'Connect My Computer is not available on Windows: Teleport has no SSH agent for Windows; use it on Linux or macOS');
  }
  if (nodePlatform !== 'linux' && nodePlatform !== 'darwin') {
    throw new ToolsError('ECMC', `Connect My Computer is available on Linux and macOS only, not on ${nodePlatform}`);
  }
}

/** The selected, installed client tools; their version is the agent's version. */
export async function clientTools(ctx: CmcContext): Promise<ClientTools> {
  const { settings } = ctx;
  // The agent runs the version tsh runs for this profile (its cluster's record, else cloud-stable).
  const { version } = await selectVersion(settings, await profileOf(settings));
  if (!version) {
    throw new ToolsError('ECMC', 'no Teleport client tools are installed yet; install them with: teleport-tools update');
  }
  if (!(await isInstalled(settings.cacheDir, version, 'tsh')) || !(await isInstalled(settings.cacheDir, version, 'tctl'))) {
    throw new ToolsError('ECMC', `Teleport client tools v${version} are not installed; install them with: teleport-tools update${settings.pin.kind === 'version' ? ` --version ${version}` : ''}`);
  }
  // They run with the user's credentials: only from a cache no one else can write (trust.ts).
  const tsh = await trustedTool(settings.cacheDir, version, 'tsh');
  const tctl = await trustedTool(settings.cacheDir, version, 'tctl');
  return { version, tsh, tctl, env: ctx.childEnv, signal: ctx.signal };
}

/**
 * The profile a command acts on (agentProfileName): the host of --profile (an address works too), else
 * the first line of tsh's current-profile; undefined when there is none.
 */
export async function chosenProfile(settings: Settings, flag: string | undefined): Promise<string | undefined> {
  if (flag) return checkProfile(agentProfileName(hostOfAddress(flag)));
  const current = recordLine(readQuietly(settings.currentProfileFile) ?? '');
  return current ? checkProfile(agentProfileName(current)) : undefined;
}

export interface LoggedIn {
  tools: ClientTools;
  profile: Profile;
  paths: AgentPaths;
  state: ProfileState;
  /** --insecure given, or remembered for the profile: tools.insecure is set to match. */
  insecure: boolean;
}

/**
 * Where setup and start begin: a supported OS, installed client tools, a live login (`tsh status` reads
 * the local profile only, so it needs no --insecure), its agent directory and remembered state.
 */
export async function loggedIn(ctx: CmcContext, insecureFlag?: boolean): Promise<LoggedIn> {
  requireSupportedOs();
  const tools = await clientTools(ctx);
  const profile = await activeProfile(tools);
  const state = await readProfileState(ctx.settings.connect, profile.name);
  const insecure = resolveInsecure(insecureFlag, state);
  return { tools: { ...tools, insecure }, profile, paths: agentPaths(ctx.settings.connect, profile.name), state, insecure };
}
