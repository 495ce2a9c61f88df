// Launcher benchmarks: the fast path per call against running the cached binary directly and against
// a minimal Node.js launcher (500 calls each, interleaved), the same with a per-profile record, and the
// time `tsh login` spends in the launcher when already up to date (with and without the proxy's
// /webapi/find) against Node.js start plus one request. `BENCH_ONLY=launcher npm run bench` runs just these.
import { spawn } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FIND_PATH, startCdn } from '../../test/helpers/cdn-server.js';
import { buildRelease, currentPlatform } from '../../test/helpers/release.js';
import { createSandbox } from '../../test/helpers/sandbox.js';
import { FakeCluster, defaultCluster } from '../../test/helpers/fake-cluster.js';
import { installPacked, noNpm } from '../../test/helpers/npm.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { BenchContext, BenchRow, BenchSection } from './types.js';
import { median, targetCell } from './types.js';

/** Wall time of one run. Asynchronous: the HTTPS server the launcher talks to lives in this process. */
function time(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', reject).on('close', (code) => {
      if (code !== 0) reject(new Error(`${file} ${args.join(' ')} exited ${code}`));
      else resolve(Number(process.hrtime.bigint() - start) / 1e6);
    });
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A Node.js launcher reduced to what any such launcher must do: start, read the version, spawn. */
const MINIMAL_NODE_LAUNCHER = `
const { readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const home = process.env.TELEPORT_HOME;
const v = readFileSync(home + '/cloud-stable-version', 'utf8').trim();
const r = spawnSync(home + '/cache/' + v + '/tsh', process.argv.slice(2), { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
`;

