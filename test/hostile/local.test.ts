// Hostile or broken local state, end to end: a read-only TELEPORT_HOME and a full disk fail open; a
// cache others could write, or a symlinked one, is refused by the Node.js side with the fix (the fork-free
// fast path trusts what the Node.js side created, and still runs: README "Security model"); a lock left
// by a dead process long ago is taken over at once.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rename, rm, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fakeVersion, versionLine } from '../helpers/fake-programs.js';
import { buildRelease, currentPlatform } from '../helpers/release.js';
import type { BuiltRelease } from '../helpers/release.js';
import type { RunResult } from '../helpers/sandbox.js';
import type { Scene } from './support.js';
import {
  TIMEOUT, V1, V2, assertFailedOpen, assertUnchanged, assertUpdated, baseline, canMount, escape, mountTmpfs, outsideHome, remountReadOnly, scene, updateWarning, updateWarningLike,
} from './support.js';

/** V2 padded to about 3 MB, for a disk too small to hold it. */
let big: Promise<{ dir: string; release: BuiltRelease }> | undefined;
function bigRelease(): Promise<BuiltRelease> {
  big ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tt-hostile-big-'));
    return { dir, release: await buildRelease({ dir, version: V2, edition: 'oss', ...currentPlatform(), padBytes: 3_000_000 }) };
  })();
  return big.then((b) => b.release);
}
after(async () => {
  const b = await big;
  if (b) await rm(b.dir, { recursive: true, force: true });
});

/** The launcher refused with `line` and exit 1, before any request, and nothing changed. */
async function assertRefused(s: Scene, outside: string[], r: RunResult, line: string): Promise<void> {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `${line}\n`);
  assert.deepEqual(s.w.cdn.requests, [], 'refused before any request');
  assert.deepEqual(await outsideHome(s), outside, 'nothing written outside TELEPORT_HOME');
}

/** The fork-free fast path does not check permissions (README "Security model"): tsh version still runs V1. */
async function assertFastPathRuns(s: Scene): Promise<void> {
  const v = await s.w.sb.tool('tsh', ['version']);
  assert.equal(v.stdout, `${versionLine(fakeVersion({ version: V1 }))}\n`, v.stderr);
}

