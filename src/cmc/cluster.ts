/**
 * The cluster operations Connect My Computer needs, through the installed `tsh` and `tctl`, with the
 * output formats of docs/teleport.md. Failures keep tctl's own words and say whether it was a missing
 * permission or a missing object, so each step can explain itself.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolsError } from '../errors.js';
import type { Env } from '../settings.js';
import { errorText, execCommand } from './exec.js';
import type { ExecResult } from './exec.js';

export interface ClientTools {
  version: string;
  tsh: string;
  tctl: string;
  /** The environment the tools run with (the user's, with tsh's own updater off). */
  env: Env;
  signal?: AbortSignal | undefined;
  /** `--insecure` for every tsh and tctl command: the proxy's certificate is not verified. */
  insecure?: boolean | undefined;
}

export type FailureKind = 'denied' | 'not-found' | 'not-logged-in' | 'other';

export class TeleportCommandError extends ToolsError {
  readonly kind: FailureKind;
  readonly detail: string;

  constructor(command: string, detail: string, kind: FailureKind) {
    super('ECMC', `${command}: ${detail}`);
    this.kind = kind;
    this.detail = detail;
  }
}

function classify(text: string): FailureKind {
  if (/access denied|permission denied|not authorized/i.test(text)) return 'denied';
  if (/not logged in|no (active )?profile/i.test(text)) return 'not-logged-in';
  if (/not found|does not exist/i.test(text)) return 'not-found';
  return 'other';
}

async function run(tools: ClientTools, tool: 'tsh' | 'tctl', given: string[]): Promise<ExecResult> {
  const args = tools.insecure ? ['--insecure', ...given] : given;
  const result = await execCommand(tools[tool], args, { env: tools.env, signal: tools.signal, timeoutMs: 60_000 });
  if (result.code !== 0) {
    const detail = errorText(result);
    throw new TeleportCommandError(`${tool} ${args.filter((a) => !a.startsWith('--format')).join(' ')}`, detail, classify(detail));
  }
  return result;
}

