// What users get from npm: `npm pack` holds only the built code, the launchers, README and licence; the
// tarball installs into a fresh prefix with `npm install -g --prefix`, and the commands work from there
// through npm's bin symlinks (the first `tsh` installs from the test CDN). `npm uninstall -g` removes
// the commands and leaves $TELEPORT_HOME alone. The npm registry (or npm's cache) provides the
// dependencies; everything else stays on loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { noNpm, npm, packRepo } from '../helpers/npm.js';
import { buildRelease } from '../helpers/release.js';
import { FakeCluster, defaultCluster } from '../helpers/fake-cluster.js';
import { REPO, SYSTEM_PATH, createSandbox, run } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';

const VERSION = '17.0.1';
/** What a self-hosted cluster (the same server, as `localhost`) asks for through managed updates. */
const CLUSTER_VERSION = '18.0.1';

let tmp: string;
let prefix: string;
let tarball: string;
let packed: string[];
let cdn: CdnServer;
let box: Sandbox;
let pkg: { name: string; version: string };

before(async () => {
  if (noNpm) return;
  tmp = await mkdtemp(join(tmpdir(), 'tt-pack-'));
  prefix = join(tmp, 'prefix');
  pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as typeof pkg;
  ({ tarball, files: packed } = await packRepo(tmp));
  const release = await buildRelease({ dir: join(tmp, 'cdn'), version: VERSION });
  cdn = await startCdn({ version: `v${VERSION}` });
  cdn.serveRelease(release);
  cdn.serveRelease(await buildRelease({ dir: join(tmp, 'cdn'), version: VERSION, os: 'darwin', arch: 'arm64' }));
  cdn.serveRelease(await buildRelease({ dir: join(tmp, 'cdn'), version: CLUSTER_VERSION }));
  cdn.setFind({ server_version: CLUSTER_VERSION, edition: 'oss', auto_update: { tools_version: CLUSTER_VERSION, tools_auto_update: true } });
  box = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
  // Only the installed package's commands: the launchers linked from the repository are not on PATH.
  box.env.PATH = `${join(prefix, 'bin')}:${SYSTEM_PATH}`;
});
after(async () => {
  if (noNpm) return;
  await cdn.close();
  await box.remove();
  await rm(tmp, { recursive: true, force: true });
});

const bin = (name: string): string => join(prefix, 'bin', name);
const runBin = (name: string, args: string[], extra: Record<string, string | undefined> = {}): Promise<RunResult> =>
  run(bin(name), args, { env: { ...box.env, ...extra }, cwd: box.home });