async function measure(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tt-bench-launcher-'));
  try {
    return await measureIn(ctx, { calls: ctx.quick ? 50 : 500, logins: ctx.quick ? 5 : 30, dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A minimal Node.js program that makes one HTTPS GET: the floor under any Node.js launcher that asks the network. */
const FETCH_ONCE = `require('node:https').get(process.argv[1], (r) => { r.resume(); r.on('end', () => {}); })`;

/**
 * The floor under any sh launcher that asks with Node.js before a login: sh starts Node.js for
 * FETCH_ONCE in a command substitution (as the shim starts the launcher's Node.js side), then execs tsh.
 * Arguments: node, FETCH_ONCE, the URL, tsh, then tsh's arguments.
 */
const LOGIN_FLOOR = 'answer=$("$0" -e "$1" "$2"); shift 2; exec "$@"';

/** The version the cluster of the bench profile asks for: installed, but not the cloud-stable one. */
const CLUSTER_VERSION = '14.1.0';

/** Runs `arms` `rounds` times, interleaved, the order rotating each round; samples by arm name. */
async function interleaved(arms: [string, () => Promise<number>][], rounds: number, warmUp: number): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(arms.map(([name]) => [name, []]));
  for (let i = 0; i < warmUp; i++) for (const [, run] of arms) await run();
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < arms.length; j++) {
      const [name, run] = arms[(i + j) % arms.length] as [string, () => Promise<number>];
      samples[name]?.push(await run());
    }
  }
  return samples;
}

async function measureIn(ctx: BenchContext, opts: { calls: number; logins: number; dir: string }): Promise<BenchRow[]> {
  const release = await buildRelease({ dir: opts.dir, version: '13.2.3', edition: 'oss', ...currentPlatform() });
  const clusterRelease = await buildRelease({ dir: opts.dir, version: CLUSTER_VERSION, edition: 'oss', ...currentPlatform() });
  const cdn = await startCdn({ version: 'v13.2.3' });
  cdn.serveRelease(release);
  cdn.serveRelease(clusterRelease);
  const sb = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
  try {
    // v13.2.3 is the cloud-stable version; the cluster's v14.1.0 is installed beside it (kept by the pin).
    const installed = await sb.cli(['update']);
    if (installed.code !== 0) throw new Error(`install failed: ${installed.stderr}`);
    const second = await sb.cli(['update', '--version', CLUSTER_VERSION], { TELEPORT_TOOLS_VERSION: '13.2.3' });
    if (second.code !== 0) throw new Error(`install of v${CLUSTER_VERSION} failed: ${second.stderr}`);
    await writeFile(join(sb.teleportHome, 'cloud-stable-version'), '13.2.3\n');
    const cluster = await FakeCluster.create(join(opts.dir, 'cluster.json'), defaultCluster(cdn.url.replace('https://', '')));
    const env = { ...sb.env, FAKE_TELEPORT_CLUSTER: cluster.file, TELEPORT_USER: 'alice' } as NodeJS.ProcessEnv;
    const direct = join(sb.cacheDir, '13.2.3', 'tsh');
    // What users run: this package packed and installed with npm, its bin link to the sh launcher.
    const launcher = noNpm ? join(sb.bin, 'tsh') : join((await installPacked(opts.dir)).prefix, 'bin', 'tsh');
    const mini = join(opts.dir, 'minimal-launcher.cjs');
    await writeFile(mini, MINIMAL_NODE_LAUNCHER);

    // The per-profile record lives in a second TELEPORT_HOME (a copy of the first, plus current-profile
    // naming the proxy host and cluster-versions/<host> naming v14.1.0 while cloud-stable-version names
    // v13.2.3), so that its arms run in the same rounds as the plain ones. Baseline: v14.1.0's tsh directly.
    const profileHost = new URL(cdn.url).hostname;
    const profiledHome = join(opts.dir, 'profiled-home');
    await cp(sb.teleportHome, profiledHome, { recursive: true, verbatimSymlinks: true });
    await mkdir(join(profiledHome, 'cluster-versions'), { recursive: true, mode: 0o700 });
    await writeFile(join(profiledHome, 'cluster-versions', profileHost), `${CLUSTER_VERSION}\n`);
    await writeFile(join(profiledHome, 'current-profile'), `${profileHost}\n`);
    const profiledEnv = { ...env, TELEPORT_HOME: profiledHome };
    const clusterDirect = join(profiledHome, 'cache', CLUSTER_VERSION, 'tsh');

    // Interleaved so that machine noise hits every arm alike; the order rotates each round.
    ctx.log(`fast path: ${opts.calls} calls each of direct exec, launcher, sh -c exec, Node.js launcher, and both with a per-profile record, interleaved`);
    const samples = await interleaved([
      ['direct', () => time(direct, ['version'], env)],
      ['launcher', () => time(launcher, ['version'], env)],
      // The floor under any sh launcher: one more exec, of /bin/sh, with nothing done before the binary's.
      ['shExec', () => time('/bin/sh', ['-c', 'exec "$0" "$@"', direct, 'version'], env)],
      ['node', () => time(process.execPath, [mini, 'version'], env)],
      ['profiledDirect', () => time(clusterDirect, ['version'], profiledEnv)],
      ['profiledLauncher', () => time(launcher, ['version'], profiledEnv)],
    ], opts.calls, 20);
    const d = median(samples.direct ?? []);
    const l = median(samples.launcher ?? []);
    const n = median(samples.node ?? []);
    const se = median(samples.shExec ?? []);
    const pd = median(samples.profiledDirect ?? []);
    const pl = median(samples.profiledLauncher ?? []);

    // A 100 kB --proxy value (an address that long names no profile, and the launcher must not spend
    // time on it): from a copy of TELEPORT_HOME whose v13.2.3 tsh is an sh script that exits at once,
    // since the fake binary would start Node.js for any call but a plain `version`.
    const bigHome = join(opts.dir, 'big-proxy-home');
    await cp(sb.teleportHome, bigHome, { recursive: true, verbatimSymlinks: true });
    const bigDirect = join(bigHome, 'cache', '13.2.3', 'tsh');
    await writeFile(bigDirect, '#!/bin/sh\nexit 0\n');
    const bigEnv = { ...env, TELEPORT_HOME: bigHome };
    const bigArgs = ['status', `--proxy=https://${profileHost}/${'x'.repeat(100_000)}`];
    const bigCalls = Math.max(10, Math.round(opts.calls / 5));
    ctx.log(`fast path with a 100 kB --proxy: ${bigCalls} calls each of direct exec and launcher, interleaved`);
    const big = await interleaved([
      ['direct', () => time(bigDirect, bigArgs, bigEnv)],
      ['launcher', () => time(launcher, bigArgs, bigEnv)],
    ], bigCalls, 5);
    const bd = median(big.direct ?? []);
    const bl = median(big.launcher ?? []);

    // tsh login when up to date: launcher + tsh login, against tsh login directly; the difference is the
    // launcher's share. Baseline: Node.js start plus one HTTPS request to the same endpoint.
    // The proxy is the test server itself, made a Cloud host by cloud_proxy_suffixes, so that every
    // request stays on loopback; it does not answer /webapi/find yet (a cluster older than v17).
    const configFile = join(sb.teleportHome, 'config', 'tools.yaml');
    await mkdir(dirname(configFile), { recursive: true, mode: 0o700 });
    await writeFile(configFile, 'cloud_proxy_suffixes:\n  - .teleport.sh\n  - .0.0.1\n');
    const loginArgs = ['login', `--proxy=${new URL(cdn.url).host}`];
    ctx.log(`tsh login, up to date: ${opts.logins} rounds`);
    const login = await interleaved([
      ['launcher', () => time(launcher, loginArgs, env)],
      ['direct', () => time(direct, loginArgs, env)],
      ['node', () => time(process.execPath, ['-e', FETCH_ONCE, cdn.versionUrl], env)],
      ['floor', () => time('/bin/sh', ['-c', LOGIN_FLOOR, process.execPath, FETCH_ONCE, cdn.versionUrl, direct, ...loginArgs], env)],
    ], opts.logins, 3);
    const inLauncher = median(login.launcher ?? []) - median(login.direct ?? []);
    const oneRequest = median(login.node ?? []);
    const floorShare = median(login.floor ?? []) - median(login.direct ?? []);

    // tsh login to a Cloud proxy that also answers /webapi/find (managed updates on, asking for the
    // installed cloud-stable version): the fake proxy is the test server itself, made a Cloud host by
    // cloud_proxy_suffixes, so that the version request and the find request both stay on loopback.
    cdn.setFind({ server_version: '13.2.3', min_client_version: '12.0.0', cluster_name: 'bench', edition: 'oss', fips: false,
      auto_update: { tools_auto_update: true, tools_version: '13.2.3', agent_version: '13.2.3', agent_auto_update: false, agent_update_jitter_seconds: 60 } });
    const findArgs = ['login', `--proxy=${new URL(cdn.url).host}`];
    ctx.log(`tsh login with /webapi/find, up to date: ${opts.logins} rounds`);
    const found = await interleaved([
      ['launcher', () => time(launcher, findArgs, env)],
      ['direct', () => time(direct, findArgs, env)],
      ['node', () => time(process.execPath, ['-e', FETCH_ONCE, cdn.versionUrl], env)],
      ['floor', () => time('/bin/sh', ['-c', LOGIN_FLOOR, process.execPath, FETCH_ONCE, cdn.versionUrl, direct, ...findArgs], env)],
    ], opts.logins, 3);
    const findFloor = median(found.floor ?? []) - median(found.direct ?? []);
    await rm(configFile);
    const findShare = median(found.launcher ?? []) - median(found.direct ?? []);
    const findBase = median(found.node ?? []);
    const findAsked = cdn.count(FIND_PATH);

    return [
      {
        name: `fast path: tsh version, per call (median of ${opts.calls})`,
        ours: `${l.toFixed(2)} ms`,
        baseline: `${d.toFixed(2)} ms direct exec`,
        ratio: `+${(l - d).toFixed(2)} ms`,
        target: targetCell('<= +1 ms', l - d <= 1),
        note: `means ${mean(samples.launcher ?? []).toFixed(2)} / ${mean(samples.direct ?? []).toFixed(2)} ms`,
      },
      {
        name: `fast path floor: sh -c 'exec tsh version' (median of ${opts.calls})`,
        ours: `${se.toFixed(2)} ms`,
        baseline: `${d.toFixed(2)} ms direct exec`,
        ratio: `+${(se - d).toFixed(2)} ms`,
        target: 'for reference',
        note: `one exec of /bin/sh, the least any sh launcher adds; the launcher's own lines add ${(l - se).toFixed(2)} ms`,
      },
      {
        name: 'fast path vs a minimal Node.js launcher, per call',
        ours: `${l.toFixed(2)} ms`,
        baseline: `${n.toFixed(2)} ms Node.js launcher`,
        ratio: `${(l / n).toFixed(3)}`,
        target: targetCell('< 1', l < n),
        note: `a Node.js launcher adds ${(n - d).toFixed(1)} ms a call`,
      },
      {
        name: `fast path with a per-profile record, per call (median of ${opts.calls})`,
        ours: `${pl.toFixed(2)} ms`,
        baseline: `${pd.toFixed(2)} ms direct exec`,
        ratio: `+${(pl - pd).toFixed(2)} ms`,
        target: targetCell('<= +1 ms', pl - pd <= 1),
        note: `current-profile and cluster-versions/<host> (v${CLUSTER_VERSION}) beside cloud-stable-version (v13.2.3)`,
      },
      {
        name: `fast path with a 100 kB --proxy, per call (median of ${bigCalls})`,
        ours: `${bl.toFixed(2)} ms`,
        baseline: `${bd.toFixed(2)} ms direct exec`,
        ratio: `+${(bl - bd).toFixed(2)} ms`,
        target: targetCell('<= +1 ms', bl - bd <= 1),
        note: 'tsh status --proxy=https://<host>/<100 kB>; the binary an sh script that exits at once',
      },
      {
        name: `tsh login, up to date: time in the launcher (median of ${opts.logins})`,
        ours: `${inLauncher.toFixed(1)} ms`,
        baseline: `${oneRequest.toFixed(1)} ms Node.js start + 1 request`,
        ratio: `${(inLauncher / oneRequest).toFixed(2)}`,
        target: targetCell('<= 1.0', inLauncher / oneRequest <= 1.0),
        note: 'the launcher share: launcher + tsh login minus tsh login run directly; two requests (find, then version_url)',
      },
      {
        name: `tsh login floor: sh runs Node.js for one request, then execs tsh (median of ${opts.logins})`,
        ours: `${floorShare.toFixed(1)} ms`,
        baseline: `${oneRequest.toFixed(1)} ms Node.js start + 1 request`,
        ratio: `${(floorShare / oneRequest).toFixed(2)}`,
        target: 'for reference',
        note: `the least any sh launcher asking with Node.js adds; the launcher is ${(inLauncher / floorShare).toFixed(2)}x this`,
      },
      {
        name: `tsh login with /webapi/find, up to date: time in the launcher (median of ${opts.logins})`,
        ours: `${findShare.toFixed(1)} ms`,
        baseline: `${findBase.toFixed(1)} ms Node.js start + 1 request`,
        ratio: `${(findShare / findBase).toFixed(2)}`,
        target: targetCell('<= 1.0', findShare / findBase <= 1.0),
        note: `a Cloud proxy answering the version endpoint and /webapi/find (asked ${findAsked} times); one request`,
      },
      {
        name: `tsh login with /webapi/find, floor (median of ${opts.logins})`,
        ours: `${findFloor.toFixed(1)} ms`,
        baseline: `${findBase.toFixed(1)} ms Node.js start + 1 request`,
        ratio: `${(findFloor / findBase).toFixed(2)}`,
        target: 'for reference',
        note: `sh runs Node.js for one request, then execs tsh; the launcher is ${(findShare / findFloor).toFixed(2)}x this`,
      },
    ];
  } finally {
    await cdn.close();
    await sb.remove();
  }
}

export const launcherBench: BenchSection = {
  title: 'Launcher',
  method: [
    'A sandboxed user with v13.2.3 (cloud-stable-version) and v14.1.0 installed from the test HTTPS CDN on',
    '127.0.0.1 (the fake binaries answer `tsh version` from sh, so the binary itself costs about a millisecond).',
    'Fast path: `tsh version` run 500 times each, interleaved and in rotating order, as the cached binary',
    'directly, through the launcher as npm installs it (`npm pack` of this repository, `npm install -g --prefix`,',
    'then `<prefix>/bin/tsh`, npm\'s link to the package\'s sh launcher), and through a minimal',
    'Node.js launcher (start, read cloud-stable-version, spawnSync the binary); medians. Per-profile record:',
    'the same against v14.1.0 run directly, from a copy of that TELEPORT_HOME where `current-profile` names',
    'the proxy host and `cluster-versions/<host>` names v14.1.0. For reference, `sh -c \'exec <tsh> version\'`:',
    'the floor under any sh launcher (one exec of /bin/sh). All six arms in the same rounds.',
    '100 kB --proxy: `tsh status --proxy=https://<host>/<100 kB>` through the launcher against the same',
    'binary run directly (an sh script that exits at once, in a copy of TELEPORT_HOME), 100 calls each, interleaved.',
    '`tsh login` when up to date: the launcher running',
    '`tsh login --proxy=127.0.0.1:<port>` (the test server, made a Cloud host by `cloud_proxy_suffixes` in',
    'tools.yaml, so every request stays on loopback; it answers `/webapi/find` with 404, as a cluster older',
    'than v17: Node.js start, the find request, then the version request, exec) minus the same `tsh login` run',
    'directly, against `node -e` doing one HTTPS GET of the version endpoint; medians of 30, interleaved.',
    'With /webapi/find: the same, with the server answering `/webapi/find` with managed updates on and',
    '`tools_version` the installed v13.2.3. For reference, in the same rounds, the floor under any sh launcher',
    'that asks with Node.js: `sh -c` running that same `node -e` in a command substitution, then exec of tsh.',
  ].join('\n'),
  run: measure,
};
