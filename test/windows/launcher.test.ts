// Windows, under Wine, with the real Windows node.exe: the packed package installs with Windows npm
// (with and without install scripts), and `cmd /c tsh.cmd …` (npm's own command shim) runs the Windows
// launcher: the first run installs the zip from a local HTTPS CDN, `tsh login` follows the cluster,
// exit codes keep all 32 bits, arguments and the environment reach tsh.exe as docs/behaviour.md items 3,
// 23 and 31 say, hostile zips are refused while the installed version keeps working, and a profile
// directory with a space and a non-ASCII TELEPORT_HOME work.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadWine, winPath, writeFakeExe } from './wine.js';
import type { WinResult, WineEnv } from './wine.js';
import { WinWorld } from './world.js';
import type { Home } from './world.js';

const VERSION = '17.0.1';
const CLUSTER_VERSION = '18.0.1';
const HOSTILE_VERSION = '19.0.0';
const wine = loadWine();
const skip = typeof wine === 'string' ? wine : false;

let tmp: string;
let world: WinWorld;
/** npm prefixes: installed with install scripts, and with --ignore-scripts. */
const prefixes: Record<'scripts' | 'noScripts', string> = { scripts: '', noScripts: '' };

/** `cmd /c <prefix>\<command> <args>` as that user. */
const as = (home: Home, command: string, args: string, env: Record<string, string> = {}, prefix = prefixes.scripts): Promise<WinResult> =>
  world.as(home, join(prefix, command), args, env);

