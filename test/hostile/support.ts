// The hostile-input catalogue, end to end through the launcher: a user with v13.2.3 installed and recorded
// runs `tsh login` to a Cloud proxy while the version endpoint announces v13.3.0 and something about
// v13.3.0 (its archive, its checksum, the version body, the server, the local disk) is hostile. Each case
// checks what the user sees (one warning line, then their tsh login exactly as if run directly) and what
// is left: the same cloud-stable-version, the same verified cache, no staging, nothing written outside
// TELEPORT_HOME, and a tsh that still runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, cp, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { verifiedVersions, recordedVersion, leftovers } from '../helpers/cache-invariants.js';
import { FakeCluster, defaultCluster } from '../helpers/fake-cluster.js';
import { fakeVersion, versionLine } from '../helpers/fake-programs.js';
import { ESCAPE_PATHS } from '../helpers/hostile-archives.js';
import { run } from '../helpers/sandbox.js';
import type { RunResult } from '../helpers/sandbox.js';
import { world } from '../launcher/world.js';
import type { World } from '../launcher/world.js';

export const V1 = '13.2.3';
export const V2 = '13.3.0';
export const LOGIN = ['login', '--proxy=acme.teleport.sh'];
/** A hang or a trickle must cost seconds, not the default 30 s a try. */
export const SHORT_TIMEOUT = { TELEPORT_TOOLS_HTTP_TIMEOUT: '2' };
/** Hangs and trickles included, a case is a failure after this long, not a stuck run. */
export const TIMEOUT = { timeout: 60_000 };

export type TestContext = { after(fn: () => Promise<void>): void };

/** The warning a failed update prints, whatever failed. */
export function updateWarning(detail: string): string {
  return `teleport-tools: warning: could not update tsh/tctl: ${detail}; using the installed version`;
}

/** A RegExp for a warning whose detail varies (byte counts, random names): `detail` is a RegExp source. */
export function updateWarningLike(detail: string): RegExp {
  return new RegExp(`^${escape(updateWarning('\u0000')).replace('\u0000', detail)}$`);
}

export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const sh = promisify(execFile);

/** A home with V1 installed by `teleport-tools update` (once per test file), copied into each scene. */
let template: Promise<World> | undefined;
function installedHome(): Promise<World> {
  template ??= (async () => {
    const w = await world([V1], V1);
    await w.preinstall(V1);
    await w.cdn.close();
    return w;
  })();
  return template;
}
after(async () => {
  await (await template)?.sb.remove();
});

export interface Scene {
  w: World;
  /** V2's archive: file name and URL path on the CDN. */
  name: string;
  path: string;
  /** Added to every run's environment: the fake cluster tsh login talks to. */
  env: Record<string, string>;
  /** Registers cleanup that must run before the sandbox is removed (an unmount), last in, first out. */
  cleanup(fn: () => Promise<unknown>): void;
  /** `tsh login --proxy=acme.teleport.sh` through the launcher. */
  login(extra?: Record<string, string>): Promise<RunResult>;
  /** The same login run directly with V1's installed tsh: what the user would see without us. */
  direct(extra?: Record<string, string>): Promise<RunResult>;
}

export interface SceneOptions {
  /** Runs on the empty TELEPORT_HOME before V1 is copied in (e.g. mount a file system there). */
  prepareHome?: (s: Scene) => Promise<void>;
}

/** A user with V1 installed and recorded; the version endpoint announces V2, which the CDN serves. */
export async function scene(t: TestContext, opts: SceneOptions = {}): Promise<Scene> {
  const w = await world([V1, V2], V2);
  const cleanups: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await w.dispose();
  });
  const cluster = await FakeCluster.create(join(w.sb.root, 'cluster.json'), defaultCluster('acme.teleport.sh:443'));
  const env = { FAKE_TELEPORT_CLUSTER: cluster.file, TELEPORT_USER: 'alice' };
  const path = await w.archivePath(V2);
  const s: Scene = {
    w,
    name: path.slice(1),
    path,
    env,
    cleanup: (fn) => cleanups.push(fn),
    login: (extra = {}) => w.sb.tool('tsh', LOGIN, { ...env, ...extra }),
    direct: (extra = {}) => run(join(w.sb.cacheDir, V1, 'tsh'), LOGIN, { env: { ...w.sb.env, ...env, ...extra }, cwd: w.sb.home }),
  };
  await mkdir(w.sb.teleportHome, { recursive: true, mode: 0o700 });
  await opts.prepareHome?.(s);
  await cp((await installedHome()).sb.teleportHome, w.sb.teleportHome, { recursive: true });
  return s;
}

/** Every path under the sandbox outside TELEPORT_HOME, with what would show a write: type, size, mtime. */
export async function outsideHome(s: Scene): Promise<string[]> {
  const all = await readdir(s.w.sb.root, { recursive: true });
  const home = `${join('home', '.tsh')}`;
  const rows = await Promise.all(
    all
      .filter((p) => p !== home && !p.startsWith(`${home}/`))
      .map(async (p) => {
        const st = await lstat(join(s.w.sb.root, p));
        return `${p} ${st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file'} ${st.isDirectory() ? '' : st.size} ${st.mtimeMs}`;
      }),
  );
  return rows.sort();
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** tsh's own output, with what changes from one login to the next (the certificate's expiry) blanked. */
function normalised(r: RunResult): { code: number | null; stdout: string; stderr: string } {
  const blank = (text: string) => text.replace(/Valid until: +\S+/g, 'Valid until: <time>').replace(/\.\d+\.tmp\b/g, '.<pid>.tmp');
  return { code: r.code, stdout: blank(r.stdout), stderr: blank(r.stderr) };
}

