// The fuzzing tooling's own logic: reading libFuzzer's numbers, and marking ELF version needs weak.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parseLibFuzzerLog } from '../../fuzz/libfuzzer-log.js';
import { makeWeak, versionNeeds } from '../../fuzz/setup/elf-versions.js';

test('the run table takes executions, exec/s, coverage and corpus from the last of libFuzzer\'s lines', () => {
  const log = [
    '#2\tINITED cov: 9 ft: 9 corp: 3/60b exec/s: 0 rss: 150Mb',
    '#65536\tpulse  cov: 11 ft: 12 corp: 4/80b lim: 634 exec/s: 32768 rss: 165Mb',
    'Done 197503 runs in 11 second(s)',
    'stat::number_of_executed_units: 197503',
    'stat::average_exec_per_sec:     17954',
  ].join('\n');
  assert.deepEqual(parseLibFuzzerLog(log, 11), { executions: 197503, execPerSec: 17954, edges: 11, corpus: 4 });
  assert.deepEqual(parseLibFuzzerLog('#120\tNEW    cov: 15 ft: 15 corp: 4/108b exec/s: 0 rss: 155Mb\n', 10), { executions: 120, execPerSec: 12, edges: 15, corpus: 4 });
});

/** Jazzer.js's prebuilt Linux addon: a real ELF file with version needs on libc and libstdc++. */
function jazzerAddon(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('@jazzer.js/fuzzer/package.json');
    const addon = join(dirname(pkg), 'prebuilds', 'fuzzer-linux-x64.node');
    return existsSync(addon) ? addon : undefined;
  } catch {
    return undefined;
  }
}
const addon = jazzerAddon();

test('makeWeak marks exactly the named version needs weak, and only once', { skip: addon ? false : 'needs @jazzer.js/fuzzer (a devDependency)' }, () => {
  const elf = readFileSync(addon as string);
  const before = versionNeeds(elf);
  assert.ok(before.some((n) => n.file === 'libc.so.6' && n.version === 'GLIBC_2.14'));
  makeWeak(elf, ['GLIBC_2.38', 'GLIBCXX_3.4.32']);
  const after = versionNeeds(elf);
  for (const n of after) assert.equal(n.weak, ['GLIBC_2.38', 'GLIBCXX_3.4.32'].includes(n.version) || before.find((b) => b.flagsOffset === n.flagsOffset)?.weak, n.version);
  assert.deepEqual(makeWeak(elf, ['GLIBC_2.38', 'GLIBCXX_3.4.32']), []);
  assert.throws(() => versionNeeds(Buffer.from('not an elf file, not at all, no, not this one, really not')), /not a 64-bit little-endian ELF/);
});
