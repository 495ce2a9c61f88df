// The fast path: an installed version runs straight from the sh launcher, exactly like the binary, under
// dash and under bash (the two shells /bin/sh is on the systems we support).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../helpers/sandbox.js';
import { SHELLS, shellMissing, shellPath } from '../helpers/shells.js';
import { world } from './world.js';
import type { World } from './world.js';

describe('fast path', () => {
  let w: World;
  before(async () => {
    w = await world(['13.2.3'], '13.2.3');
    await w.preinstall('13.2.3');
    w.cdn.requests.length = 0;
  });
  after(() => w.dispose());

  for (const shell of SHELLS) {
    describe(`under ${shell}`, { skip: shellMissing(shell) }, () => {
      const sh = shellPath(shell) ?? shell;
      /** Runs `bin/<name>` (the launcher, through its npm-style link) with `shell`. */
      const tool = (name: 'tsh' | 'tctl', args: string[], extra: Record<string, string | undefined> = {}) =>
        run(sh, [join(w.sb.bin, name), ...args], { env: { ...w.sb.env, ...extra }, cwd: w.sb.home });

      test('runs the cached binary with no request and nothing of ours on stdout or stderr', async () => {
        const r = await tool('tsh', ['version', '--format=json']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).version, '13.2.3');
        assert.equal(r.stderr, '');
        assert.equal(w.cdn.requests.length, 0);
      });

      test('passes arguments through unchanged: spaces, quotes, empty strings, newlines, unicode, globs', async () => {
        const args = ['a b', '', '"quoted"', "it's", 'line1\nline2', 'ünïcødé ✓', '*', '$HOME', '--', '-x', '\\'];
        const r = await tool('tsh', ['__args', ...args]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), args);
      });

      test('passes stdin through, byte for byte', async () => {
        const input = `${'x'.repeat(100_000)}\n\u0000binary\u00ff\n`;
        const r = await run(sh, [join(w.sb.bin, 'tsh'), '__cat'], { env: w.sb.env, input });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, input);
      });

      test('returns the exit status of the binary', async () => {
        for (const status of [0, 1, 3, 42, 255]) {
          const r = await tool('tsh', ['__exit', String(status)]);
          assert.equal(r.code, status);
        }
      });

      test('gives the binary TELEPORT_TOOLS_VERSION=off and the launcher path (npm bin symlink) as TELEPORT_TOOLS_PATH_REEXEC', async () => {
        const tsh = JSON.parse((await tool('tsh', ['__env', 'TELEPORT_TOOLS_VERSION', 'TELEPORT_TOOLS_PATH_REEXEC'])).stdout);
        assert.deepEqual(tsh, { TELEPORT_TOOLS_VERSION: 'off', TELEPORT_TOOLS_PATH_REEXEC: join(w.sb.bin, 'tsh') });
        const tctl = JSON.parse((await tool('tctl', ['__env', 'TELEPORT_TOOLS_PATH_REEXEC'])).stdout);
        assert.deepEqual(tctl, { TELEPORT_TOOLS_PATH_REEXEC: join(w.sb.bin, 'tctl') });
      });

      test('the binary is the launched process: same PID, and signals reach it', async () => {
        const child = spawn(sh, [join(w.sb.bin, 'tsh'), '__wait-signal'], { env: w.sb.env as NodeJS.ProcessEnv });
        let stdout = '';
        const ready = new Promise<void>((resolve) => {
          child.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
            if (stdout.includes('ready\n')) resolve();
          });
        });
        await ready;
        const pidInfo = await readFile(`/proc/${child.pid}/cmdline`, 'utf8').catch(() => '');
        if (pidInfo) assert.ok(!pidInfo.startsWith(sh) && !pidInfo.startsWith('/bin/sh'), `the launcher shell should have been replaced: ${pidInfo}`);
        child.kill('SIGTERM');
        const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
        assert.equal(signal, null);
        assert.equal(code, 143);
        assert.match(stdout, /got SIGTERM/);
      });

      test('a pinned installed version runs on the fast path too, and cloud-stable-version is left alone', async () => {
        const r = await tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: '13.2.3' });
        assert.equal(r.code, 0);
        assert.match(r.stdout, /^Teleport v13\.2\.3 /);
        assert.equal(w.cdn.requests.length, 0);
      });

      test('TELEPORT_TOOLS_VERSION=off runs what is installed without any request', async () => {
        const r = await tool('tctl', ['version'], { TELEPORT_TOOLS_VERSION: 'off' });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /v13\.2\.3/);
        assert.equal(w.cdn.requests.length, 0);
      });

      test('a cloud-stable-version that is not a plain version is never used as a path', async () => {
        const file = join(w.sb.teleportHome, 'cloud-stable-version');
        const good = await readFile(file, 'utf8');
        const { writeFile } = await import('node:fs/promises');
        try {
          for (const bad of ['../../../../bin', '13.2.3/../13.2.3', '13.2', ' 13.2.3', '13.2.3-rc.1']) {
            await writeFile(file, `${bad}\n`);
            const r = await tool('tsh', ['version'], { TELEPORT_TOOLS_VERSION: 'off' });
            // Off and nothing valid selected: the newest installed version runs, with a warning.
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^Teleport v13\.2\.3 /);
          }
        } finally {
          await writeFile(file, good);
        }
        assert.equal(w.cdn.requests.length, 0);
      });
    });
  }
});
