// Runs every compiled test file with Node's own test runner. Node 20's --test takes no globs, so the
// files are listed here.
//   TEST_FILTER=substring      only the files whose path under dist/test/ contains it
//   TEST_NAME=pattern          only the tests whose name matches (node's --test-name-pattern, a regular
//                              expression); combines with TEST_FILTER
//   TEST_CONCURRENCY=n         test files run at once (default: the CPU count, at least two)
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const root = new URL('../dist/test/', import.meta.url).pathname;
const sources = new URL('../test/', import.meta.url).pathname;
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.test.js')) files.push(path);
  }
};
walk(root);
// tsc never deletes what it built earlier: a test file deleted or renamed since would still run.
const stale = files.filter((f) => !existsSync(join(sources, relative(root, f).replace(/\.js$/, '.ts'))));
for (const f of stale) console.error(`skipping ${relative(process.cwd(), f)}: its source is gone`);
const filter = process.env.TEST_FILTER;
const selected = files
  .filter((f) => !stale.includes(f) && (!filter || relative(root, f).includes(filter)))
  .sort();

if (selected.length === 0) {
  console.error(filter ? `no test file under dist/test matches TEST_FILTER=${filter}` : 'no test files found under dist/test');
  process.exit(1);
}
// The Windows tests need Wine, node.exe and two mingw-built programs: set up (or found in the cache)
// once here, before the test processes start. It never fails the run: without Wine they skip, saying why.
if (selected.some((f) => relative(root, f).startsWith('windows/'))) {
  spawnSync(process.execPath, [new URL('./wine-setup.mjs', import.meta.url).pathname], { stdio: ['ignore', 'inherit', 'inherit'] });
}
const concurrency = Number(process.env.TEST_CONCURRENCY || Math.max(2, availableParallelism()));
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`TEST_CONCURRENCY must be a whole number of files, at least 1 (got ${process.env.TEST_CONCURRENCY})`);
  process.exit(2);
}
const name = process.env.TEST_NAME;
const args = ['--test', `--test-concurrency=${concurrency}`, ...(name ? [`--test-name-pattern=${name}`] : []), ...selected];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