/** Lines of ours (not tsh's) that may come with a failed update, besides the one warning. */
const PROGRESS = [
  `New cloud-stable version of Teleport detected: v${V2}`,
  /^Downloading \S+ \([^)]*\)\.\.\.$/,
  /^Download of \S+ stopped after [\d.]+ s \([^)]*\)$/,
];

/** Splits a launcher's stderr into our lines and the rest (tsh's own). */
function ours(stderr: string): { warnings: string[]; progress: string[]; rest: string } {
  const lines = stderr.split('\n');
  const warnings = lines.filter((l) => l.startsWith('teleport-tools: warning: '));
  const progress = lines.filter((l) => PROGRESS.some((p) => (typeof p === 'string' ? p === l : p.test(l))));
  const rest = lines.filter((l) => !warnings.includes(l) && !progress.includes(l)).join('\n');
  return { warnings, progress, rest };
}

/**
 * Before the hostile run: a baseline of tsh login (which logs in, unless `loginFails`: a read-only
 * TELEPORT_HOME stops tsh too) and of everything outside TELEPORT_HOME.
 */
export async function baseline(s: Scene, opts: { loginFails?: boolean } = {}): Promise<{ direct: RunResult; outside: string[] }> {
  const direct = await s.direct();
  if (!opts.loginFails) {
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(direct.stdout, /^> Profile URL: +https:\/\/acme\.teleport\.sh:443\n +Logged in as: +alice\n/);
  }
  return { direct, outside: await outsideHome(s) };
}

/**
 * The update failed open: exactly one warning (`warning`), tsh login ran as it does directly (exit
 * status, stdout, its own stderr), and nothing changed: cloud-stable-version, the verified cache, no
 * staging, no lock, nothing outside TELEPORT_HOME or at the archive escapes' targets; tsh still runs V1.
 */
export async function assertFailedOpen(s: Scene, base: { direct: RunResult; outside: string[] }, r: RunResult, warning: string | RegExp): Promise<void> {
  const { warnings, rest } = ours(r.stderr);
  assert.equal(warnings.length, 1, `one warning line:\n${r.stderr}`);
  if (typeof warning === 'string') assert.equal(warnings[0], warning);
  else assert.match(warnings[0] ?? '', warning);
  const direct = normalised(base.direct);
  assert.deepEqual(normalised({ ...r, stderr: rest }), direct, 'tsh login behaved as when run directly');
  await assertUnchanged(s, base.outside);
}

/** Nothing changed since `outside` was taken, and V1 still runs. */
export async function assertUnchanged(s: Scene, outside: string[]): Promise<void> {
  const { sb } = s.w;
  assert.equal(await recordedVersion(sb.teleportHome), `${V1}\n`, 'cloud-stable-version unchanged');
  assert.deepEqual(await verifiedVersions(sb.cacheDir), [V1], 'no new version directory, V1 intact');
  assert.deepEqual(await sb.cacheEntries(), [V1], 'no staging, trash or lock left');
  assert.deepEqual(await outsideHome(s), outside, 'nothing written outside TELEPORT_HOME');
  for (const escaped of [ESCAPE_PATHS.absolute, ...[sb.cacheDir, sb.teleportHome, sb.home, sb.root, tmpdir()].map((d) => join(d, ESCAPE_PATHS.dotdotName))]) {
    assert.equal(await exists(escaped), false, `${escaped} must not exist`);
  }
  const v = await sb.tool('tsh', ['version']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout, `${versionLine(fakeVersion({ version: V1 }))}\n`, 'the installed tsh still runs');
}

/** The update went through (a harmless oddity): V2 installed, recorded and run, no warning, no leftovers. */
export async function assertUpdated(s: Scene, base: { direct: RunResult; outside: string[] }, r: RunResult): Promise<void> {
  const { sb } = s.w;
  assert.match(r.stderr, new RegExp(`^Updated tsh/tctl to version v${escape(V2)}!$`, 'm'));
  assert.doesNotMatch(r.stderr, /warning/);
  const lines = r.stderr.split('\n').filter((l) => !/^(New cloud-stable version|Downloading |Downloaded |Updated tsh\/tctl)/.test(l)).join('\n');
  assert.deepEqual(normalised({ ...r, stderr: lines }), normalised(base.direct), 'tsh login behaved as when run directly');
  assert.equal(await recordedVersion(sb.teleportHome), `${V2}\n`);
  assert.deepEqual(await verifiedVersions(sb.cacheDir), [V1, V2]);
  assert.deepEqual(await leftovers(sb.cacheDir), []);
  assert.deepEqual(await outsideHome(s), base.outside, 'nothing written outside TELEPORT_HOME');
  const v = await sb.tool('tsh', ['version']);
  assert.equal(v.stdout, `${versionLine(fakeVersion({ version: V2 }))}\n`);
}

/**
 * Can this process mount file systems (root, and a sandbox that allows it)? Checked once, by mounting
 * a tiny tmpfs on a temporary directory.
 */
let mountable: Promise<boolean> | undefined;
export function canMount(): Promise<boolean> {
  mountable ??= (async () => {
    if (process.getuid?.() !== 0) return false;
    const dir = await mkdtemp(join(tmpdir(), 'tt-mount-probe-'));
    try {
      await sh('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
      await sh('umount', [dir]);
      return true;
    } catch {
      return false;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return mountable;
}

/** Mounts a tmpfs of `size` (e.g. `512k`) at `dir`, unmounted by the scene's cleanup. */
export async function mountTmpfs(s: Scene, dir: string, size: string): Promise<void> {
  await sh('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir]);
  s.cleanup(() => sh('umount', [dir]));
}

export async function remountReadOnly(dir: string): Promise<void> {
  await sh('mount', ['-o', 'remount,ro', dir]);
}
