// The launcher bundle's code cache (src/launcher/compile-cache.ts): made on the first slow-path run,
// used on the next, trusted only in a private directory of this user, and a bad file replaced.
import assert from 'node:assert/strict';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { compileCacheDir } from '../../src/launcher/compile-cache.js';
import { world } from './world.js';

const run = promisify(execFile);

const BUNDLE = `"use strict";
const path = require('node:path');
function answer() { return [1, 2, 3].map((n) => n * 2).join(','); }
module.exports = { answer, file: __filename, dir: __dirname, joined: path.join(__dirname, 'x'), same: exports === module.exports };
`;

async function setup(t: { after(fn: () => Promise<void>): void }): Promise<{ home: string; bundle: string; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'tt-compile-cache-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const home = join(root, 'home');
  await mkdir(join(home, 'cache'), { recursive: true, mode: 0o700 });
  const bundle = join(root, 'bundle.cjs');
  await writeFile(bundle, BUNDLE);
  return { home, bundle, dir: compileCacheDir(home) };
}

/**
 * Loads the bundle in a new process (V8 keeps what it compiled in a process, so only a new one reads
 * the cache), checks it ran as CommonJS, saves the cache: the state it found.
 */
async function loadAndSave(bundle: string, home: string): Promise<string> {
  const program = `
    import { loadBundle } from ${JSON.stringify(new URL('../../src/launcher/compile-cache.js', import.meta.url).href)};
    const loaded = loadBundle(process.argv[1], process.argv[2]);
    await loaded.save();
    process.stdout.write(JSON.stringify({ cache: loaded.cache, ...loaded.exports, answer: loaded.exports.answer() }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', program, bundle, home]);
  const out = JSON.parse(stdout) as { cache: string; answer: string; file: string; dir: string; joined: string; same: boolean };
  assert.equal(out.answer, '2,4,6');
  assert.equal(out.file, bundle);
  assert.equal(out.joined, join(out.dir, 'x'));
  assert.equal(out.same, true);
  return out.cache;
}

const only = async (dir: string) => (await readdir(dir)).filter((n) => !n.endsWith('.tmp'));

describe('the launcher code cache', { skip: process.getuid === undefined ? 'POSIX owners only' : false }, () => {
  test('is written on the first run, in a 0700 directory, and accepted on the second', async (t) => {
    const { home, bundle, dir } = await setup(t);
    assert.equal(await loadAndSave(bundle, home), 'absent');
    assert.equal((await lstat(dir)).mode & 0o777, 0o700);
    const [file, ...more] = await only(dir);
    assert.ok(file !== undefined && more.length === 0, 'one cache file');
    assert.equal((await lstat(join(dir, file))).mode & 0o077, 0);
    const bytes = await readFile(join(dir, file));
    assert.equal(await loadAndSave(bundle, home), 'accepted');
    assert.deepEqual(await readFile(join(dir, file)), bytes, 'an accepted cache is not rewritten');
  });

  test('a garbage, truncated or stale file is rejected and replaced', async (t) => {
    const { home, bundle, dir } = await setup(t);
    await loadAndSave(bundle, home);
    const [file] = await only(dir);
    const path = join(dir, file ?? '');
    const good = await readFile(path);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10] ?? 0) ^ 0xff;
    for (const bad of [Buffer.from('garbage'), good.subarray(0, 64), good.subarray(0, good.length - 100), Buffer.concat([good.subarray(0, 64), Buffer.alloc(good.length - 64, 7)]), flipped]) {
      await writeFile(path, bad);
      assert.equal(await loadAndSave(bundle, home), 'rejected');
      assert.equal(await loadAndSave(bundle, home), 'accepted', 'replaced by a good one');
    }
    // The bundle changed (an upgrade): the old bytes are not used for the new source.
    await writeFile(bundle, BUNDLE.replace('n * 2', 'n * 2 + 0'));
    assert.equal(await loadAndSave(bundle, home), 'rejected');
    assert.equal(await loadAndSave(bundle, home), 'accepted');
    // Sound bytes made for another source, under this source's digest: V8's own check rejects them.
    const other = await readFile(path);
    await writeFile(bundle, BUNDLE);
    await writeFile(path, Buffer.concat([createHash('sha256').update(BUNDLE).digest(), other.subarray(32)]));
    assert.equal(await loadAndSave(bundle, home), 'rejected');
    assert.equal(await loadAndSave(bundle, home), 'accepted');
  });

  test('a directory open to others, a link, or another user\'s is ignored', async (t) => {
    const { home, bundle, dir } = await setup(t);
    await mkdir(dir, { mode: 0o700 });
    for (const mode of [0o777, 0o750]) {
      await chmod(dir, mode);
      assert.equal(await loadAndSave(bundle, home), 'off', mode.toString(8));
      assert.deepEqual(await readdir(dir), [], 'nothing written into it');
    }

    await rm(dir, { recursive: true });
    const elsewhere = join(home, 'elsewhere');
    await mkdir(elsewhere, { mode: 0o700 });
    await symlink(elsewhere, dir);
    assert.equal(await loadAndSave(bundle, home), 'off');
    assert.deepEqual(await readdir(elsewhere), []);
    await rm(dir);

    if (process.getuid?.() !== 0) return t.diagnostic('not root: no directory of another user to make');
    await mkdir(dir, { mode: 0o700 });
    await loadAndSave(bundle, home);
    await chown(dir, 4242, 4242);
    assert.equal(await loadAndSave(bundle, home), 'off', 'a cache file in another user\'s directory is not used');
  });

  test('a cache file writable by others or of another user is not used', async (t) => {
    const { home, bundle, dir } = await setup(t);
    await loadAndSave(bundle, home);
    const path = join(dir, (await only(dir))[0] ?? '');
    await chmod(path, 0o666);
    assert.equal(await loadAndSave(bundle, home), 'rejected');
    assert.equal(await loadAndSave(bundle, home), 'accepted', 'replaced by a private one');
    if (process.getuid?.() !== 0) return t.diagnostic('not root: no file of another user to make');
    await chown(path, 4242, 4242);
    assert.equal(await loadAndSave(bundle, home), 'rejected');
  });

  test('without TELEPORT_HOME/cache nothing is created and the bundle still runs', async (t) => {
    const { home, bundle } = await setup(t);
    await rm(join(home, 'cache'), { recursive: true });
    assert.equal(await loadAndSave(bundle, home), 'absent');
    assert.deepEqual(await readdir(home), []);
  });
});

describe('the launcher with its code cache', () => {
  test('the first slow-path run writes the cache; an unwritable TELEPORT_HOME/cache changes nothing', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    const dir = compileCacheDir(w.sb.teleportHome);
    const first = await w.sb.tool('tsh', ['status', 'login']);
    assert.doesNotMatch(first.stderr, /teleport-tools/);
    assert.equal((await only(dir)).length, 1, 'the cache file');
    // A cache/.compile-cache that is a file (so nothing can be written there, even by root): the
    // launcher runs as before.
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a directory');
    const second = await w.sb.tool('tsh', ['status', 'login']);
    assert.equal(second.code, first.code);
    assert.equal(second.stdout, first.stdout);
    assert.doesNotMatch(second.stderr, /teleport-tools/);
    assert.equal(await readFile(dir, 'utf8'), 'not a directory');
  });
});
