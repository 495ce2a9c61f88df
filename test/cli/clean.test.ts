// `teleport-tools clean` decides what to keep under the cache lock (docs/behaviour.md item 30): a
// version that `update` adopts while clean waits for the lock is kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { CLI } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';
import { world } from '../launcher/world.js';

const V1 = '13.2.3';
const V2 = '13.3.0';

interface Started {
  /** Resolves once stderr matches `pattern`. */
  said(pattern: RegExp): Promise<void>;
  done: Promise<RunResult>;
}

/** `teleport-tools <args>` started, not awaited, with its stderr watched. */
function start(sb: Sandbox, args: readonly string[]): Started {
  const child = spawn(process.execPath, [CLI, ...args], { env: sb.env as NodeJS.ProcessEnv, cwd: sb.home });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const listeners: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    listeners.forEach((l) => l());
  });
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    said: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stderr)) resolve();
        };
        listeners.push(check);
        check();
        void done.then((r) => reject(new Error(`exited (${r.code}) before saying ${pattern}:\n${r.stderr}`)));
      }),
    done,
  };
}

describe('clean racing update', () => {
  test('a version adopted while clean waits for the lock is kept; what it replaced is removed', async (t) => {
    const w = await world([V1, V2], V2, t);
    await w.preinstall(V1);
    // update holds the cache lock while the archive's answer is held back.
    const gate = w.cdn.gate(await w.archivePath(V2));
    const update = start(w.sb, ['update', '--version', V2]);
    await gate.arrived();
    const clean = start(w.sb, ['clean']);
    await clean.said(/Waiting for another teleport-tools process\.\.\./);
    gate.release();

    const updated = await update.done;
    assert.equal(updated.code, 0, updated.stderr);
    const cleaned = await clean.done;
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.equal(cleaned.stdout, `Removed v${V1}.\nKept v${V2} (in use).\n`);
    assert.deepEqual((await w.sb.cacheEntries()).filter((e) => !e.startsWith('.')), [V2]);
    assert.equal(await readFile(`${w.sb.teleportHome}/cloud-stable-version`, 'utf8'), `${V2}\n`);
    const tsh = await w.sb.tool('tsh', ['version']);
    assert.equal(tsh.code, 0, tsh.stderr);
  });
});
