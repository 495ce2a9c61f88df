// Every committed fuzz input, replayed as an ordinary test: each target's corpus (fuzz/corpus/<target>)
// and every crash ever found (fuzz/crashes/<target>, kept after the fix) must pass the target's checks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { TARGETS } from '../../fuzz/targets/index.js';
import { closeShells } from '../../fuzz/lib/shim-differential.js';
import { removeScratch } from '../../fuzz/lib/scratch.js';

const FUZZ = new URL('../../../fuzz/', import.meta.url);

function inputs(kind: 'corpus' | 'crashes', target: string): { file: string; data: Buffer }[] {
  const dir = new URL(`${kind}/${target}/`, FUZZ);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && !f.endsWith('.md'))
    .sort()
    .map((file) => ({ file: `fuzz/${kind}/${target}/${file}`, data: readFileSync(new URL(file, dir)) }));
}

after(() => {
  closeShells();
  removeScratch();
});

const missing = (programs: readonly string[]): string[] => programs.filter((p) => spawnSync(p, ['-c', ':']).error !== undefined);

for (const { name, needs = [] } of TARGETS) {
  const absent = missing(needs);
  const skip = absent.length > 0 ? `needs ${absent.join(' and ')}` : false;
  test(`fuzz target ${name}: committed corpus and past crashes replay clean`, { skip, timeout: 120_000 }, async () => {
    const { fuzz } = (await import(`../../fuzz/targets/${name}.js`)) as { fuzz(data: Buffer): unknown };
    const all = [...inputs('corpus', name), ...inputs('crashes', name)];
    for (const { file, data } of all) {
      try {
        await fuzz(data);
      } catch (err) {
        throw new Error(`${file}: ${(err as Error).stack ?? String(err)}`, { cause: err });
      }
    }
  });
}