before(async () => {
  if (skip) return;
  tmp = await mkdtemp(join(tmpdir(), 'tt-windows-'));
  world = await WinWorld.create(wine as WineEnv, tmp, VERSION);
  prefixes.scripts = join(tmp, 'npm-global');
  prefixes.noScripts = join(tmp, 'npm-global-no-scripts');
  await Promise.all([world.npmInstall(prefixes.scripts), world.npmInstall(prefixes.noScripts, ['--ignore-scripts']), world.serveZip(VERSION), world.serveZip(CLUSTER_VERSION)]);
  await world.serveZip(HOSTILE_VERSION, { extra: [{ name: '..\\..\\evil.exe', content: 'x' }] });
});
after(async () => {
  if (skip) return;
  await world.cdn.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('Windows (Wine): npm install -g and tsh.cmd', { skip, timeout: 900_000 }, () => {
  let home: Home;
  before(async () => {
    if (!skip) home = await world.makeHome('user');
  });

  it('npm made command shims for tsh, tctl and teleport-tools', async () => {
    for (const prefix of Object.values(prefixes)) {
      for (const name of ['tsh.cmd', 'tsh.ps1', 'tctl.cmd', 'teleport-tools.cmd']) assert.ok(existsSync(join(prefix, name)), `${prefix}\\${name}`);
      assert.match(await readFile(join(prefix, 'tsh.cmd'), 'utf8'), /node_modules\\teleport-tools\\bin\\tsh\.cjs" %\*/);
    }
  });

  it('the first run installs the zip (tsh.exe and tctl.exe only) and runs it', async () => {
    const r = await as(home, 'tsh.cmd', 'version');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Teleport v${VERSION} git:v${VERSION}-0-g0000000 go1.20\n`);
    assert.match(r.stderr, /Installing Teleport client tools v17\.0\.1\.\.\./);
    const files = (await readdir(join(home.teleportHome, 'cache', VERSION))).filter((f) => !f.startsWith('.'));
    assert.deepEqual(files.sort(), ['tctl.exe', 'tsh.exe']);
    assert.equal(await readFile(join(home.teleportHome, 'cloud-stable-version'), 'utf8'), `${VERSION}\n`);
    const tctl = await as(home, 'tctl.cmd', 'version');
    assert.equal(tctl.stdout, `Teleport v${VERSION} git:v${VERSION}-0-g0000000 go1.20\n`);
  });

  it('installed without install scripts, it works the same', async () => {
    const r = await as(home, 'tsh.cmd', 'version', {}, prefixes.noScripts);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v17\.0\.1 /);
  });

  it('passes the exit code on with all 32 bits', async () => {
    for (const code of [7, 300, 3221225786]) assert.equal((await as(home, 'tsh.cmd', `__exit ${code}`)).code, code);
  });

  it('gives tsh.exe the environment of items 3 and 31', async () => {
    const r = await as(home, 'tsh.cmd', '__env TELEPORT_TOOLS_VERSION TELEPORT_TOOLS_PATH_REEXEC TELEPORT_TOOLS_VERSION_REEXEC TELEPORT_TOOLS_DIR', {
      TELEPORT_TOOLS_VERSION_REEXEC: '1',
      TELEPORT_TOOLS_DIR: 'C:\\elsewhere',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      TELEPORT_TOOLS_VERSION: 'off',
      TELEPORT_TOOLS_PATH_REEXEC: winPath(join(prefixes.scripts, 'tsh.cmd')),
      TELEPORT_TOOLS_VERSION_REEXEC: null,
      TELEPORT_TOOLS_DIR: null,
    });
  });

  it('passes arguments with spaces, quotes, ^ and & as cmd.exe hands them over', async () => {
    // What cmd does before anything of ours runs (docs/install.md lists it): & outside quotes ends the
    // command, %NAME% expands, and a caret outside quotes is consumed twice, by cmd and by the batch
    // shim (^^^^ gives one). cmd knows no \" escape: after one, its idea of what is quoted is inverted
    // for the rest of the line, so that argument comes last. Everything cmd passes on reaches tsh.exe unchanged.
    const r = await as(home, 'tsh.cmd', '__args "a b" "x&y" "" --flag=a=b "semi;colon" a,b ^^^^y "^z" "C:\\Program Files\\x" "q\\"uote"');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['a b', 'x&y', '', '--flag=a=b', 'semi;colon', 'a,b', '^y', '^z', 'C:\\Program Files\\x', 'q"uote']);
  });

  it('tsh login follows the cluster: its version is installed and recorded for the profile', async () => {
    const proxy = `localhost:${new URL(world.cdn.url).port}`;
    world.cdn.setFind({ server_version: CLUSTER_VERSION, edition: 'oss', auto_update: { tools_version: CLUSTER_VERSION, tools_auto_update: true } });
    const login = await as(home, 'tsh.cmd', `login --proxy=${proxy}`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /^New client tools version for localhost detected: v18\.0\.1$/m);
    assert.equal(await readFile(join(home.teleportHome, 'cluster-versions', 'localhost'), 'utf8'), `${CLUSTER_VERSION}\n`);
    assert.match((await as(home, 'tsh.cmd', `--proxy=${proxy} version`)).stdout, /^Teleport v18\.0\.1 /);
    assert.match((await as(home, 'tsh.cmd', 'version')).stdout, /^Teleport v17\.0\.1 /);
  });

  it('a hostile zip is refused with one line and the installed version runs', async () => {
    const r = await as(home, 'tsh.cmd', 'version', { TELEPORT_TOOLS_VERSION: HOSTILE_VERSION });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /refusing archive: entry "\.\.\\\\\.\.\\\\evil\.exe" contains "\.\."/);
    assert.match(r.stdout, /^Teleport v18\.0\.1 /, 'the newest installed version');
    assert.equal(existsSync(join(home.teleportHome, 'cache', HOSTILE_VERSION)), false);
  });

  it('a profile directory with a space and a non-ASCII TELEPORT_HOME', async () => {
    const jane = await world.makeHome('Jane Doe', 'tëlepört hóme');
    const r = await as(jane, 'tsh.cmd', 'version');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Teleport v17\.0\.1 /);
    assert.ok(existsSync(join(jane.teleportHome, 'cache', VERSION, 'tsh.exe')));
  });

  it('teleport-tools status works; every cmc command says in one line that it is macOS and Linux only', async () => {
    const status = await as(home, 'teleport-tools.cmd', 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /17\.0\.1/);
    assert.match(status.stdout, /^Edition: +auto\n +edition and fips have no effect on Windows: Teleport publishes one build there, whatever the edition or FIPS setting$/m);
    assert.match(status.stdout, /^Platform: +windows-amd64$/m);
    for (const sub of ['setup', 'start', 'status', 'stop', 'remove']) {
      const r = await as(home, 'teleport-tools.cmd', `cmc ${sub}`);
      assert.equal(r.code, 1, `cmc ${sub}`);
      assert.equal(r.stderr, 'teleport-tools: Connect My Computer runs on macOS and Linux only (as in Teleport Connect), not on Windows\n');
    }
  });

  it('doctor names a tsh.exe that comes before the launcher on PATH', async () => {
    const other = join(tmp, 'Teleport Connect', 'bin');
    await mkdir(other, { recursive: true });
    await writeFakeExe(wine as WineEnv, 'tsh', '16.0.0', join(other, 'tsh.exe'));
    const doctor = (path: string): Promise<WinResult> => world.cmdAs(home, `set "PATH=${path};%PATH%"&& teleport-tools.cmd doctor`);
    const alone = await doctor(winPath(prefixes.scripts));
    assert.match(alone.stdout, /^ok +tsh +.*\\tsh\.cmd is the teleport-tools launcher/m);
    const shadowed = await doctor(`${winPath(other)};${winPath(prefixes.scripts)}`);
    assert.ok(shadowed.stdout.includes(`${winPath(join(other, 'tsh.exe'))} comes first on PATH and is not the teleport-tools launcher`), shadowed.stdout);
    // The fix is written for cmd.exe: double quotes, and no POSIX shell's `hash -r`.
    assert.ok(shadowed.stdout.includes(`before "${winPath(other)}" in PATH, or remove "${winPath(join(other, 'tsh.exe'))}"`), shadowed.stdout);
    assert.match(shadowed.stdout, /then open a new terminal/);
    assert.doesNotMatch(shadowed.stdout, /hash -r/);
    assert.equal(shadowed.code, 1);
  });
});
