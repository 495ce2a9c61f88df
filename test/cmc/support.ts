// A world for Connect My Computer tests: one fake CDN + proxy (HTTPS on 127.0.0.1, answering
// /webapi/ping) serving a release whose fake tsh/tctl/teleport talk to a fake cluster, and per test a
// sandbox user with its own HOME, TELEPORT_HOME, XDG directories and cluster file, with client tools
// installed through `teleport-tools update` and logged in through the `tsh` launcher.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer, PingBody } from '../helpers/cdn-server.js';
import { buildRelease } from '../helpers/release.js';
import type { BuiltRelease } from '../helpers/release.js';
import { CLI, createSandbox } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';
import { FakeCluster, defaultCluster } from '../helpers/fake-cluster.js';
import { tlsPems } from '../helpers/tls.js';
import { pidRuns } from '../../src/process-liveness.js';
import type { FakeClusterState } from '../helpers/fake-cluster.js';

export const VERSION = '13.2.3';

export interface World {
  cdn: CdnServer;
  release: BuiltRelease;
  /** host:port of the fake proxy. */
  proxy: string;
  close(): Promise<void>;
}

/** Starts the CDN/proxy and serves the release (one per test file). */
export async function startWorld(ping: Partial<PingBody> = { server_version: VERSION, cluster_name: 'fake.example.com' }): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'tt-cmc-release-'));
  const release = await buildRelease({ dir, version: VERSION });
  const cdn = await startCdn({ ping });
  cdn.serveRelease(release);
  return {
    cdn,
    release,
    proxy: new URL(cdn.url).host,
    close: async () => {
      await cdn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A cluster proxy of its own (answering /webapi/ping), whose certificate a test can change. */
export interface Proxy {
  /** host:port */
  host: string;
  /** Pings answered so far. */
  pings: number;
  /** From the next connection on, present the test CA's certificate (trusted) or the untrusted one. */
  present(cert: 'test' | 'other'): void;
  close(): Promise<void>;
}

export async function startProxy(cert: 'test' | 'other', ping: Partial<PingBody> = { server_version: VERSION, cluster_name: 'fake.example.com' }): Promise<Proxy> {
  const pair = (c: 'test' | 'other') => (c === 'other' ? { cert: tlsPems.otherCert, key: tlsPems.otherKey } : { cert: tlsPems.cert, key: tlsPems.key });
  const body = JSON.stringify({ proxy: {}, auth: {}, min_client_version: '12.0.0', ...ping });
  const proxy = { pings: 0 } as Proxy;
  const server = createHttpsServer(pair(cert), (req, res) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/webapi/ping') return void res.writeHead(404).end();
    proxy.pings++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  server.on('tlsClientError', () => undefined); // clients that distrust the certificate hang up
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    present: (c: 'test' | 'other') => server.setSecureContext(pair(c)),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

export interface Fixture {
  world: World;
  sb: CmcSandbox;
  /** With `selfSigned`: the cluster's proxy, whose certificate this computer does not trust. */
  proxy?: Proxy;
}

/**
 * A world of its own and a sandbox in it, both removed after the test: tests that count requests or
 * change the proxy's answers can then run side by side.
 */
export async function fixture(
  t: { after: (fn: () => Promise<void>) => void },
  opts: SandboxOptions & { ping?: Partial<PingBody>; selfSigned?: boolean } = {},
): Promise<Fixture> {
  const world = await startWorld(opts.ping);
  t.after(() => world.close());
  if (!opts.selfSigned) {
    const sb = await createCmcSandbox(world, opts);
    t.after(() => sb.remove());
    return { world, sb };
  }
  // The CDN stays trusted (client tools and agent downloads); the cluster's proxy is not.
  const proxy = await startProxy('other', opts.ping);
  t.after(() => proxy.close());
  const sb = await createCmcSandbox({ ...world, proxy: proxy.host }, {
    ...opts,
    cluster: (s) => {
      s.selfSigned = true;
      opts.cluster?.(s);
    },
  });
  t.after(() => sb.remove());
  return { world, sb, proxy };
}

export interface CmcSandbox extends Sandbox {
  cluster: FakeCluster;
  /** The profile name: the proxy host. */
  profile: string;
  userData: string;
  connectCache: string;
  agentDir: string;
  cmc(args: readonly string[], extra?: Record<string, string | undefined>): Promise<RunResult>;
  /** Starts `teleport-tools cmc <args>` without waiting for it. */
  spawnCmc(args: readonly string[], extra?: Record<string, string | undefined>): Running;
}

export interface SandboxOptions {
  /** Extra environment for every command the sandbox runs (e.g. TELEPORT_TOOLS_TEST_PLATFORM). */
  env?: Record<string, string>;
  user?: string;
  login?: boolean;
  cluster?: (s: FakeClusterState) => void;
}

export async function createCmcSandbox(world: World, opts: SandboxOptions = {}): Promise<CmcSandbox> {
  const sb = await createSandbox({ cdnBaseUrl: world.cdn.url, versionUrl: world.cdn.versionUrl });
  const xdgConfig = join(sb.root, 'xdg-config');
  const xdgCache = join(sb.root, 'xdg-cache');
  const clusterFile = join(sb.root, 'cluster.json');
  Object.assign(sb.env, { XDG_CONFIG_HOME: xdgConfig, XDG_CACHE_HOME: xdgCache, FAKE_TELEPORT_CLUSTER: clusterFile, ...opts.env });
  const state = defaultCluster(world.proxy);
  opts.cluster?.(state);
  const cluster = await FakeCluster.create(clusterFile, state);
  const installed = await sb.cli(['update', '--version', VERSION]);
  assert.equal(installed.code, 0, installed.stderr);
  if (opts.login !== false) {
    const login = await sb.tool('tsh', ['login', ...(state.selfSigned ? ['--insecure'] : []), `--proxy=${world.proxy}`, `--user=${opts.user ?? 'alice'}`]);
    assert.equal(login.code, 0, login.stderr);
  }
  const profile = world.proxy.replace(/:\d+$/, '');
  const userData = join(xdgConfig, 'Teleport Connect');
  const running = new Set<Running>();
  return {
    ...sb,
    // A failed test must not leave its `cmc start` (and so the test file) running.
    remove: async () => {
      for (const r of running) r.child.kill('SIGKILL');
      await Promise.all([...running].map((r) => r.exited));
      await sb.remove();
    },
    cluster,
    profile,
    userData,
    connectCache: join(xdgCache, 'Teleport Connect'),
    agentDir: join(userData, 'agents', profile),
    cmc: (args, extra = {}) => sb.cli(['cmc', ...args], extra),
    spawnCmc: (args, extra = {}) => {
      const r = new Running(spawn(process.execPath, [CLI, 'cmc', ...args], { env: clean({ ...sb.env, ...extra }), cwd: sb.home }));
      running.add(r);
      void r.exited.then(() => running.delete(r));
      return r;
    },
  };
}

function clean(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A running process whose output lines can be awaited. */
export class Running {
  stdout = '';
  stderr = '';
  readonly exited: Promise<RunResult>;
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdin.end();
    const wake = (): void => this.waiters.forEach((w) => w());
    child.stdout.on('data', (d: Buffer) => {
      this.stdout += d.toString();
      wake();
    });
    child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      wake();
    });
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => {
      wake();
      resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
    }));
  }

  get pid(): number {
    return this.child.pid as number;
  }

  /** Resolves once stdout matches `pattern`; fails on exit or after `ms`. */
  async waitFor(pattern: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = this.stdout.match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        assert.fail(`no ${pattern} in stdout (exit ${this.child.exitCode ?? this.child.signalCode}):\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }
}

/** A process (anyone's, not a zombie) runs under `pid`: the product's own check. */
export function isAlive(pid: number): boolean {
  return pidRuns(pid);
}

/** Polls until `pid` is gone; returns how long that took (ms), or fails after `ms`. */
export async function waitGone(pid: number, ms: number): Promise<number> {
  const start = Date.now();
  while (isAlive(pid)) {
    if (Date.now() - start > ms) assert.fail(`process ${pid} still alive after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

/** PIDs of live processes whose command line mentions `text` (e.g. the sandbox root). */
export async function processesMentioning(text: string): Promise<number[]> {
  const { stdout } = await promisify(execFile)('ps', ['-A', '-o', 'pid=', '-o', 'args=']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(text))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => pid !== process.pid && isAlive(pid));
}

/** Every path below `dir` (relative), sorted; [] when it does not exist. */
export async function tree(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return all.sort();
}

/**
 * Nothing half-done left: no agent process, no temp/staging/trash/lock entries, no run record (a run
 * killed by SIGKILL leaves its record, for the next run to take over: `runRecord: true` allows it).
 * (What a finished step legitimately leaves, a role or the agent binary, is the test's to check.)
 */
export async function assertNothingLeft(sb: CmcSandbox, opts: { runRecord?: boolean } = {}): Promise<void> {
  assert.deepEqual(await processesMentioning(sb.root), [], 'no agent, watchdog or cmc process left');
  const stray = [...(await tree(sb.userData)), ...(await tree(sb.connectCache))].filter(
    (p) => /(\.tmp$|(^|\/)\.staging-|(^|\/)\.trash-|(^|\/)\.lock$)/.test(p) || (!opts.runRecord && p.endsWith('teleport-tools-run.json')),
  );
  assert.deepEqual(stray, [], 'no temp, staging, trash, lock or run files');
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

/** A sandbox in `world` where `cmc setup` already ran, removed after the test. */
/** The arguments of a live process (Linux). */
export function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

/**
 * A stand-in for an agent that Teleport Connect started: a real process, not ours, whose arguments
 * are `teleport start --config=<config>` (after node's own). Killed after the test.
 */
export function standInAgent(t: { after: (fn: () => Promise<void>) => void }, config: string): Running {
  const r = new Running(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30); console.log("ready")', 'start', `--config=${config}`]));
  t.after(async () => {
    r.child.kill('SIGKILL');
    await r.exited;
  });
  return r;
}

export async function setUpSandbox(world: World, t: { after: (fn: () => Promise<void>) => void }): Promise<CmcSandbox> {
  const sb = await createCmcSandbox(world);
  t.after(() => sb.remove());
  const r = await sb.cmc(['setup']);
  assert.equal(r.code, 0, r.stderr);
  return sb;
}

export interface StatusReport {
  running: boolean;
  insecure: boolean;
  sharedByConnect: { pids: number[] } | null;
  autoStart: boolean;
  nodeUuid: string | null;
  runBy: { command: string; pid: number; agentPid: number | null } | null;
  compatibility: { status: string; agentVersion: string | null; clusterVersion: string | null; message: string };
  setup: { completed: boolean };
  lastFailure: { message: string } | null;
  lastErrors: string[];
}

/** `cmc status --json`. */
export async function cmcStatus(sb: CmcSandbox): Promise<StatusReport> {
  const r = await sb.cmc(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusReport;
}

/** Starts `cmc start` and waits until it says the node is visible; the run, the agent's PID, the node. */
export async function share(sb: CmcSandbox): Promise<{ run: Running; agentPid: number; uuid: string }> {
  const run = sb.spawnCmc(['start']);
  const m = await run.waitFor(/as node \S+ \(([0-9a-f-]{36})\)\.\n(.*\n)*Press Ctrl-C to stop sharing\./);
  const s = await cmcStatus(sb);
  assert.equal(s.running, true);
  assert.equal(s.runBy?.command, 'start');
  assert.equal(s.runBy?.pid, run.pid);
  assert.ok(s.runBy?.agentPid && isAlive(s.runBy.agentPid), 'the agent runs');
  return { run, agentPid: s.runBy.agentPid, uuid: m[1] ?? '' };
}

/** Ctrl-C to a `cmc start`; it must exit 0. */
export async function interrupt(run: Running): Promise<RunResult> {
  run.child.kill('SIGINT');
  const done = await run.exited;
  assert.equal(done.code, 0, done.stderr);
  return done;
}

type StateFile = { profiles: Record<string, { autoStart?: boolean; setupCompleted?: boolean; nodeUuid?: string; insecure?: boolean }> };

/** The sandbox profile's entry in teleport-tools-cmc.json (undefined: none, or no file). */
export async function profileState(sb: CmcSandbox): Promise<StateFile['profiles'][string] | undefined> {
  const state = await readJson<StateFile>(join(sb.userData, 'teleport-tools-cmc.json')).catch((): StateFile => ({ profiles: {} }));
  return state.profiles[sb.profile];
}
