// Install benchmark: our one-pass install (download -> SHA-256 + gunzip + tar into staging -> rename)
// against `curl | tee >(sha256sum) | tar -xz` for the same archive from the same loopback HTTPS server,
// and our peak memory at two archive sizes. Each install is the launchers' own install child
// (src/tools/install-child.ts), started as they start it (install-child.ts here).
import { INSTALL_NODE_FLAGS } from '../../src/tools/install-process.js';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCdn } from '../../test/helpers/cdn-server.js';
import type { CdnServer } from '../../test/helpers/cdn-server.js';
import { buildRelease } from '../../test/helpers/release.js';
import type { BuiltRelease } from '../../test/helpers/release.js';
import { tlsPaths } from '../../test/helpers/tls.js';
import type { BenchContext, BenchRow, BenchSection } from './types.js';
import { median, targetCell } from './types.js';
import { installInChild } from './install-child.js';
import type { ChildRun } from './install-child.js';
const MB = 1e6;
const MiB = 2 ** 20;
const RATIO_GOAL = 1.2;
const RSS_GOAL_MIB = 100;
/** "Not growing with archive size": peak at the big archive over peak at the small one. */
const GROWTH_GOAL = 1.1;
/**
 * The Node flags the launchers start their install child with (src/tools/install-process.ts): a 1 MB young generation collects dead
 * Buffers sooner, and keeping undici's WebAssembly HTTP parser on the baseline compiler avoids the
 * optimising compile's memory. "ours" runs with them; one row shows the peak without them.
 */
export const LEAN_FLAGS: string[] = [...INSTALL_NODE_FLAGS];

/**
 * A fake release whose archive is about `mb` MB: the binaries padded with pseudo-random 7-bit text, so
 * it barely compresses (the archive comes out at about 7/8 of the padding).
 */
export function paddedRelease(dir: string, version: string, mb: number): Promise<BuiltRelease> {
  return buildRelease({ dir, version, padBytes: Math.round((mb * MB * 8) / 7) });
}

interface Timed<T> {
  wallMs: number;
  value: T;
}

function spawnTimed(file: string, args: string[], env: Record<string, string>): Promise<Timed<{ code: number | null; stdout: string; stderr: string }>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject).on('close', (code) => resolve({ wallMs: performance.now() - started, value: { code, stdout, stderr } }));
  });
}

const baseEnv = (): Record<string, string> => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), NODE_EXTRA_CA_CERTS: tlsPaths.ca });

