// The world of the cluster-managed versions tests (docs/behaviour.md items 11-14), shared by the
// cluster-versions-*.test.ts files: two proxies at once under different host names, both on loopback
// with the test CA. `127.0.0.1` counts as Teleport Cloud here (cloud_proxy_suffixes: [".0.0.1"]) and also
// serves the version endpoint and the CDN; `localhost` is a self-hosted cluster. A third proxy presents
// a certificate nobody trusts (--insecure). Each file that calls clusterWorld() gets its own servers.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { FIND_PATH, startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { buildRelease, currentPlatform } from '../helpers/release.js';
import { copyTeleportHome, createSandbox } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';
import { release } from './world.js';

export const STABLE = '16.4.0';
export const SELF = '17.0.1';
export const CLOUD = '18.0.1';

export interface ClusterWorld {
  /** 127.0.0.1: Cloud proxy, version endpoint, CDN. */
  cloud: CdnServer;
  /** localhost: a self-hosted proxy. */
  self: CdnServer;
  /** localhost, with a certificate of an unknown CA. */
  untrusted: CdnServer;
  cloudProxy: string;
  selfProxy: string;
  untrustedProxy: string;
  /** The URL path of the enterprise archive of SELF. */
  entArchive: string;
}

export const port = (s: CdnServer): string => new URL(s.url).port;

export const managed = (version: unknown, extra: Record<string, unknown> = {}) => ({
  server_version: typeof version === 'string' ? version : '17.0.1',
  min_client_version: '16.0.0-aa',
  cluster_name: 'acme',
  edition: 'oss',
  fips: false,
  proxy: {},
  auth: {},
  auto_update: { tools_version: version, tools_auto_update: true, agent_version: '17.0.1', agent_auto_update: false },
  ...extra,
});

const boxes: Sandbox[] = [];
let template: Sandbox;

/**
 * Starts the three servers before the file's tests (and stops them after), resets them before each
 * test, and sets up once the user that `user()` copies. The fields are filled in by the file's `before`.
 */
export function clusterWorld(): ClusterWorld {
  const w = {} as ClusterWorld;
  before(async () => {
    [w.cloud, w.self, w.untrusted] = await Promise.all([startCdn({ version: `v${STABLE}` }), startCdn(), startCdn({ cert: 'other' })]);
    for (const v of [STABLE, SELF, CLOUD]) w.cloud.serveRelease(await release(v));
    const dir = await mkdtemp(join(tmpdir(), 'tt-ent-'));
    const ent = await buildRelease({ dir, version: SELF, edition: 'ent', ...currentPlatform() });
    w.cloud.serveRelease(ent);
    w.entArchive = `/${ent.archiveName}`;
    w.cloudProxy = `127.0.0.1:${port(w.cloud)}`;
    w.selfProxy = `localhost:${port(w.self)}`;
    w.untrustedProxy = `localhost:${port(w.untrusted)}`;
    template = await sandbox(w);
    await configure(template, '');
    const r = await template.cli(['update', '--version', STABLE]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    await Promise.all([w.cloud.close(), w.self.close(), w.untrusted.close(), ...boxes.map((b) => b.remove())]);
  });
  beforeEach(() => {
    for (const s of [w.cloud, w.self, w.untrusted]) {
      s.requests.length = 0;
      s.behave(FIND_PATH, { kind: 'ok' });
      s.unserve(FIND_PATH);
    }
    w.cloud.setVersion(`v${STABLE}`);
  });
  return w;
}

/** A fresh sandboxed user of these servers, removed after the file's tests. */
async function sandbox(w: ClusterWorld): Promise<Sandbox> {
  const sb = await createSandbox({ versionUrl: w.cloud.versionUrl, cdnBaseUrl: w.cloud.url });
  boxes.push(sb);
  return sb;
}

async function configure(sb: Sandbox, config: string): Promise<void> {
  await mkdir(join(sb.teleportHome, 'config'), { recursive: true });
  await writeFile(join(sb.teleportHome, 'config', 'tools.yaml'), `cloud_proxy_suffixes: [".0.0.1"]\n${config}`);
}

/**
 * A user of the current release: STABLE installed and recorded in cloud-stable-version, nothing else
 * (a copy of the home that `teleport-tools update --version STABLE` left, set up once per file).
 */
export async function user(w: ClusterWorld, config = ''): Promise<Sandbox> {
  const sb = await sandbox(w);
  await copyTeleportHome(template.teleportHome, sb);
  await configure(sb, config);
  return sb;
}

export const record = (sb: Sandbox, profile: string) => readFile(join(sb.teleportHome, 'cluster-versions', profile), 'utf8').catch(() => undefined);
export const stable = (sb: Sandbox) => readFile(join(sb.teleportHome, 'cloud-stable-version'), 'utf8');

/**
 * The launchers' own lines on stderr, the download progress aside (the fake tsh's login, with no
 * cluster behind it, adds an ERROR line of its own).
 */
export const ours = (r: RunResult) => r.stderr.split('\n').filter((l) => l && !l.startsWith('ERROR:') && !/^Download(ing|ed) /.test(l));

/** The version `tool` runs with these arguments (it must exit 0). */
export async function runs(sb: Sandbox, tool: 'tsh' | 'tctl', args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await sb.tool(tool, [...args, 'version'], env);
  assert.equal(r.code, 0, r.stderr);
  return /Teleport v(\S+)/.exec(r.stdout)?.[1] ?? r.stdout;
}
