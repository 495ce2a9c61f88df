// Concurrency benchmark: sixteen and sixty-four `tsh version` launchers started together on an empty cache
// (a CI job fanning out, a tmux session restoring its panes): how many downloads, how long until the last
// one runs tsh, and whether every one ran the right version. Baseline: the same number of uncoordinated
// `curl | tee >(sha256sum) | tar -xz` installs started together, which is what a script would do.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCdn } from '../../test/helpers/cdn-server.js';
import type { CdnServer } from '../../test/helpers/cdn-server.js';
import { recordedVersion, verifiedVersions } from '../../test/helpers/cache-invariants.js';
import { fakeVersion, versionLine } from '../../test/helpers/fake-programs.js';
import type { BuiltRelease } from '../../test/helpers/release.js';
import { createSandbox } from '../../test/helpers/sandbox.js';
import { baseline, hasCurl, paddedRelease } from './install.js';
import type { BenchContext, BenchRow, BenchSection } from './types.js';
import { targetCell } from './types.js';

const VERSION = '13.2.7';
const MB = 1e6;

interface Outcome {
  wallMs: number;
  downloads: number;
  correct: number;
}

/** `n` launchers at once on a fresh user's empty cache. */
async function launchers(cdn: CdnServer, release: BuiltRelease, n: number): Promise<Outcome> {
  const sb = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
  try {
    const path = `/${release.archiveName}`;
    const before = cdn.count(path);
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => sb.tool(i % 2 ? 'tctl' : 'tsh', ['version'])));
    const wallMs = performance.now() - started;
    const expected = `${versionLine(fakeVersion({ version: VERSION }))}\n`;
    let correct = runs.filter((r) => r.code === 0 && r.stdout === expected).length;
    // All correct also means the cache they left is: one verified version, recorded.
    const cacheOk = (await verifiedVersions(sb.cacheDir).catch(() => [])).join() === VERSION && (await recordedVersion(sb.teleportHome)) === `${VERSION}\n`;
    if (!cacheOk) correct = 0;
    return { wallMs, downloads: cdn.count(path) - before, correct };
  } finally {
    await sb.remove();
  }
}

/** `n` curl | sha256sum | tar pipelines at once, each into its own directory, each digest checked. */
async function scripts(cdn: CdnServer, release: BuiltRelease, n: number, work: string): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, () => baseline(`${cdn.url}/${release.archiveName}`, release, work)));
  return performance.now() - started;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number): string => `${(bytes / MB).toFixed(0)} MB`;

async function measure(ctx: BenchContext): Promise<BenchRow[]> {
  const mb = ctx.quick ? 2 : 20;
  const work = await mkdtemp(join(tmpdir(), 'tt-bench-concurrency-'));
  const cdn = await startCdn({ version: `v${VERSION}` });
  try {
    ctx.log(`building a ${mb} MB archive`);
    const release = await paddedRelease(join(work, 'release'), VERSION, mb);
    cdn.serveRelease(release);
    const curl = await hasCurl();
    const rows: BenchRow[] = [];
    for (const n of [16, 64]) {
      ctx.log(`${n} launchers at once on an empty cache`);
      const ours = await launchers(cdn, release, n);
      const base = curl ? await scripts(cdn, release, n, work) : undefined;
      const met = ours.downloads === 1 && ours.correct === n;
      rows.push({
        name: `${n} launchers at once, empty cache, ${(release.size / MB).toFixed(0)} MB archive`,
        ours: `${ours.downloads} download${ours.downloads === 1 ? '' : 's'} (${megabytes(ours.downloads * release.size)}), ${seconds(ours.wallMs)}, ${ours.correct}/${n} correct`,
        baseline: base === undefined ? 'curl not found' : `${n} downloads (${megabytes(n * release.size)}), ${seconds(base)}`,
        ratio: base === undefined ? '-' : (ours.wallMs / base).toFixed(2),
        target: targetCell('1 download, all correct', met),
        note: `first start to last exit of tsh/tctl version (${n} Node.js starts share the CPU: ${(ours.wallMs / n).toFixed(0)} ms each); baseline: ${n} × curl | tee >(sha256sum) | tar -xz at once`,
      });
    }
    return rows;
  } finally {
    await cdn.close();
    await rm(work, { recursive: true, force: true });
  }
}

export const concurrencyBench: BenchSection = {
  title: 'Concurrency',
  method: [
    'A fake release of about 20 MB (the binaries padded with pseudo-random text) on the test HTTPS CDN on',
    '127.0.0.1, its version endpoint announcing it. A fresh sandboxed user with nothing installed starts 16,',
    'then 64, launchers together (`tsh version` and `tctl version`, alternately, each through `bin/tsh` or',
    '`bin/tctl` as npm links them); timed from the first spawn to the last exit. "Downloads" is the number of',
    'archive requests the CDN saw; "correct" counts launchers that exited 0 printing the right version, and is',
    '0 unless the cache they left holds exactly that version, verified, and recorded in cloud-stable-version.',
    'The baseline starts as many `curl -s URL | tee >(sha256sum) | tar -xz` pipelines together, each into its',
    'own directory with its digest checked: what uncoordinated scripts would do.',
  ].join('\n'),
  run: measure,
};
