// A throw-away user for one test: its own HOME and TELEPORT_HOME, a bin directory with the launchers
// linked in as npm links them, and a scrubbed environment. Runs the built CLI and launchers as real
// processes and answers "what did they leave behind?".
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cp, mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tlsPaths } from './tls.js';

/** The repository root (this file runs from dist/test/helpers). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(REPO, 'dist', 'src', 'cli', 'main.js');
export const SHIMS = join(REPO, 'shims');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
}

/** Spawns `file` and collects its output; never rejects for a non-zero exit. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(opts.env ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
    const child = spawn(file, args, { env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject).on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(opts.input);
  });
}

export interface Sandbox {
  root: string;
  home: string;
  teleportHome: string;
  cacheDir: string;
  /** Holds `tsh` and `tctl` symlinks to shims/ (like npm's bin links) and is first on PATH. */
  bin: string;
  /** The scrubbed environment every run starts from: no proxies, no CI, the test CA trusted. */
  env: Record<string, string | undefined>;
  /** Runs the management CLI with `env` plus `extra`. */
  cli(args: readonly string[], extra?: Record<string, string | undefined>): Promise<RunResult>;
  /** Runs `bin/<tool>` (the launcher) with `env` plus `extra`. */
  tool(tool: 'tsh' | 'tctl', args: readonly string[], extra?: Record<string, string | undefined>): Promise<RunResult>;
  /** Every entry in the cache directory (dot-entries included), sorted; [] when it does not exist. */
  cacheEntries(): Promise<string[]>;
  /** Is `$TELEPORT_HOME/cloud-stable-version` there? */
  hasVersionFile(): Promise<boolean>;
  remove(): Promise<void>;
}

export interface SandboxOptions {
  /** Version endpoint and CDN, usually a CdnServer's `versionUrl` and `url`. */
  versionUrl?: string;
  cdnBaseUrl?: string;
  /**
   * Keep every request for a host outside this machine (such as the find request of a `tsh login` to
   * `acme.teleport.sh`) on loopback: HTTPS_PROXY names a local listener that closes each connection at
   * once, and NO_PROXY exempts the loopback names. No DNS query or connection leaves the machine; the
   * request fails at once, as with an unreachable proxy.
   */
  stayLocal?: boolean;
}

/** A listener on 127.0.0.1 that closes every connection: a proxy that never gets anyone anywhere. */
async function closedDoor(): Promise<{ url: string; close(): void }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** PATH entries the shims need: node (for the slow path) and the base system (sh, readlink). */
export const SYSTEM_PATH = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');

export async function createSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'tt-sandbox-'));
  const home = join(root, 'home');
  const teleportHome = join(home, '.tsh');
  const bin = join(root, 'bin');
  await mkdir(home, { recursive: true, mode: 0o700 });
  await mkdir(bin);
  await symlink(join(SHIMS, 'tsh'), join(bin, 'tsh'));
  await symlink(join(SHIMS, 'tctl'), join(bin, 'tctl'));
  const env: Record<string, string | undefined> = {
    HOME: home,
    TELEPORT_HOME: teleportHome,
    PATH: `${bin}:${SYSTEM_PATH}`,
    NODE_EXTRA_CA_CERTS: tlsPaths.ca,
    TELEPORT_TOOLS_VERSION_URL: opts.versionUrl,
    TELEPORT_CDN_BASE_URL: opts.cdnBaseUrl,
    LANG: 'C.UTF-8',
  };
  const door = opts.stayLocal ? await closedDoor() : undefined;
  if (door) {
    env.HTTPS_PROXY = door.url;
    env.NO_PROXY = '127.0.0.1,localhost,::1';
  }
  const cacheDir = join(teleportHome, 'cache');
  return {
    root,
    home,
    teleportHome,
    cacheDir,
    bin,
    env,
    cli: (args, extra = {}) => run(process.execPath, [CLI, ...args], { env: { ...env, ...extra }, cwd: home }),
    tool: (tool, args, extra = {}) => run(join(bin, tool), args, { env: { ...env, ...extra }, cwd: home }),
    cacheEntries: async () => (await readdir(cacheDir).catch(() => [] as string[])).sort(),
    hasVersionFile: () => stat(join(teleportHome, 'cloud-stable-version')).then(() => true, () => false),
    remove: async () => {
      door?.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Gives `sb` a copy of the TELEPORT_HOME at `from` (modes, links and times kept, nothing else of the
 * sandbox): set a user up once per file, for instance through `teleport-tools update`, and copy that
 * home into each test's sandbox, instead of installing through the CLI again for every test.
 */
export async function copyTeleportHome(from: string, sb: Sandbox): Promise<void> {
  await rm(sb.teleportHome, { recursive: true, force: true });
  await cp(from, sb.teleportHome, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true, force: false });
}
