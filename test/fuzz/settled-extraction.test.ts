// docs/behaviour.md item 6: what settles must be finished. An extraction that refuses an archive must
// have stopped writing when its promise settles: no file still being opened, written, closed or
// chmod'ed afterwards, even when the file system is slow to open files. (Found by the archive fuzz
// target: staging changed after a refusal settled.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { DEFAULT_LIMITS, extractEntries } from '../../src/artifacts/archive.js';
import { isToolsError } from '../../src/errors.js';
import { targz } from '../helpers/tar-writer.js';
import { listing } from '../../fuzz/lib/tree.js';

const SPEC = { entries: { 'teleport/tsh': 'tsh', 'teleport/tctl': 'tctl' }, ...DEFAULT_LIMITS };

/** Makes every fs.open take a while (a slow file system); `pending` counts the opens under way. */
function slowOpens(delayMs: number): { pending(): number; restore(): void } {
  const original = fs.open;
  let inside = 0;
  fs.open = ((...args: unknown[]) => {
    const cb = args.pop() as (...r: unknown[]) => void;
    inside++;
    setTimeout(() => {
      (original as (...a: unknown[]) => void)(...args, (...r: unknown[]) => {
        inside--;
        cb(...r);
      });
    }, delayMs);
  }) as typeof fs.open;
  return { pending: () => inside, restore: () => void (fs.open = original) };
}

/** Until no open is under way, then a few more turns of the event loop for what follows an open. */
async function quiet(slow: { pending(): number }): Promise<void> {
  do {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  } while (slow.pending() > 0);
}

test('a refused archive leaves staging as it was when the refusal settled, even with slow file opens', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tt-settled-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const staging = join(dir, 'staging');
  await mkdir(staging);
  // tsh's file is being opened when the next entry makes the whole archive a refusal.
  const archive = targz([
    { path: 'teleport/tsh', content: 'x'.repeat(100_000), mode: 0o755 },
    { path: 'teleport/../../evil', content: 'escaped\n' },
  ]);
  const slow = slowOpens(20);
  t.after(() => slow.restore());
  const err = await extractEntries(Readable.from([archive]), staging, SPEC).then(() => undefined, (e: unknown) => e);
  assert.ok(isToolsError(err, 'EARCHIVE'), String(err));
  const settled = listing(staging);
  await quiet(slow);
  assert.deepEqual(listing(staging), settled, 'staging changed after the refusal settled');
  assert.deepEqual(fs.readdirSync(dir), ['staging']);
});
