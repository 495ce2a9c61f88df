/**
 * `GET https://<proxy>/webapi/find` (Teleport 17+ managed updates): where the proxy is,
 * the request (10 s, 64 KiB, `--insecure` skips certificate checks for it alone), and what of the
 * answer the launcher uses. A body that is not what Teleport sends is an error, never half-used.
 */
import { join } from 'node:path';
import { ToolsError } from '../errors.js';
import { isPlainVersion } from '../version.js';
import type { ToolsContext } from './context.js';
import { hostOfAddress, portOfAddress, profileOfAddress } from './proxy-address.js';
import { readQuietly } from './record-line.js';

/** Teleport's own client: 10 s. The answer is a few hundred bytes; 64 KiB is plenty. */
export const FIND_TIMEOUT_MS = 10_000;
export const FIND_MAX_BYTES = 64 * 1024;
export const FIND_PATH = '/webapi/find';

export interface FindAnswer {
  /** As sent (may carry a pre-release tag, `16.0.0-aa`); undefined when absent. */
  serverVersion: string | undefined;
  /** `ent` for Enterprise and Cloud; `oss`/`community` otherwise. */
  edition: string | undefined;
  /** Absent on clusters older than v17. */
  autoUpdate: { toolsAutoUpdate: boolean; toolsVersion: string | undefined } | undefined;
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/** Parses a find answer; EVERSION/EHTTP for anything Teleport would not send. */
export function parseFindAnswer(body: string, source: string): FindAnswer {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new ToolsError('EHTTP', `${source} did not answer JSON`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ToolsError('EHTTP', `${source} did not answer a JSON object`);
  const d = data as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  let autoUpdate: FindAnswer['autoUpdate'];
  const au = d.auto_update;
  if (au !== undefined && au !== null) {
    if (typeof au !== 'object' || Array.isArray(au)) throw new ToolsError('EHTTP', `${source}: auto_update is not an object`);
    const a = au as Record<string, unknown>;
    const toolsAutoUpdate = a.tools_auto_update === true;
    const toolsVersion = a.tools_version;
    if (toolsAutoUpdate && (typeof toolsVersion !== 'string' || !isPlainVersion(toolsVersion))) {
      throw new ToolsError('EVERSION', `${source}: tools_version is not a version X.Y.Z (got ${show(toolsVersion)})`);
    }
    autoUpdate = { toolsAutoUpdate, toolsVersion: str(toolsVersion) };
  }
  return { serverVersion: str(d.server_version), edition: str(d.edition), autoUpdate };
}

/** `https://<host>:<port>/webapi/find` for a proxy address as tsh takes it; undefined for one we will not ask. */
export function findUrl(address: string): string | undefined {
  const host = profileOfAddress(address);
  if (host === undefined) return undefined;
  const port = portOfAddress(address);
  const n = port === undefined ? 443 : Number(port);
  if (!(n > 0 && n < 65536)) return undefined;
  return `https://${host.includes(':') ? `[${host}]` : host}:${n}${FIND_PATH}`;
}

/** The web proxy address of a logged-in profile: `web_proxy_addr` in `$TELEPORT_HOME/<profile>.yaml`. */
export async function profileProxyAddress(home: string, profile: string): Promise<string> {
  const yaml = readQuietly(join(home, `${profile}.yaml`)) ?? '';
  const addr = /^web_proxy_addr:[ \t]*["']?([^"'\s#]+)/m.exec(yaml)?.[1];
  return addr && hostOfAddress(addr) === profile ? addr : profile;
}

/** Asks the proxy; one attempt, like tsh (a second one would only delay the login). */
export async function fetchFind(ctx: ToolsContext, url: string, insecure: boolean): Promise<FindAnswer> {
  const body = await ctx.http().getText(url, { maxBytes: FIND_MAX_BYTES, timeoutMs: FIND_TIMEOUT_MS, signal: ctx.signal, insecure, attempts: 1 });
  return parseFindAnswer(body, url);
}