function parseJson<T>(command: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ToolsError('ECMC', `${command} printed something that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

export interface Profile {
  /** The proxy host name: the profile's name and the agent directory's. */
  name: string;
  /** host:port, as `teleport node configure --proxy` takes it. */
  proxyAddr: string;
  user: string;
  cluster: string;
  roles: string[];
  logins: string[];
  validUntil: string;
}

interface StatusProfile {
  profile_url?: string;
  username?: string;
  cluster?: string;
  roles?: string[];
  logins?: string[];
  valid_until?: string;
}

/** The active profile from `tsh status --format=json`; refuses when not logged in or expired. */
export async function activeProfile(tools: ClientTools, now = Date.now()): Promise<Profile> {
  let result: ExecResult;
  try {
    result = await run(tools, 'tsh', ['status', '--format=json']);
  } catch (err) {
    if (err instanceof TeleportCommandError && (err.kind === 'not-logged-in' || /not logged in/i.test(err.detail))) {
      throw new ToolsError('ECMC', 'not logged in to a Teleport cluster; log in first with: tsh login --proxy=<proxy address>');
    }
    throw err;
  }
  const status = parseJson<{ active?: StatusProfile | null }>('tsh status', result.stdout);
  const active = status.active;
  if (!active?.profile_url || !active.username) {
    throw new ToolsError('ECMC', 'not logged in to a Teleport cluster; log in first with: tsh login --proxy=<proxy address>');
  }
  const url = new URL(active.profile_url);
  const name = url.hostname.replace(/^\[|\]$/g, '');
  if (active.valid_until && Date.parse(active.valid_until) <= now) {
    throw new ToolsError('ECMC', `your Teleport session for ${name} expired at ${active.valid_until}; log in again with: tsh login --proxy=${url.host}`);
  }
  return {
    name,
    proxyAddr: `${url.hostname}:${url.port || '443'}`,
    user: active.username,
    cluster: active.cluster ?? name,
    roles: active.roles ?? [],
    logins: active.logins ?? [],
    validUntil: active.valid_until ?? '',
  };
}

export interface Role {
  kind: 'role';
  version: string;
  metadata: { name: string; [k: string]: unknown };
  spec: {
    allow?: { logins?: string[]; node_labels?: Record<string, string | string[]>; [k: string]: unknown };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface User {
  kind: 'user';
  metadata: { name: string };
  spec: { roles?: string[]; created_by?: { connector?: { type?: string; id?: string } | null } };
}

export interface Node {
  kind: 'node';
  metadata: { name: string; labels?: Record<string, string> };
  spec: { hostname?: string; version?: string };
}

/** `tctl get <kind>/<name>`: the one resource, or undefined when tctl says it is not found. */
async function getOne<T>(tools: ClientTools, ref: string): Promise<T | undefined> {
  try {
    const result = await run(tools, 'tctl', ['get', ref, '--format=json']);
    const list = parseJson<T[]>(`tctl get ${ref}`, result.stdout);
    return Array.isArray(list) ? list[0] : undefined;
  } catch (err) {
    if (err instanceof TeleportCommandError && err.kind === 'not-found') return undefined;
    throw err;
  }
}

export const getRole = (tools: ClientTools, name: string): Promise<Role | undefined> => getOne<Role>(tools, `role/${name}`);
export const getUser = (tools: ClientTools, name: string): Promise<User | undefined> => getOne<User>(tools, `user/${name}`);
export const getNode = (tools: ClientTools, uuid: string): Promise<Node | undefined> => getOne<Node>(tools, `node/${uuid}`);

/** `tctl create [-f] <file>`: without force, an existing resource is an error (never overwritten). */
export async function createResource(tools: ClientTools, resource: Role, force: boolean): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'teleport-tools-'));
  try {
    const file = join(dir, 'resource.json');
    await writeFile(file, JSON.stringify(resource, null, 2), { mode: 0o600 });
    await run(tools, 'tctl', force ? ['create', '-f', file] : ['create', file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `tctl users update <user> --set-roles …`: replaces the whole list, so pass all of them. */
export async function setUserRoles(tools: ClientTools, user: string, roles: readonly string[]): Promise<void> {
  await run(tools, 'tctl', ['users', 'update', user, '--set-roles', roles.join(',')]);
}

/** A node join token with a 5 minute TTL. */
export async function addNodeToken(tools: ClientTools): Promise<string> {
  const result = await run(tools, 'tctl', ['tokens', 'add', '--type=node', '--ttl=5m', '--format=json']);
  const token = parseJson<{ token?: unknown }>('tctl tokens add', result.stdout).token;
  if (typeof token !== 'string' || !token) throw new ToolsError('ECMC', 'tctl tokens add printed no token');
  return token;
}

export async function removeToken(tools: ClientTools, token: string): Promise<void> {
  await run(tools, 'tctl', ['tokens', 'rm', token]);
}

export async function removeNode(tools: ClientTools, uuid: string): Promise<void> {
  await run(tools, 'tctl', ['rm', `node/${uuid}`]);
}

/** Explains a missing permission, naming the resource and verbs a cluster admin must allow. */
export function permissionError(err: unknown, what: string, resource: string, verbs: string): unknown {
  if (!(err instanceof TeleportCommandError) || err.kind !== 'denied') return err;
  return new ToolsError(
    'ECMC',
    `you lack permission to ${what} (your roles must allow ${verbs} on ${resource}; ask a cluster admin). tctl said: ${err.detail}`,
    { cause: err },
  );
}

/** `tsh request drop <ids>`: reissues the user's certificate without a login, dropping those access requests. */
export async function dropAccessRequests(tools: ClientTools, ids: readonly string[]): Promise<string> {
  return (await run(tools, 'tsh', ['request', 'drop', ...ids])).stdout;
}
