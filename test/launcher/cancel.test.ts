// Ctrl-C during a download cancels it, cleans staging, and runs the installed version (or exits 130).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { World } from './world.js';
import { world } from './world.js';

/** Starts a launcher in its own process group, as a shell would for a foreground job. */
function start(w: World, tool: string, args: string[]) {
  const child = spawn(join(w.sb.bin, tool), args, { env: w.sb.env as NodeJS.ProcessEnv, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  /** Ctrl-C: SIGINT to the whole foreground process group. */
  const interrupt = () => process.kill(-(child.pid as number), 'SIGINT');
  return { done, interrupt };
}

describe('Ctrl-C during a download', () => {
  test('on tsh login: the update is cancelled and the installed version runs', async (t) => {
    const w = await world(['13.2.3', '13.3.0'], '13.2.3', t);
    await w.preinstalled('13.2.3');
    w.cdn.setVersion('v13.3.0');
    const archive = await w.archivePath('13.3.0');
    w.cdn.behave(archive, { kind: 'hangBody' });
    const run = start(w, 'tsh', ['login', '--proxy=acme.teleport.sh', '__env', 'TELEPORT_TOOLS_VERSION']);
    await w.cdn.waitForRequests(archive, 1);
    run.interrupt();
    const r = await run.done;
    assert.match(r.stderr, /update cancelled; using the installed version/);
    assert.equal(await readFile(join(w.sb.teleportHome, 'cloud-stable-version'), 'utf8'), '13.2.3\n');
    assert.deepEqual((await w.sb.cacheEntries()).filter((e) => e !== '.lock'), ['13.2.3']);
  });

  test('on a first run with nothing installed: exit 130 and nothing left behind', async (t) => {
    const w = await world(['13.2.3'], '13.2.3', t);
    const archive = await w.archivePath('13.2.3');
    w.cdn.behave(archive, { kind: 'hangBody' });
    const run = start(w, 'tsh', ['version']);
    await w.cdn.waitForRequests(archive, 1);
    run.interrupt();
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual((await w.sb.cacheEntries()).filter((e) => e !== '.lock'), []);
    assert.equal(await w.sb.hasVersionFile(), false);
  });
});
