// Runs every compiled test file with Node's own test runner. Node 20's --test takes no globs, so the
// files are listed here. TEST_FILTER=substring narrows the run to matching files.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const root = new URL('../dist/test/', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.test.js')) files.push(path);
  }
};
walk(root);
const filter = process.env.TEST_FILTER;
const selected = files.filter((f) => !filter || relative(root, f).includes(filter)).sort();
if (selected.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
// The Windows tests need Wine, node.exe and two mingw-built programs: set up (or found in the cache)
// once here, before the test processes start. It never fails the run: without Wine they skip, saying why.
if (selected.some((f) => relative(root, f).startsWith('windows/'))) {
  spawnSync(process.execPath, [new URL('./wine-setup.mjs', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit'] });
}
const concurrency = Math.max(2, availableParallelism());
const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...selected], { stdio: 'inherit' });
process.exit(result.status ?? 1);