describe('hostile local state through tsh login', { concurrency: true }, () => {
  test('read-only TELEPORT_HOME', TIMEOUT, async (t) => {
    const mount = await canMount();
    const root = process.getuid?.() === 0;
    if (!mount && root) return t.skip('as root only a read-only mount makes a directory read-only, and mounting is not allowed here');
    // As root (CI): a tmpfs remounted read-only. Otherwise: no write permission, which is what a user sees.
    const s = await scene(t, mount ? { prepareHome: (x) => mountTmpfs(x, x.w.sb.teleportHome, '1m') } : {});
    const { teleportHome, cacheDir } = s.w.sb;
    if (mount) await remountReadOnly(teleportHome);
    else {
      for (const dir of [teleportHome, cacheDir]) await chmod(dir, 0o555);
      s.cleanup(async () => Promise.all([teleportHome, cacheDir].map((d) => chmod(d, 0o755))));
    }
    // tsh itself cannot write its profile there either: that failure is tsh's, shown as is.
    const base = await baseline(s, { loginFails: true });
    const lock = join(cacheDir, '.lock');
    const why = mount ? 'read-only file system' : 'permission denied';
    await assertFailedOpen(s, base, await s.login(), updateWarning(`cannot take the lock ${lock}: ${why} (${lock})`));
  });

  test('too little disk space (a 512 KiB tmpfs, a 3 MB release): said before the archive is requested', TIMEOUT, async (t) => {
    // As root (CI): a real small file system. Otherwise the free space statfs reports is injected.
    const mount = await canMount();
    const s = await scene(t, mount ? { prepareHome: (x) => mountTmpfs(x, x.w.sb.teleportHome, '512k') } : {});
    s.w.cdn.serveRelease(await bigRelease());
    const base = await baseline(s);
    const r = await s.login(mount ? {} : { TELEPORT_TOOLS_TEST_FREE_BYTES: '400000' });
    const free = mount ? '\\d+\\.\\d KiB' : '390\\.6 KiB';
    await assertFailedOpen(s, base, r, updateWarningLike(`not enough disk space in ${escape(s.w.sb.cacheDir)}: installing needs \\d+\\.\\d MiB, ${free} free`));
    assert.equal(s.w.cdn.count(s.path), 0, 'no archive request');
  });

  test('a disk that fills up during the download (statfs said there was room)', TIMEOUT, async (t) => {
    if (!(await canMount())) return t.skip('needs root and a sandbox that allows mounting a size-capped tmpfs');
    const s = await scene(t, { prepareHome: (x) => mountTmpfs(x, x.w.sb.teleportHome, '512k') });
    s.w.cdn.serveRelease(await bigRelease());
    const base = await baseline(s);
    const r = await s.login({ TELEPORT_TOOLS_TEST_FREE_BYTES: String(1 << 30) });
    await assertFailedOpen(s, base, r, updateWarning(`installing ${s.name} into ${s.w.sb.cacheDir}: no space left on device`));
  });

  test('cache directory writable by group: refused with the fix, which works', TIMEOUT, async (t) => {
    const s = await scene(t);
    const { cacheDir } = s.w.sb;
    await chmod(cacheDir, 0o775);
    const { outside } = await baseline(s);
    const r = await s.login();
    await assertRefused(s, outside, r, `teleport-tools: cache directory ${cacheDir} is writable by group or others (mode 775); run: chmod go-w '${cacheDir}'`);
    await assertFastPathRuns(s);
    await assertUnchanged(s, outside);
    await chmod(cacheDir, 0o755); // the fix it named
    await assertUpdated(s, await baseline(s), await s.login());
  });

  test('installed tsh writable by others: not run by the Node.js side, with the fix, which works', TIMEOUT, async (t) => {
    const s = await scene(t);
    s.w.cdn.setVersion(`v${V1}`); // up to date: login runs the installed tsh
    const tsh = join(s.w.sb.cacheDir, V1, 'tsh');
    await chmod(tsh, 0o777);
    const { outside } = await baseline(s);
    const r = await s.login();
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `teleport-tools: tsh ${tsh} is writable by group or others (mode 777); run: chmod go-w '${tsh}'\n`);
    await assertFastPathRuns(s);
    await chmod(tsh, 0o755); // the fix it named
    await assertUnchanged(s, outside);
    const again = await s.login();
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Logged in as: +alice/);
  });

  test('stale lock (a dead process, a minute ago): taken over at once', TIMEOUT, async (t) => {
    const s = await scene(t);
    const lock = join(s.w.sb.cacheDir, '.lock');
    await mkdir(lock);
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(lock, minuteAgo, minuteAgo);
    const base = await baseline(s);
    const r = await s.login();
    assert.doesNotMatch(r.stderr, /waiting/);
    await assertUpdated(s, base, r);
    assert.deepEqual(await s.w.sb.cacheEntries(), [V1, V2], 'the lock was released');
  });

  test('cache directory a symlink to elsewhere: refused with the fix, which works; the fast path follows it', TIMEOUT, async (t) => {
    const s = await scene(t);
    const { cacheDir, root } = s.w.sb;
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await rename(cacheDir, join(elsewhere, 'cache'));
    await symlink(join(elsewhere, 'cache'), cacheDir);
    const { outside } = await baseline(s);
    const r = await s.login();
    await assertRefused(s, outside, r, `teleport-tools: cache directory ${cacheDir} is a symbolic link; teleport-tools only uses a real directory there (remove the link)`);
    await assertUnchanged(s, outside); // includes: tsh version, through the link, runs V1
    await rm(cacheDir); // the fix it named
    const fixed = await s.login();
    assert.match(fixed.stderr, new RegExp(`^Updated tsh/tctl to version v${V2.replaceAll('.', '\\.')}!$`, 'm'));
    assert.deepEqual(await s.w.sb.cacheEntries(), [V2], 'installed into a real directory');
    assert.deepEqual(await outsideHome(s), outside, 'the link target was never written');
  });
});
