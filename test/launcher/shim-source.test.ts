// shims/tsh and shims/tctl are checked in, and both come from shims/launcher.sh.in (scripts/shims.ts):
// a fix made to one launcher by hand, or to the template without regenerating, fails here.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SHIMS_DIR, SHIM_TOOLS, TEMPLATE, renderShim, staleShims } from '../../scripts/shims.js';
import { REPO, run } from '../helpers/sandbox.js';

const GENERATOR = join(REPO, 'dist', 'scripts', 'shims.js');

describe('the launchers come from one template', () => {
  for (const tool of SHIM_TOOLS) {
    test(`shims/${tool} is the template's output for ${tool}, executable`, async () => {
      assert.equal(await readFile(join(SHIMS_DIR, tool), 'utf8'), renderShim(tool), `shims/${tool} differs from ${TEMPLATE}: run npm run shims`);
      assert.equal((await stat(join(SHIMS_DIR, tool))).mode & 0o777, 0o755);
    });
  }

  test('the two launchers differ only where the template says', () => {
    const tsh = renderShim('tsh');
    const tctl = renderShim('tctl');
    assert.match(tsh, /^tool=tsh$/m);
    assert.match(tctl, /^tool=tctl$/m);
    assert.match(tsh, /--proxy=\*\) /);
    assert.doesNotMatch(tctl, /--proxy=\*\)|login \| logout/);
    assert.doesNotMatch(tsh + tctl, /^#@|@tool@/m);
  });

  test('a malformed template is refused, naming the line', () => {
    assert.throws(() => renderShim('tsh', '#!/bin/sh\n#@if tsh\nx\n'), /#@if without #@end/);
    assert.throws(() => renderShim('tsh', '#@if tsh\n#@if tctl\n#@end\n'), /:2: unexpected #@if tctl/);
    assert.throws(() => renderShim('tsh', '#@end\n'), /:1: unexpected #@end/);
    assert.throws(() => renderShim('tsh', '#@if zsh\n#@end\n'), /:1: unexpected #@if zsh/);
    assert.throws(() => renderShim('tsh', '#@if tsh\n#@else\n#@else\n#@end\n'), /:3: unexpected #@else/);
    assert.throws(() => renderShim('tsh', 'echo @toll@\n'), /unknown placeholder @toll@/);
  });

  test('the generator writes to another directory, and --check names a stale launcher there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tt-shims-'));
    try {
      const written = await run(process.execPath, [GENERATOR, '--out-dir', dir]);
      assert.equal(written.code, 0, written.stderr);
      assert.deepEqual(await staleShims(dir), []);
      for (const tool of SHIM_TOOLS) assert.equal((await stat(join(dir, tool))).mode & 0o777, 0o755);
      assert.equal((await run(process.execPath, [GENERATOR, '--check', '--out-dir', dir])).code, 0);

      await writeFile(join(dir, 'tctl'), `${renderShim('tctl')}# a hand edit\n`);
      const checked = await run(process.execPath, [GENERATOR, '--check', '--out-dir', dir]);
      assert.equal(checked.code, 1);
      assert.equal(checked.stderr, `${join(dir, 'tctl')} differs from ${TEMPLATE}: run npm run shims\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
