// Real networks and real disks: what keeping a partial download costs an install that is never cut
// (ours vs the curl pipeline, the CDN sending validators as the real one does), what resuming after a
// cut at 50 % saves (bytes and time, on a rate-limited link), how long the next install waits for the
// lock of a killed holder, and peak memory. Each install is the launchers' own install child.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/artifacts/lock.js';
import { partialPaths } from '../../src/artifacts/partial.js';
import { startCdn } from '../../test/helpers/cdn-server.js';
import type { CdnServer } from '../../test/helpers/cdn-server.js';
import type { BuiltRelease } from '../../test/helpers/release.js';
import { LEAN_FLAGS, baseline, hasCurl, paddedRelease } from './install.js';
import { cacheOf, installInChild, startInstallChild } from './install-child.js';
import type { ChildRun } from './install-child.js';
import type { BenchContext, BenchRow, BenchSection } from './types.js';
import { median, targetCell } from './types.js';

const MB = 1e6;
const MiB = 2 ** 20;
/** The link of the resume rows: 80 Mbit/s, a good hotel Wi-Fi or VPN. On loopback the CPU, not the link, decides. */
const LINK_BYTES_PER_SECOND = 10 * MB;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** The install child for `version`, TELEPORT_HOME `home`, with the launchers' flags. */
const child = (cdn: CdnServer, version: string, home: string, env: Record<string, string> = {}, ownParent = false) =>
  startInstallChild({ cdn: cdn.url, version, home, nodeFlags: LEAN_FLAGS, env, ownParent });
const installed = (cdn: CdnServer, version: string, home: string): Promise<ChildRun> => installInChild({ cdn: cdn.url, version, home, nodeFlags: LEAN_FLAGS });

/** A fresh TELEPORT_HOME (its cache is made by the install). */
async function freshHome(work: string): Promise<string> {
  return mkdtemp(join(work, 'home-'));
}

