// Launcher benchmarks: the fast path per call against running the cached binary directly and against
// a minimal Node.js launcher (500 calls each, interleaved), and the time `tsh login` spends in the
// launcher when already up to date against Node.js start plus one request.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCdn } from '../../test/helpers/cdn-server.js';
import { buildRelease, currentPlatform } from '../../test/helpers/release.js';
import { createSandbox } from '../../test/helpers/sandbox.js';
import { FakeCluster, defaultCluster } from '../../test/helpers/fake-cluster.js';
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

async function measureIn(ctx: BenchContext, opts: { calls: number; logins: number; dir: string }): Promise<BenchRow[]> {
  const release = await buildRelease({ dir: opts.dir, version: '13.2.3', edition: 'oss', ...currentPlatform() });
  const cdn = await startCdn({ version: 'v13.2.3' });
  cdn.serveRelease(release);
  const sb = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
  try {
    const installed = await sb.cli(['update']);
    if (installed.code !== 0) throw new Error(`install failed: ${installed.stderr}`);
    const cluster = await FakeCluster.create(join(opts.dir, 'cluster.json'), defaultCluster(cdn.url.replace('https://', '')));
    const env = { ...sb.env, FAKE_TELEPORT_CLUSTER: cluster.file, TELEPORT_USER: 'alice' } as NodeJS.ProcessEnv;
    const direct = join(sb.cacheDir, '13.2.3', 'tsh');
    const launcher = join(sb.bin, 'tsh');
    const mini = join(opts.dir, 'minimal-launcher.cjs');
    await writeFile(mini, MINIMAL_NODE_LAUNCHER);

    // Interleaved so that machine noise hits every arm alike; the order rotates each round.
    const arms: [string, () => Promise<number>][] = [
      ['direct', () => time(direct, ['version'], env)],
      ['launcher', () => time(launcher, ['version'], env)],
      ['node', () => time(process.execPath, [mini, 'version'], env)],
    ];
    const samples: Record<string, number[]> = { direct: [], launcher: [], node: [] };
    ctx.log(`fast path: ${opts.calls} calls each of direct exec, launcher, Node.js launcher, interleaved`);
    for (let i = 0; i < 20; i++) for (const [, run] of arms) await run(); // warm-up
    for (let i = 0; i < opts.calls; i++) {
      for (let j = 0; j < arms.length; j++) {
        const [name, run] = arms[(i + j) % arms.length] as [string, () => Promise<number>];
        samples[name]?.push(await run());
      }
    }
    const d = median(samples.direct ?? []);
    const l = median(samples.launcher ?? []);
    const n = median(samples.node ?? []);

    // tsh login when up to date: launcher + tsh login, against tsh login directly; the difference is the
    // launcher's share. Baseline: Node.js start plus one HTTPS request to the same endpoint.
    const fetchOnce = `require('node:https').get(process.argv[1], (r) => { r.resume(); r.on('end', () => {}); })`;
    const loginArgs = ['login', '--proxy=acme.teleport.sh'];
    ctx.log(`tsh login, up to date: ${opts.logins} rounds`);
    const loginSamples: number[] = [];
    const directLogin: number[] = [];
    const nodeRequest: number[] = [];
    for (let i = 0; i < opts.logins; i++) {
      loginSamples.push(await time(launcher, loginArgs, env));
      directLogin.push(await time(direct, loginArgs, env));
      nodeRequest.push(await time(process.execPath, ['-e', fetchOnce, cdn.versionUrl], env));
    }
    const inLauncher = median(loginSamples) - median(directLogin);
    const oneRequest = median(nodeRequest);

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
        name: 'fast path vs a minimal Node.js launcher, per call',
        ours: `${l.toFixed(2)} ms`,
        baseline: `${n.toFixed(2)} ms Node.js launcher`,
        ratio: `${(l / n).toFixed(3)}`,
        target: targetCell('< 1', l < n),
        note: `a Node.js launcher adds ${(n - d).toFixed(1)} ms a call`,
      },
      {
        name: `tsh login, up to date: time in the launcher (median of ${opts.logins})`,
        ours: `${inLauncher.toFixed(1)} ms`,
        baseline: `${oneRequest.toFixed(1)} ms Node.js start + 1 request`,
        ratio: `${(inLauncher / oneRequest).toFixed(2)}`,
        target: targetCell('~1 (Node.js start + 1 request)', inLauncher / oneRequest <= 1.5),
        note: 'the launcher share: launcher + tsh login minus tsh login run directly',
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
    'A sandboxed user with v13.2.3 installed from the test HTTPS CDN on 127.0.0.1 (the fake binaries answer',
    '`tsh version` from sh, so the binary itself costs about a millisecond). Fast path: `tsh version` run 500',
    'times each, interleaved and in rotating order, as the cached binary directly, through the launcher',
    '(`bin/tsh`, an npm-style symlink to `shims/tsh`), and through a minimal Node.js launcher (start, read',
    'cloud-stable-version, spawnSync the binary); medians. `tsh login` when up to date: the launcher running',
    '`tsh login --proxy=acme.teleport.sh` (Node.js start, one request to the version endpoint, exec) minus the',
    'same `tsh login` run directly, against `node -e` doing one HTTPS GET of the same endpoint; medians of 30.',
  ].join('\n'),
  run: measure,
};
