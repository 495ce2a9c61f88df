// Real networks and real disks through the launchers (docs/behaviour.md items 16 and 18): a download killed
// part way is continued by the next run, an empty tsh is never exec'd and is installed again, and the
// order of fsyncs and renames that makes an install survive a power cut, as a real tracer sees it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { partialPaths } from '../../src/artifacts/partial.js';
import { leftovers, recordedVersion, verifiedVersions } from '../helpers/cache-invariants.js';
import { fakeVersion, versionLine } from '../helpers/fake-programs.js';
import { run } from '../helpers/sandbox.js';
import { world } from './world.js';

const V1 = '13.2.3';
const V2 = '13.3.0';
const TIMEOUT = { timeout: 60_000 };
const versionOut = (v: string): string => `${versionLine(fakeVersion({ version: v }))}\n`;

describe('resume and repair through the launchers', { concurrency: true }, () => {
  test('tsh killed (SIGKILL) part way through a download: the next run fetches only the rest', TIMEOUT, async (t) => {
    const w = await world([V2], V2, t);
    const path = await w.archivePath(V2);
    w.cdn.resumable(path);
    // The first answer ends after 2 KB (the connection closed early); the launcher resumes at once and is killed as the rest starts.
    w.cdn.behave(path, { kind: 'truncate', after: 2048, times: 1 });
    const killed = await w.sb.tool('tsh', ['version'], { TELEPORT_TOOLS_TEST_CRASH_AT: 'archive-resumed' });
    assert.equal(killed.code, 137, killed.stderr);
    const name = path.slice(1);
    const have = (await lstat(partialPaths(w.sb.cacheDir, name).data)).size;
    assert.ok(have > 0, 'the bytes received were kept');
    assert.deepEqual(await verifiedVersions(w.sb.cacheDir), []);

    const next = await w.sb.tool('tsh', ['version']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(next.stdout, versionOut(V2));
    assert.doesNotMatch(next.stderr, /warning|waiting/);
    const ranges = w.cdn.ranges(path);
    assert.deepEqual(ranges.slice(2), [`bytes=${have}-`], 'the next run asked for the rest only');
    assert.deepEqual(await verifiedVersions(w.sb.cacheDir), [V2]);
    assert.deepEqual((await w.sb.cacheEntries()).filter((n) => n.startsWith('.partial-')), [], 'the partial is gone once installed');
  });

  test('an empty tsh is never exec\'d: the slow path finds it is not the verified file and installs it again', TIMEOUT, async (t) => {
    const w = await world([V1], V1, t);
    await w.preinstall(V1);
    const path = await w.archivePath(V1);
    await truncate(join(w.sb.cacheDir, V1, 'tsh'), 0);
    const r = await w.sb.tool('tsh', ['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, versionOut(V1));
    assert.doesNotMatch(r.stderr, /warning/);
    assert.equal(w.cdn.count(path), 2, 'downloaded again');
    assert.deepEqual(await verifiedVersions(w.sb.cacheDir), [V1], 'the repaired version is the verified one');
    assert.deepEqual(await leftovers(w.sb.cacheDir), []);
  });

  test('an empty tsh with updates off: one warning, and it is not run', TIMEOUT, async (t) => {
    const w = await world([V1], V1, t);
    await w.preinstall(V1);
    const tsh = join(w.sb.cacheDir, V1, 'tsh');
    await truncate(tsh, 0);
    const r = await w.sb.tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: 'off' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '', 'an empty file was not taken for a script that does nothing');
    assert.equal(r.stderr.split('\n').filter((l) => l.includes('warning')).length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${tsh} is not the file that was installed \\(updates are off`));
  });
});

const sh = promisify(execFile);
const strace = sh('strace', ['-V']).then(() => true, () => false);

/** The syscalls of interest, in order, with paths for descriptors (strace -y). */
async function traced(file: string, args: string[], env: Record<string, string | undefined>, cwd: string, out: string): Promise<string[]> {
  const r = await run('strace', ['-f', '-y', '-qq', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2', '-o', out, file, ...args], { env, cwd });
  assert.equal(r.code, 0, r.stderr);
  return (await readFile(out, 'utf8')).split('\n').filter((l) => /(fsync|fdatasync|rename\w*)\(/.test(l) && !/ = -1 /.test(l));
}

describe('fsync order (strace)', () => {
  test('files and staging fsync\'d before the publishing rename, the cache after; version file: temp fsync\'d, renamed, directory fsync\'d', TIMEOUT, async (t) => {
    if (!(await strace)) return t.skip('strace is not installed; install it to check the fsync order');
    const w = await world([V2], V2, t);
    const { sb } = w;
    const lines = await traced(join(sb.bin, 'tsh'), ['version'], sb.env, sb.home, join(sb.root, 'strace.out'));
    const index = (what: string, re: RegExp): number => {
      const i = lines.findIndex((l) => re.test(l));
      assert.ok(i >= 0, `${what} not found in:\n${lines.join('\n')}`);
      return i;
    };
    const esc = (p: string): string => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const cache = esc(sb.cacheDir);
    const publish = index('the publishing rename', new RegExp(`rename\\w*\\(.*"${cache}/\\.staging-${esc(V2)}-[^"]+".*"${cache}/${esc(V2)}"`));
    const tshSync = index('fsync of tsh in staging', new RegExp(`fsync\\(\\d+<${cache}/\\.staging-[^>]+/tsh>`));
    const stagingSync = index('fsync of the staging directory', new RegExp(`fsync\\(\\d+<${cache}/\\.staging-[^/>]+>`));
    const cacheSync = lines.findIndex((l, i) => i > publish && new RegExp(`fsync\\(\\d+<${cache}>`).test(l));
    assert.ok(tshSync < publish && stagingSync < publish, 'the files and the staging directory are on disk before the rename');
    assert.ok(cacheSync > publish, 'the cache directory is fsync\'d after the rename');

    const home = esc(sb.teleportHome);
    const record = index('cloud-stable-version renamed', new RegExp(`rename\\w*\\(.*"${home}/cloud-stable-version\\.\\d+\\.tmp".*"${home}/cloud-stable-version"`));
    const tmpSync = index('fsync of the temporary version file', new RegExp(`f(data)?sync\\(\\d+<${home}/cloud-stable-version\\.\\d+\\.tmp>`));
    const homeSync = lines.findIndex((l, i) => i > record && new RegExp(`fsync\\(\\d+<${home}>`).test(l));
    assert.ok(tmpSync < record, 'the new version file is on disk before the rename');
    assert.ok(homeSync > record, 'TELEPORT_HOME is fsync\'d after the rename');
    assert.equal(await recordedVersion(sb.teleportHome), `${V2}\n`);
  });
});