/** One install of tsh and tctl by the install child, into a fresh TELEPORT_HOME. */
async function ours(cdn: CdnServer, version: string, work: string, nodeFlags: readonly string[] = []): Promise<ChildRun> {
  const home = await mkdtemp(join(work, 'ours-'));
  try {
    return await installInChild({ cdn: cdn.url, version, home, nodeFlags });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** `curl -s URL | tee >(sha256sum) | tar -xz`, waiting for sha256sum too; checks the digest it printed. */
export async function baseline(url: string, release: BuiltRelease, work: string): Promise<Timed<undefined>> {
  const dir = await mkdtemp(join(work, 'curl-'));
  const out = join(dir, 'sha256');
  await mkdir(join(dir, 'x'));
  const script = [
    'set -eo pipefail',
    'exec 3> >(sha256sum > "$OUT"); hasher=$!',
    'curl -sS --cacert "$CA" "$URL" | tee /dev/fd/3 | tar -xz -C "$DIR"',
    'exec 3>&-; wait $hasher',
  ].join('\n');
  const run = await spawnTimed('bash', ['-c', script], { ...baseEnv(), OUT: out, CA: tlsPaths.ca, URL: url, DIR: join(dir, 'x') });
  if (run.value.code !== 0) throw new Error(`baseline failed (${run.value.code}): ${run.value.stderr}`);
  const digest = (await readFile(out, 'utf8')).split(' ')[0];
  await rm(dir, { recursive: true, force: true });
  if (digest !== release.sha256) throw new Error(`baseline digest ${digest}, expected ${release.sha256}`);
  return { wallMs: run.wallMs, value: undefined };
}

export async function hasCurl(): Promise<boolean> {
  const run = await spawnTimed('sh', ['-c', 'command -v curl && command -v bash && command -v sha256sum'], baseEnv()).catch(() => undefined);
  return run?.value.code === 0;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
const size = (r: BuiltRelease): string => `${(r.size / MB).toFixed(0)} MB archive`;
const peakOf = (runs: ChildRun[]): number => Math.max(...runs.map((r) => r.peakRssBytes));

/** The highest peak of the runs against the goal; the median in the note. */
function peakRow(release: BuiltRelease, runs: ChildRun[]): BenchRow {
  const peak = peakOf(runs);
  return {
    name: `peak RSS, ${size(release)}`,
    ours: mib(peak),
    baseline: '-',
    ratio: '-',
    target: targetCell(`<= ${RSS_GOAL_MIB} MiB`, peak <= RSS_GOAL_MIB * MiB),
    note: runs.length > 1
      ? `highest VmHWM of ${runs.length} install processes (median ${mib(median(runs.map((r) => r.peakRssBytes)))})`
      : 'VmHWM of the install process',
  };
}

async function measure(ctx: BenchContext): Promise<BenchRow[]> {
  const [smallMb, bigMb] = ctx.quick ? [5, 20] : [50, 200];
  const runs = ctx.quick ? 1 : 3;
  const work = await mkdtemp(join(tmpdir(), 'tt-bench-install-'));
  const cdn = await startCdn();
  try {
    const built = new Map<number, BuiltRelease>();
    for (const mb of [smallMb, bigMb]) {
      ctx.log(`building a ${mb} MB archive`);
      const release = await paddedRelease(join(work, `release-${mb}`), `13.2.${mb}`, mb);
      cdn.serveRelease(release);
      built.set(mb, release);
    }
    const big = built.get(bigMb) as BuiltRelease;
    const small = built.get(smallMb) as BuiltRelease;
    const curl = await hasCurl();

    const oursBig: ChildRun[] = [];
    const curlBig: number[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.log(`${bigMb} MB: run ${i + 1} of ${runs}`);
      oursBig.push(await ours(cdn, `13.2.${bigMb}`, work, LEAN_FLAGS));
      if (curl) curlBig.push((await baseline(`${cdn.url}/${big.archiveName}`, big, work)).wallMs);
    }
    const oursSmall: ChildRun[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.log(`${smallMb} MB: run ${i + 1} of ${runs}`);
      oursSmall.push(await ours(cdn, `13.2.${smallMb}`, work, LEAN_FLAGS));
    }
    const plain: ChildRun[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.log(`${bigMb} MB without the install child's Node flags: run ${i + 1} of ${runs}`);
      plain.push(await ours(cdn, `13.2.${bigMb}`, work));
    }

    const wall = median(oursBig.map((r) => r.wallMs));
    const base = curl ? median(curlBig) : undefined;
    const ratio = base === undefined ? undefined : wall / base;
    const peakBig = peakOf(oursBig);
    const peakSmall = peakOf(oursSmall);
    const growth = peakBig / peakSmall;
    const peakPlain = peakOf(plain);
    const of = `median of ${runs}`;
    return [
      {
        name: `install, ${size(big)}`,
        ours: seconds(wall),
        baseline: base === undefined ? 'curl not found' : seconds(base),
        ratio: ratio === undefined ? '-' : ratio.toFixed(2),
        target: ratio === undefined ? `ratio <= ${RATIO_GOAL}` : targetCell(`ratio <= ${RATIO_GOAL}`, ratio <= RATIO_GOAL),
        note: `${of}, the install child from spawn to exit (Node start, download, verify, publish, record); baseline: curl -s URL | tee >(sha256sum) | tar -xz`,
      },
      peakRow(small, oursSmall),
      peakRow(big, oursBig),
      {
        name: `peak RSS growth, ${smallMb} -> ${bigMb} MB`,
        ours: `${peakBig >= peakSmall ? '+' : ''}${mib(peakBig - peakSmall)}`,
        baseline: '-',
        ratio: growth.toFixed(2),
        target: targetCell(`ratio <= ${GROWTH_GOAL}`, growth <= GROWTH_GOAL),
        note: 'memory does not grow with the archive',
      },
      {
        name: `peak RSS, ${size(big)}: with ${LEAN_FLAGS.join(' ')} vs without`,
        ours: mib(peakBig),
        baseline: mib(peakPlain),
        ratio: (peakBig / peakPlain).toFixed(2),
        target: '-',
        note: `what the install child's flags save: the same installs with plain \`node\` (install ${seconds(median(plain.map((r) => r.wallMs)))}) in the baseline column`,
      },
    ];
  } finally {
    await cdn.close();
    await rm(work, { recursive: true, force: true });
  }
}

export const installBench: BenchSection = {
  title: 'Install',
  method: [
    'A fake release archive (the real layout; the binaries padded with pseudo-random text so it barely',
    'compresses) is built at two sizes and served by the test HTTPS CDN on 127.0.0.1. "ours" is the',
    'launchers\' install child (`dist/src/tools/install-child.js` with their Node flags, a fresh TELEPORT_HOME:',
    'checksum file, then the archive streamed once through SHA-256, gunzip and tar into staging, verified,',
    'renamed into place, recorded), timed from spawn to exit. The baseline is `curl -s URL | tee >(sha256sum) | tar -xz` for the same',
    'URL, waiting for sha256sum too, run alternately with ours. Peak RSS is VmHWM from `/proc/self/status` at',
    'the end of each install process (reported on a pipe by `scripts/bench/peak-rss.ts`, loaded with `--import`).',
  ].join('\n'),
  run: measure,
};