async function measure(ctx: BenchContext): Promise<BenchRow[]> {
  const [smallMb, bigMb] = ctx.quick ? [5, 20] : [20, 200];
  const runs = ctx.quick ? 1 : 3;
  const work = await mkdtemp(join(tmpdir(), 'tt-bench-resume-'));
  const cdn = await startCdn();
  try {
    const releases = new Map<number, BuiltRelease>();
    for (const mb of [smallMb, bigMb]) {
      ctx.log(`building a ${mb} MB archive`);
      const release = await paddedRelease(join(work, `release-${mb}`), `13.4.${mb}`, mb);
      cdn.serveRelease(release);
      cdn.resumable(`/${release.archiveName}`); // ETag and Last-Modified, as cdn.teleport.dev sends them
      releases.set(mb, release);
    }
    const big = releases.get(bigMb) as BuiltRelease;
    const bigVersion = `13.4.${bigMb}`;
    const path = `/${big.archiveName}`;
    // The same archive under another version, without validators: nothing kept, as before resuming existed.
    const plainVersion = `13.5.${bigMb}`;
    const plainName = big.archiveName.replace(bigVersion, plainVersion);
    cdn.serve(`/${plainName}`, { file: big.archivePath });
    cdn.serve(`/${plainName}.sha256`, `${big.sha256}  ${plainName}\n`);
    const curl = await hasCurl();

    // 1. Uncut, on loopback: the partial copy is written as the bytes come.
    const uncut: ChildRun[] = [];
    const plain: number[] = [];
    const curlMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.log(`uncut ${bigMb} MB install: run ${i + 1} of ${runs}`);
      uncut.push(await installed(cdn, bigVersion, await freshHome(work)));
      plain.push((await installed(cdn, plainVersion, await freshHome(work))).wallMs);
      if (curl) curlMs.push((await baseline(`${cdn.url}${path}`, big, work)).wallMs);
    }
    // As many small installs as uncut big ones, so that both sides of the growth ratio are the highest of as many runs.
    const small: ChildRun[] = [];
    for (let i = 0; i < runs; i++) small.push(await installed(cdn, `13.4.${smallMb}`, await freshHome(work)));
    const smallPeak = Math.max(...small.map((r) => r.peakRssBytes));

    // 2. On a rate-limited link: a full install, then one cut at 50 % (killed while asking for the
    // rest, so the partial holds exactly what the first answer brought) and the next run, timed.
    cdn.behave(path, { kind: 'slow', bytesPerSecond: LINK_BYTES_PER_SECOND, chunkSize: 64 * 1024 });
    ctx.log(`full ${bigMb} MB install at ${LINK_BYTES_PER_SECOND / MB} MB/s`);
    const full = await installed(cdn, bigVersion, await freshHome(work));
    const cut = Math.floor(big.size / 2);
    const home = await freshHome(work);
    const before = cdn.count(path);
    cdn.behave(path, { kind: 'truncate', after: cut, times: 1 });
    const first = cdn.waitForRequests(path, before + 1).then(() => cdn.gate(path));
    ctx.log(`${bigMb} MB install cut at 50 %, killed`);
    const killed = child(cdn, bigVersion, home);
    const gate = await first;
    await gate.arrived(1);
    killed.child.kill('SIGKILL');
    await killed.done;
    cdn.behave(path, { kind: 'slow', bytesPerSecond: LINK_BYTES_PER_SECOND, chunkSize: 64 * 1024 });
    gate.release();
    const kept = (await stat(partialPaths(cacheOf(home), big.archiveName).data)).size;
    ctx.log(`resumed ${bigMb} MB install (${mib(kept)} kept)`);
    const mark = cdn.count(path);
    const resumed = await installed(cdn, bigVersion, home);
    const resumedRanges = cdn.ranges(path).slice(mark);
    const from = Number(/^bytes=(\d+)-$/.exec(resumedRanges[0] ?? '')?.[1] ?? NaN);
    if (resumedRanges.length !== 1 || from !== kept) throw new Error(`the resumed install asked for ${JSON.stringify(resumedRanges)}, expected bytes=${kept}-`);
    const fetched = cut + (big.size - from);
    cdn.behave(path, { kind: 'ok' });

    // 3. The lock of a holder killed while holding it: how long until the next install has it.
    ctx.log('lock wait after a killed holder');
    const lockHome = await freshHome(work);
    // Under a shell of its own: the crash checkpoint kills the child and its parent, as it would a launcher.
    await child(cdn, bigVersion, lockHome, { TELEPORT_TOOLS_TEST_CRASH_AT: 'lock-taken' }, true).done;
    const lockDir = cacheOf(lockHome);
    const waitStart = performance.now();
    const lock = await acquireLock(lockDir); // the default 10 s stale time
    const waitMs = performance.now() - waitStart;
    await lock?.release();

    const wall = median(uncut.map((r) => r.wallMs));
    const base = curl ? median(curlMs) : undefined;
    const ratio = base === undefined ? undefined : wall / base;
    const peaks = [...uncut, resumed].map((r) => r.peakRssBytes);
    const peak = Math.max(...peaks);
    const growth = Math.max(...uncut.map((r) => r.peakRssBytes)) / smallPeak;
    const timeRatio = resumed.wallMs / full.wallMs;
    const plainMs = median(plain);
    const byteRatio = fetched / big.size;
    return [
      {
        name: `uncut install, ${(big.size / MB).toFixed(0)} MB archive (partial copy kept)`,
        ours: seconds(wall),
        baseline: base === undefined ? 'curl not found' : seconds(base),
        ratio: ratio === undefined ? '-' : ratio.toFixed(2),
        target: ratio === undefined ? 'ratio <= 1.0' : targetCell('ratio <= 1.0', ratio <= 1.0),
        note: `median of ${runs} on loopback, the CDN sending ETag/Last-Modified so the archive bytes are also written to cache/.partial-*; baseline: curl | tee >(sha256sum) | tar -xz`,
      },
      {
        name: 'what keeping the partial copy costs an uncut install',
        ours: seconds(wall),
        baseline: seconds(plainMs),
        ratio: (wall / plainMs).toFixed(2),
        target: '-',
        note: `median of ${runs}; baseline: the same archive from a URL without validators, so no partial copy is written`,
      },
      {
        name: 'resumed after a cut at 50 %: bytes fetched',
        ours: `${(fetched / MB).toFixed(1)} MB`,
        baseline: `${(big.size / MB).toFixed(1)} MB`,
        ratio: byteRatio.toFixed(3),
        target: targetCell('ratio <= 1.05', byteRatio <= 1.05),
        note: `first answer cut after ${(cut / MB).toFixed(1)} MB (process then killed), next run asked for bytes=${from}-; baseline: the archive`,
      },
      {
        name: 'resumed after a cut at 50 %: time',
        ours: seconds(resumed.wallMs),
        baseline: seconds(full.wallMs),
        ratio: timeRatio.toFixed(2),
        target: targetCell('ratio <= 0.6', timeRatio <= 0.6),
        note: `one run each on a ${(LINK_BYTES_PER_SECOND * 8) / MB} Mbit/s link (the test CDN's slow mode); the resumed run replays ${mib(kept)} from disk through SHA-256 and the extractor; baseline: a full install on the same link`,
      },
      {
        name: 'lock wait after a killed holder',
        ours: seconds(waitMs),
        baseline: '10.00 s',
        ratio: (waitMs / 10_000).toFixed(3),
        target: targetCell('<= 1 s', waitMs <= 1000),
        note: 'holder SIGKILLed right after taking the lock; acquireLock() with the default 10 s stale time; baseline: waiting for staleness',
      },
      {
        name: 'peak RSS, uncut and resumed installs',
        ours: mib(peak),
        baseline: '-',
        ratio: growth.toFixed(2),
        target: targetCell('<= 100 MiB, ratio <= 1.1', peak <= 100 * MiB && growth <= 1.1),
        note: `highest VmHWM of the ${bigMb} MB installs; ratio: highest uncut ${bigMb} MB peak over the highest of ${runs} ${smallMb} MB installs (${mib(smallPeak)})`,
      },
    ];
  } finally {
    await cdn.close();
    await rm(work, { recursive: true, force: true });
  }
}

export const resumeBench: BenchSection = {
  title: 'Real networks and disks',
  method: [
    'The install section\'s archive, served by the test HTTPS CDN with ETag and Last-Modified (as the real',
    'CDN), so every install also keeps its bytes in `cache/.partial-<archive>`. Uncut installs and the curl',
    'pipeline run alternately on loopback. For resuming, the CDN paces the archive at 10 MB/s; one install',
    'has its first answer cut at 50 % and is SIGKILLed while asking for the rest; the next install is timed',
    'against a full install at the same rate, and its request log gives the bytes fetched. Lock wait: an',
    'install SIGKILLed right after taking the lock, then `acquireLock()` with the default stale time.',
  ].join('\n'),
  run: measure,
};
