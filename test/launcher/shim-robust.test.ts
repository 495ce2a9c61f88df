// The sh launchers under hostile callers (docs/behaviour.md items 29 and 31), run by dash and by bash:
// each case first shows that its condition is real, then that the launcher still does the right thing.
// A fast-path run has PATH without node, so any detour through the slow path would say
// "no node on PATH" on stderr; the fake binaries start Node.js by its absolute path.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../helpers/sandbox.js';
import { SHELLS, shellMissing, shellPath } from '../helpers/shells.js';
import { world } from './world.js';
import type { World } from './world.js';

const huge = 'x'.repeat(100_000);
const FALSE = existsSync('/bin/false') ? '/bin/false' : '/usr/bin/false';

describe('launchers under hostile callers', () => {
  let w: World;
  let copies = 0;
  before(async () => {
    w = await world(['13.2.3', '14.1.0'], '13.2.3');
    await w.preinstall('14.1.0');
    await w.preinstall('13.2.3');
    w.cdn.requests.length = 0;
  });
  after(() => w.dispose());

  /** A copy of the sandbox's TELEPORT_HOME (cloud-stable v13.2.3, v14.1.0 installed too) at `<dir>/.tsh`. */
  async function homeCopy(files: Record<string, string> = {}): Promise<{ dir: string; home: string }> {
    const dir = join(w.sb.root, `case-${++copies}`);
    const home = join(dir, '.tsh');
    await cp(w.sb.teleportHome, home, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      await mkdir(join(home, name, '..'), { recursive: true });
      await writeFile(join(home, name), text);
    }
    return { dir, home };
  }

  for (const shell of SHELLS) {
    describe(`under ${shell}`, { skip: shellMissing(shell) }, () => {
      const sh = shellPath(shell) ?? shell;
      const tsh = (args: string[], opts: { env?: Record<string, string | undefined>; flags?: string[]; cwd?: string } = {}) =>
        run(sh, [...(opts.flags ?? []), join(w.sb.bin, 'tsh'), ...args], { env: { ...w.sb.env, ...opts.env }, cwd: opts.cwd ?? w.sb.home });
      /** The environment of a fast-path run: no node on PATH (bin/ holds only the launchers). */
      const noNode = () => ({ PATH: w.sb.bin });

      // bash takes shell options from an exported SHELLOPTS; `dash -e` (a CI script's `sh -e`) sets them too.
      const hostile = shell === 'bash'
        ? { env: { SHELLOPTS: 'errexit:nounset:noglob:allexport' }, flags: [] }
        : { env: {}, flags: ['-eufa'] };

      test('errexit, nounset, noglob and allexport from the caller do not defeat the fallback', async () => {
        const attack = await run(sh, [...hostile.flags, '-c', 'x=$(exit 3); echo survived'], { env: { ...w.sb.env, ...hostile.env } });
        assert.equal(attack.stdout, '', 'errexit is in effect: a failing command substitution ends the shell');
        assert.equal(attack.code, 3);

        // The selected v99.0.0 is not installed and the `node` first on PATH fails at once (it is
        // `false`), so the launcher itself must find v14.1.0, the newest installed, by globbing cache/*.
        const { dir, home } = await homeCopy({ 'cloud-stable-version': '99.0.0\n' });
        const node = join(dir, 'not-node', 'node');
        await mkdir(join(node, '..'));
        await symlink(FALSE, node);
        const r = await tsh(['__env', 'TELEPORT_TOOLS_VERSION', 'home', 'pick', 'tool'], {
          ...hostile,
          env: { ...hostile.env, TELEPORT_HOME: home, PATH: `${join(node, '..')}:${w.sb.env.PATH}` },
        });
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), { TELEPORT_TOOLS_VERSION: 'off', home: null, pick: null, tool: null });
        assert.equal(r.stderr, `teleport-tools: ${node} failed with exit status 1 before choosing a tsh to run, so tsh cannot be installed or updated: `
          + 'put Node.js 20.19 or later first on PATH (nvm, NodeSource or Homebrew); running the installed tsh 14.1.0 without updating it\n');
        assert.equal(w.cdn.requests.length, 0);
      });

      test('a relative TELEPORT_HOME is taken against the working directory, on the fast and the slow path', async () => {
        // HOME's own .tsh selects v13.2.3; the relative one selects v14.1.0.
        const { dir } = await homeCopy({ 'cloud-stable-version': '14.1.0\n' });
        const cwd = join(dir, 'work');
        await mkdir(cwd);
        const env = { TELEPORT_HOME: '../.tsh' };
        const fast = await tsh(['version'], { env: { ...env, ...noNode() }, cwd });
        assert.equal(fast.stderr, '');
        assert.match(fast.stdout, /^Teleport v14\.1\.0 /);
        // An argument spelled `login` sends any call down the slow path.
        const slow = await tsh(['version', 'login'], { env, cwd });
        assert.equal(slow.stderr, '', 'no "did not answer like Node.js" warning');
        assert.equal(slow.code, 0);
        assert.match(slow.stdout, /^Teleport v14\.1\.0 /);
        assert.equal(w.cdn.requests.length, 0);
      });

      test('a 100 kB --proxy runs the fast path with the right version and the argument intact', async () => {
        const { home } = await homeCopy({ 'cluster-versions/big.example.com': '14.1.0\n' });
        const env = { TELEPORT_HOME: home, ...noNode() };
        const short = await tsh(['version', '--proxy=https://big.example.com/'], { env });
        assert.match(short.stdout, /^Teleport v14\.1\.0 /, 'the record for big.example.com is in effect');

        const proxy = `--proxy=https://big.example.com/${huge}`;
        const r = await tsh(['version', proxy], { env });
        assert.equal(r.stderr, '');
        assert.match(r.stdout, /^Teleport v13\.2\.3 /, 'an address that long names no profile');
        const args = await tsh(['__args', '--proxy', huge, proxy], { env });
        assert.equal(args.stderr, '');
        assert.deepEqual(JSON.parse(args.stdout), ['--proxy', huge, proxy]);
      });

      test('the binary never sees the caller\'s TELEPORT_TOOLS_VERSION_REEXEC or TELEPORT_TOOLS_DIR', async () => {
        const leak = { TELEPORT_TOOLS_VERSION_REEXEC: '1', TELEPORT_TOOLS_DIR: '/tmp/x' };
        const names = ['TELEPORT_TOOLS_VERSION_REEXEC', 'TELEPORT_TOOLS_DIR', 'TELEPORT_TOOLS_VERSION'];
        const direct = await run(join(w.sb.cacheDir, '13.2.3', 'tsh'), ['__env', ...names], { env: { ...w.sb.env, ...leak } });
        assert.deepEqual(JSON.parse(direct.stdout), { ...leak, TELEPORT_TOOLS_VERSION: null }, 'the caller\'s environment reaches a binary run directly');

        const fast = await tsh(['__env', ...names], { env: { ...leak, ...noNode() } });
        assert.equal(fast.stderr, '');
        assert.deepEqual(JSON.parse(fast.stdout), { TELEPORT_TOOLS_VERSION_REEXEC: null, TELEPORT_TOOLS_DIR: null, TELEPORT_TOOLS_VERSION: 'off' });
        // Slow path, shown by Node.js's own warning: the launcher cannot use TELEPORT_TOOLS_VERSION=bogus.
        const slow = await tsh(['__env', ...names], { env: { ...leak, TELEPORT_TOOLS_VERSION: 'bogus' } });
        assert.equal(slow.stderr, 'teleport-tools: warning: ignoring TELEPORT_TOOLS_VERSION="bogus": use off or a version X.Y.Z\n');
        assert.deepEqual(JSON.parse(slow.stdout), { TELEPORT_TOOLS_VERSION_REEXEC: null, TELEPORT_TOOLS_DIR: null, TELEPORT_TOOLS_VERSION: 'off' });
        assert.equal(w.cdn.requests.length, 0);
      });
    });
  }
});
