// The environment of a real binary (docs/behaviour.md items 3 and 31): one rule, in src/binary-env.ts
// for Node.js and in the launchers' binary_env for sh, and every Node.js path that starts a binary uses it.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { NEVER_INHERITED, binaryEnv } from '../src/binary-env.js';
import { firstRun } from '../src/artifacts/first-run.js';
import { REPO } from './helpers/sandbox.js';

const caller = { PATH: '/usr/bin:/bin', TELEPORT_TOOLS_VERSION_REEXEC: '1', TELEPORT_TOOLS_DIR: '/tmp/x', TELEPORT_TOOLS_VERSION: '17.0.1' };

async function sourcesUnder(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) files.push(join(entry.parentPath, entry.name));
  }
  return files;
}

describe('the environment of a real binary', () => {
  test('TELEPORT_TOOLS_VERSION=off, and neither TELEPORT_TOOLS_VERSION_REEXEC nor TELEPORT_TOOLS_DIR', () => {
    const env = binaryEnv(caller);
    assert.deepEqual(env, { PATH: '/usr/bin:/bin', TELEPORT_TOOLS_VERSION: 'off' });
    assert.equal(caller.TELEPORT_TOOLS_DIR, '/tmp/x', 'the caller\'s environment is left alone');
  });

  test('the sh launchers unset the same variables before every exec', async () => {
    const template = await readFile(join(REPO, 'shims', 'launcher.sh.in'), 'utf8');
    const unset = template.match(/^ {2}unset (.+)$/m)?.[1]?.split(' ');
    assert.deepEqual(unset, [...NEVER_INHERITED]);
    // Every exec of a binary comes right after binary_env.
    const execs = template.split('\n').filter((line) => /(^|[;&{|]\s*)exec\s/.test(line.replace(/^\s*#.*/, '').trim()));
    assert.equal(execs.length, 3);
    for (const line of execs) assert.match(line, /binary_env; exec "\$[a-z]+[^"]*" "\$@"/, line);
  });

  test('no Node.js path builds that environment by hand', async () => {
    for (const file of await sourcesUnder(join(REPO, 'src'))) {
      if (file.endsWith('binary-env.ts')) continue;
      const text = await readFile(file, 'utf8');
      assert.doesNotMatch(text, /TELEPORT_TOOLS_VERSION: 'off'|TELEPORT_TOOLS_VERSION_REEXEC|TELEPORT_TOOLS_DIR\b/, `${file}: use binaryEnv()`);
    }
  });

  test('a first run sees that environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tt-binary-env-'));
    try {
      const seen = join(dir, 'seen');
      const program = join(dir, 'tsh');
      await writeFile(program, `#!/bin/sh\necho "\${TELEPORT_TOOLS_VERSION-unset} \${TELEPORT_TOOLS_VERSION_REEXEC-unset} \${TELEPORT_TOOLS_DIR-unset}" >'${seen}'\n`);
      await chmod(program, 0o755);
      await firstRun(program, 'tsh', caller);
      assert.equal(await readFile(seen, 'utf8'), 'off unset unset\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
