// writeFileAtomic: the one way records are replaced (docs/behaviour.md items 18 and 26).
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { writeFileAtomic } from '../src/write-file-atomic.js';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tt-atomic-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('writeFileAtomic', () => {
  test('replaces the file whole, with the mode asked for, and leaves no temp file', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'record');
    await writeFile(file, 'old\n');
    await writeFileAtomic(file, 'new\n', { mode: 0o600 });
    assert.equal(await readFile(file, 'utf8'), 'new\n');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['record']);
  });

  test('a link planted at the temp name is never written through', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'record');
    const victim = join(dir, 'victim');
    await writeFile(victim, 'precious\n');
    await symlink(victim, `${file}.${process.pid}.tmp`);
    await writeFileAtomic(file, '13.2.3\n', { mode: 0o644 });
    assert.equal(await readFile(victim, 'utf8'), 'precious\n', 'the link target is untouched');
    assert.equal(await readFile(file, 'utf8'), '13.2.3\n');
    assert.equal((await lstat(file)).isFile(), true);
    assert.deepEqual((await readdir(dir)).sort(), ['record', 'victim']);
  });

  test('writes of one file in one process do not share a temp file: the last one wins', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'record');
    await Promise.all(Array.from({ length: 5 }, (_, i) => writeFileAtomic(file, `${i}\n`, { mode: 0o644 })));
    assert.equal(await readFile(file, 'utf8'), '4\n');
    assert.deepEqual(await readdir(dir), ['record']);
  });

  test('a failed rename removes the temp file and leaves what was there', async (t) => {
    const dir = await tempDir(t);
    const file = join(dir, 'record');
    // A directory in the way: rename(2) cannot put a file over it.
    await mkdir(join(file, 'sub'), { recursive: true });
    await assert.rejects(writeFileAtomic(file, 'x\n', { mode: 0o644 }));
    assert.deepEqual(await readdir(dir), ['record']);
    assert.equal((await stat(file)).isDirectory(), true);
  });
});