describe('the npm package', { skip: noNpm, timeout: 180_000 }, () => {
  it('holds only dist/src, the launchers, the bin entries, README, LICENSE and package.json', async () => {
    const allowed = /^(dist\/src\/.+\.c?js|shims\/tsh|shims\/tctl|bin\/(tsh|tctl|swap)\.cjs|README\.md|LICENSE|package\.json)$/;
    assert.deepEqual(packed.filter((f) => !allowed.test(f)), []);
    for (const required of ['LICENSE', 'package.json', 'shims/tsh', 'shims/tctl', 'bin/tsh.cjs', 'bin/tctl.cjs', 'bin/swap.cjs', 'dist/src/cli/main.js', 'dist/src/launcher/main.cjs', 'dist/src/launcher/run.cjs']) {
      assert.ok(packed.includes(required), `${required} is missing from the package`);
    }
    if (existsSync(join(REPO, 'README.md'))) assert.ok(packed.includes('README.md'));
    // Every compiled file comes from a current source file: no stale output from a deleted module ships.
    for (const file of packed.filter((f) => f.startsWith('dist/src/'))) {
      // The launcher's CommonJS bundles (scripts/postbuild.mjs) come from the module of the same name.
      const source = file.replace(/^dist\//, '').replace(/\.c?js$/, '.ts');
      assert.ok(existsSync(join(REPO, source)), `${file} has no ${source}: stale build output (rm -rf dist && npm run build)`);
    }
    assert.match(await readFile(join(REPO, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
  });

  it('installs into a fresh prefix with npm install -g --prefix; the install script puts the sh launchers in place', async () => {
    const r = await npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--allow-scripts=teleport-tools', tarball], tmp);
    assert.equal(r.code, 0, r.stderr);
    const lib = join(prefix, 'lib', 'node_modules', pkg.name);
    for (const [name, target] of [['tsh', 'bin/tsh.cjs'], ['tctl', 'bin/tctl.cjs'], ['teleport-tools', 'dist/src/cli/main.js']] as const) {
      assert.ok((await lstat(bin(name))).isSymbolicLink(), `${name} is an npm bin link`);
      assert.equal(await readlink(bin(name)), `../lib/node_modules/${pkg.name}/${target}`);
      assert.ok(((await lstat(join(lib, target))).mode & 0o111) !== 0, `${target} is executable`);
    }
    for (const tool of ['tsh', 'tctl']) {
      assert.equal(await readFile(join(lib, 'bin', `${tool}.cjs`), 'utf8'), await readFile(join(REPO, 'shims', tool), 'utf8'), `bin/${tool}.cjs is the sh launcher`);
    }
  });

  it('teleport-tools works from there', async () => {
    const help = await runBin('teleport-tools', ['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const command of ['status', 'update', 'config', 'clean', 'doctor', 'completion', 'cmc']) assert.match(help.stdout, new RegExp(`teleport-tools ${command}`));
    const version = await runBin('teleport-tools', ['--version']);
    assert.equal(version.stdout.trim(), pkg.version);
    const completion = await runBin('teleport-tools', ['completion'], { SHELL: '/bin/bash' });
    assert.match(completion.stdout, /complete -o bashdefault -o default -F _teleport-tools_yargs_completions teleport-tools/);
  });

  it('tsh installs on first run through the bin link, then runs without Node.js or network', async () => {
    const first = await runBin('tsh', ['version']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Teleport v17\.0\.1 git:\S+ go1\.20\n$/);
    assert.match(first.stderr, /^Installing Teleport client tools v17\.0\.1\.\.\.$/m);
    assert.equal((await readFile(join(box.teleportHome, 'cloud-stable-version'), 'utf8')), `${VERSION}\n`);

    const mark = cdn.requests.length;
    // PATH without node: the launcher's fast path needs only sh.
    const onlyBin = { PATH: join(prefix, 'bin') };
    const env = await runBin('tsh', ['__env', 'TELEPORT_TOOLS_PATH_REEXEC', 'TELEPORT_TOOLS_VERSION'], onlyBin);
    assert.equal(env.code, 0, env.stderr);
    assert.deepEqual(JSON.parse(env.stdout), { TELEPORT_TOOLS_PATH_REEXEC: bin('tsh'), TELEPORT_TOOLS_VERSION: 'off' });
    const tctl = await runBin('tctl', ['version'], onlyBin);
    assert.equal(tctl.code, 0, tctl.stderr);
    assert.match(tctl.stdout, /^Teleport v17\.0\.1 /);
    assert.equal(cdn.requests.length, mark, 'the fast path makes no request');
  });

  it('teleport-tools cmc status from there: an --insecure profile pings an untrusted proxy, and a Teleport Connect agent shows', async (t) => {
    // Remembered state as `cmc setup --insecure` leaves it, for a proxy whose CA this computer does not trust.
    const proxy = await startCdn({ cert: 'other', ping: { server_version: VERSION } });
    t.after(() => proxy.close());
    const userData = join(tmp, 'xdg config', 'Teleport Connect');
    const profile = '127.0.0.1';
    await mkdir(userData, { recursive: true });
    const state = { version: 1, profiles: { [profile]: { insecure: true, proxyAddr: new URL(proxy.url).host, setupCompleted: true } } };
    await writeFile(join(userData, 'teleport-tools-cmc.json'), JSON.stringify(state));
    const connect = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30); console.log("ready")', 'start', `--config=${join(userData, 'agents', profile, 'config.yaml')}`]);
    t.after(() => connect.kill('SIGKILL'));
    await once(connect.stdout, 'data');

    const r = await runBin('teleport-tools', ['cmc', 'status', '--json', '--profile', profile], { XDG_CONFIG_HOME: join(tmp, 'xdg config') });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { insecure: boolean; sharedByConnect: { pids: number[] } | null; compatibility: { clusterVersion: string | null } };
    assert.equal(report.insecure, true);
    assert.equal(report.compatibility.clusterVersion, VERSION, 'the ping skipped certificate checks');
    assert.deepEqual(report.sharedByConnect, { pids: [connect.pid] });
    assert.equal(connect.exitCode, null, 'never signalled');
  });

  it('tsh login follows a cluster with managed updates: one version for its profile, the other elsewhere', async () => {
    const proxy = `localhost:${new URL(cdn.url).port}`;
    const login = await runBin('tsh', ['login', `--proxy=${proxy}`]);
    assert.match(login.stderr, new RegExp(`^New client tools version for localhost detected: v18\\.0\\.1$`, 'm'));
    assert.equal(await readFile(join(box.teleportHome, 'cluster-versions', 'localhost'), 'utf8'), `${CLUSTER_VERSION}\n`);
    const onlyBin = { PATH: join(prefix, 'bin') };
    assert.match((await runBin('tsh', [`--proxy=${proxy}`, 'version'], onlyBin)).stdout, /^Teleport v18\.0\.1 /);
    assert.match((await runBin('tctl', ['version'], { ...onlyBin, TELEPORT_PROXY: proxy })).stdout, /^Teleport v18\.0\.1 /);
    assert.match((await runBin('tsh', ['version'], onlyBin)).stdout, /^Teleport v17\.0\.1 /);

    // npm's global layout is recognised with shell builtins: with nothing but node beside the launchers
    // on PATH (no readlink), the up-to-date login still reaches the Node.js side, which says nothing.
    const nodeOnly = join(tmp, 'node-only');
    await mkdir(nodeOnly, { recursive: true });
    await symlink(process.execPath, join(nodeOnly, 'node'));
    const cluster = await FakeCluster.create(join(tmp, 'cluster.json'), defaultCluster(proxy));
    const again = await runBin('tsh', ['login', `--proxy=${proxy}`], { PATH: `${join(prefix, 'bin')}:${nodeOnly}`, FAKE_TELEPORT_CLUSTER: cluster.file, TELEPORT_USER: 'alice' });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, '');
    assert.match(again.stdout, /^ {2}Logged in as: +alice$/m);
  });

  it('teleport-tools doctor from the installed package finds everything in order', async () => {
    const r = await runBin('teleport-tools', ['doctor']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^ok +tsh +${bin('tsh')} is the teleport-tools launcher \\(-> ${prefix}/lib/node_modules/${pkg.name}/bin/tsh\\.cjs\\)$`, 'm'));
  });

  it('macOS (TELEPORT_TOOLS_TEST_PLATFORM=darwin-arm64): the app bundles install whole, first-run once, then run on the fast path', async () => {
    const home = join(tmp, 'mac-home');
    const log = join(tmp, 'mac-calls.log');
    const mac = { TELEPORT_HOME: home, TELEPORT_TOOLS_TEST_PLATFORM: 'darwin-arm64', FAKE_TELEPORT_LOG: log };
    const first = await runBin('tsh', ['version'], mac);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Teleport v17\.0\.1 /);
    assert.equal(await readlink(join(home, 'cache', VERSION, 'tsh')), 'tsh.app/Contents/MacOS/tsh');
    assert.ok((await lstat(join(home, 'cache', VERSION, 'tctl.app', 'Contents', 'embedded.provisionprofile'))).isFile());
    const fast = await runBin('tctl', ['version'], { ...mac, PATH: join(prefix, 'bin') });
    assert.match(fast.stdout, /^Teleport v17\.0\.1 /);
    assert.deepEqual((await readFile(log, 'utf8')).split('\n').filter(Boolean), [
      'tsh v17.0.1: version (TELEPORT_TOOLS_VERSION=off)',
      'tctl v17.0.1: version (TELEPORT_TOOLS_VERSION=off)',
      'tsh v17.0.1: version (TELEPORT_TOOLS_VERSION=off)',
      'tctl v17.0.1: version (TELEPORT_TOOLS_VERSION=off)',
    ]);
  });

  it('npm uninstall -g removes the commands and leaves $TELEPORT_HOME as it was', async () => {
    const r = await npm(['uninstall', '-g', '--prefix', prefix, pkg.name], tmp);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['tsh', 'tctl', 'teleport-tools']) assert.equal(existsSync(bin(name)), false, `${name} is gone`);
    assert.equal(existsSync(join(prefix, 'lib', 'node_modules', pkg.name)), false);
    assert.ok(existsSync(join(box.cacheDir, VERSION, 'tsh')), 'installed client tools stay in $TELEPORT_HOME/cache');
    assert.ok(existsSync(join(box.teleportHome, 'cloud-stable-version')));
  });
});
