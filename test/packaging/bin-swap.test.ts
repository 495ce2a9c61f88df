// One package for every OS (docs/behaviour.md item 20): npm's bin entries are JavaScript (so npm makes
// Windows command shims for them), and on Linux the sh launcher takes their place by rename. Here npm
// runs no install script: the first run does the swap, and from the second call on `tsh` starts no
// Node.js. The swap never writes into the entry (pnpm hard-links package files from its store). A
// package directory the user cannot write still works, through Node.js, and doctor says how to fix it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, link, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { installPacked, noNpm } from '../helpers/npm.js';
import { buildRelease } from '../helpers/release.js';
import { REPO, SYSTEM_PATH, createSandbox, run } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';

const VERSION = '17.0.1';
/** Another user, to run from a package directory root owns (only root can switch users). */
const asNobody = process.getuid?.() === 0 && !spawnSync('setpriv', ['--version']).error;

let tmp: string;
let prefix: string;
let lib: string;
let cdn: CdnServer;
let box: Sandbox;

before(async () => {
  if (noNpm) return;
  tmp = await mkdtemp(join(tmpdir(), 'tt-swap-'));
  await chmod(tmp, 0o755);
  ({ prefix } = await installPacked(tmp, ['--ignore-scripts']));
  lib = join(prefix, 'lib', 'node_modules', 'teleport-tools');
  cdn = await startCdn({ version: `v${VERSION}` });
  cdn.serveRelease(await buildRelease({ dir: join(tmp, 'cdn'), version: VERSION }));
  box = await createSandbox({ versionUrl: cdn.versionUrl, cdnBaseUrl: cdn.url });
  box.env.PATH = `${join(prefix, 'bin')}:${SYSTEM_PATH}`;
});
after(async () => {
  if (noNpm) return;
  await cdn.close();
  await box.remove();
  await rm(tmp, { recursive: true, force: true });
});

const entry = (tool: string): string => join(lib, 'bin', `${tool}.cjs`);
const runBin = (name: string, args: string[], extra: Record<string, string | undefined> = {}): Promise<RunResult> =>
  run(join(prefix, 'bin', name), args, { env: { ...box.env, ...extra }, cwd: box.home });

describe('bin entries installed without install scripts', { skip: noNpm, timeout: 180_000 }, () => {
  it('start as JavaScript (what npm makes Windows shims from)', async () => {
    assert.match(await readFile(entry('tsh'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
    assert.match(await readFile(entry('tctl'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('a root-owned package run by another user works through Node.js, and doctor names the fix', { skip: asNobody ? false : 'needs root and setpriv to run as another user' }, async () => {
    const home = join(tmp, 'nobody');
    await run('mkdir', ['-m', '0777', home]);
    // Offline: the sandbox's CA file is not the other user's to read. The sh launcher's Node.js side answers.
    const env = { ...box.env, HOME: home, TELEPORT_HOME: join(home, '.tsh'), TELEPORT_TOOLS_VERSION: 'off' };
    const nobody = (file: string, args: string[]): Promise<RunResult> => run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', file, ...args], { env, cwd: home });
    const first = await nobody(join(prefix, 'bin', 'tsh'), ['version']);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /^teleport-tools: no tsh to run: none is installed in .*automatic updates are off/);
    assert.match(await readFile(entry('tsh'), 'utf8'), /^#!\/usr\/bin\/env node\n/, 'still the JavaScript entry');
    const doctor = await nobody(join(prefix, 'bin', 'teleport-tools'), ['doctor']);
    assert.match(doctor.stdout, new RegExp(`^FAIL +fast-path +.*bin/tsh\\.cjs and .*bin/tctl\\.cjs are still the Node\\.js entry`, 'm'));
    assert.ok(doctor.stdout.includes(`sudo node ${join(lib, 'bin', 'swap.cjs')}`), doctor.stdout);
  });

  it('the first run swaps both by rename, never writing into a hard-linked entry, and runs tsh', async () => {
    const storeCopy = join(tmp, 'store-tsh.cjs');
    await link(entry('tsh'), storeCopy);
    const before = await readFile(storeCopy, 'utf8');
    const first = await runBin('tsh', ['version']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Teleport v17\.0\.1 /);
    for (const tool of ['tsh', 'tctl']) assert.equal(await readFile(entry(tool), 'utf8'), await readFile(join(REPO, 'shims', tool), 'utf8'));
    assert.equal(await readFile(storeCopy, 'utf8'), before, 'the store copy is untouched');
  });

  it('from the second call on, tsh and tctl run without Node.js, and doctor says so', async () => {
    const onlyBin = { PATH: join(prefix, 'bin') };
    const env = await runBin('tsh', ['__env', 'TELEPORT_TOOLS_PATH_REEXEC', 'TELEPORT_TOOLS_VERSION'], onlyBin);
    assert.equal(env.code, 0, env.stderr);
    assert.deepEqual(JSON.parse(env.stdout), { TELEPORT_TOOLS_PATH_REEXEC: join(prefix, 'bin', 'tsh'), TELEPORT_TOOLS_VERSION: 'off' });
    assert.match((await runBin('tctl', ['version'], onlyBin)).stdout, /^Teleport v17\.0\.1 /);
    const doctor = await runBin('teleport-tools', ['doctor']);
    assert.match(doctor.stdout, /^ok +fast-path +tsh and tctl run the sh launcher/m);
  });
});
