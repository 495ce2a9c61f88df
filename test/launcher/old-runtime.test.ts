// The launchers when the `node` on PATH cannot do the slow path: one below the floor, one that refuses
// our V8 flags, one that is not Node.js at all, one that crashes, NODE_OPTIONS that breaks it, none at
// all. Each gets one clear line, and an installed tsh still runs (the selected version, else the newest
// installed one); with nothing installed, exit 1 with that line. The runtimes here are tiny stand-ins
// (this Node.js reporting another version, shell scripts); test/packaging/old-node.test.ts uses a real
// Node.js 18.
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { access, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { compareVersions, isPlainVersion } from '../../src/version.js';
import { createSandbox } from '../helpers/sandbox.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';

const NODE = process.execPath;
/** Makes this Node.js report `FAKE_NODE_VERSION` as process.versions.node (what the gate reads). */
const PRETEND = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: process.env.FAKE_NODE_VERSION } });\n`;

interface Runtime {
  name: string;
  /** The `node` script put first on PATH (none: no node on PATH at all). */
  script?: (dir: string) => string;
  env?: Record<string, string>;
  /** The line the user sees (a RegExp over the whole stderr line). */
  line: (node: string) => RegExp;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TOO_OLD = (v: string, node: string): RegExp =>
  new RegExp(`^teleport-tools: Node\\.js ${esc(v)} \\(${esc(node)}\\) is too old: teleport-tools needs Node\\.js 20\\.19 or later to install or update; install a newer one \\(nvm: .*\\) or put one first on PATH: PATH=/path/to/newer/node/bin:\\$PATH$`);
const FALLBACK = (what: string): RegExp =>
  new RegExp(`^teleport-tools: ${what}, so tsh cannot be installed or updated: put Node\\.js 20\\.19 or later first on PATH \\(nvm, NodeSource or Homebrew\\); (running the installed tsh [0-9.]+ without updating it|no tsh is installed to run instead)$`);

const RUNTIMES: Runtime[] = [
  {
    name: 'Node.js 18.20.4 (below the floor)',
    script: (dir) => `#!/bin/sh\nexec ${NODE} --require ${dir}/pretend.cjs "$@"\n`,
    env: { FAKE_NODE_VERSION: '18.20.4' },
    line: () => TOO_OLD('18.20.4', NODE),
  },
  {
    name: 'Node.js 12.22.9, which would refuse V8 flags it does not know (the launcher passes none)',
    script: (dir) => `#!/bin/sh\ncase $1 in --max-semi-space-size=*) echo "$0: bad option: $1" >&2; exit 9 ;; esac\nexec ${NODE} --require ${dir}/pretend.cjs "$@"\n`,
    env: { FAKE_NODE_VERSION: '12.22.9' },
    line: () => TOO_OLD('12.22.9', NODE),
  },
  {
    name: 'a Node.js whose process.versions.node is garbage',
    script: (dir) => `#!/bin/sh\nexec ${NODE} --require ${dir}/pretend.cjs "$@"\n`,
    env: { FAKE_NODE_VERSION: 'garbage\u001b[31m' },
    line: () => new RegExp(`^teleport-tools: ${esc(NODE)} reports Node\\.js version "garbage\\\\u001b\\[31m", which is not a Node\\.js release: teleport-tools needs Node\\.js 20\\.19 or later to install or update; install a newer one`),
  },
  {
    name: 'a shell script that prints garbage',
    script: () => '#!/bin/sh\necho "v18.0.0 {garbage}"\n',
    line: (node) => FALLBACK(`${esc(node)} did not answer like Node\\.js`),
  },
  {
    name: 'a runtime that crashes at start',
    script: () => '#!/bin/sh\nkill -SEGV $$\n',
    line: (node) => FALLBACK(`${esc(node)} could not start or crashed \\(exit status 139\\)`),
  },
  {
    name: 'NODE_OPTIONS with --require of a missing file',
    script: () => `#!/bin/sh\nexec ${NODE} "$@"\n`,
    env: { NODE_OPTIONS: '--require /nonexistent/preload.js' },
    line: (node) => FALLBACK(`${esc(node)} failed with exit status 1 before choosing a tsh to run \\(NODE_OPTIONS is set: check it\\)`),
  },
  {
    name: 'no node on PATH',
    line: () => FALLBACK('no node on PATH'),
  },
];

/** Our own lines on stderr (Node.js's own complaints, such as a MODULE_NOT_FOUND stack, are left aside). */
const ours = (r: RunResult): string[] => r.stderr.split('\n').filter((l) => l.startsWith('teleport-tools:'));

interface Box {
  sb: Sandbox;
  /** The directory holding the runtime's `node`, first on PATH after the launchers. */
  dir: string | undefined;
  env: Record<string, string>;
}

/**
 * An installed version whose tsh and tctl are plain sh (the fake Teleport programs run Node.js for all
 * but `version`, and a broken Node.js is what these tests are about): they print their version, their
 * arguments and the launcher's variables, and `__exit N` exits N.
 */
async function installFake(sb: Sandbox, version: string): Promise<void> {
  const dir = join(sb.cacheDir, version);
  await mkdir(dir, { recursive: true });
  for (const tool of ['tsh', 'tctl']) {
    const program = [
      '#!/bin/sh',
      '[ "$1" = __exit ] && exit "$2"',
      `echo "${tool} ${version}"`,
      'printf \'arg %s\\n\' "$@"',
      'echo "TELEPORT_TOOLS_VERSION=$TELEPORT_TOOLS_VERSION TELEPORT_TOOLS_PATH_REEXEC=$TELEPORT_TOOLS_PATH_REEXEC"',
      '',
    ].join('\n');
    await writeFile(join(dir, tool), program, { mode: 0o755 });
  }
}

/** A fresh user whose PATH holds the launchers, the runtime's node (if any), and readlink: nothing else. */
async function setUp(rt: Runtime): Promise<Box> {
  // Loopback endpoints that refuse connections: nothing here may get as far as the network.
  const sb = await createSandbox({ versionUrl: 'https://127.0.0.1:9/v', cdnBaseUrl: 'https://127.0.0.1:9' });
  const base = join(sb.root, 'base');
  await mkdir(base);
  await symlink(await systemBinary('readlink'), join(base, 'readlink'));
  let dir: string | undefined;
  if (rt.script) {
    dir = join(sb.root, 'runtime');
    await mkdir(dir);
    await writeFile(join(dir, 'pretend.cjs'), PRETEND);
    await writeFile(join(dir, 'node'), rt.script(dir), { mode: 0o755 });
  }
  return { sb, dir, env: { PATH: `${sb.bin}:${dir ? `${dir}:` : ''}${base}`, ...rt.env } };
}

async function systemBinary(name: string): Promise<string> {
  for (const dir of ['/usr/bin', '/bin']) {
    const file = join(dir, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  throw new Error(`no ${name} in /usr/bin or /bin`);
}

const tsh = (box: Box, args: string[]): Promise<RunResult> => box.sb.tool('tsh', args, box.env);

describe('launchers on a node that cannot do the slow path', () => {
  for (const rt of RUNTIMES) {
    test(`${rt.name}: one line; the selected or newest installed tsh runs; nothing installed: exit 1`, async (t) => {
      const box = await setUp(rt);
      t.after(() => box.sb.remove());
      const line = rt.line(box.dir ? join(box.dir, 'node') : '');

      const none = await tsh(box, ['version']);
      assert.equal(none.code, 1, none.stderr);
      assert.equal(none.stdout, '');
      assert.equal(ours(none).length, 1, none.stderr);
      assert.match(ours(none)[0] ?? '', line);

      await installFake(box.sb, '9.10.0');
      await installFake(box.sb, '13.2.3');
      // Not versions, or not complete: never chosen.
      await mkdir(join(box.sb.cacheDir, '99.0.0'), { recursive: true });
      await mkdir(join(box.sb.cacheDir, '099.0.0'), { recursive: true });
      await writeFile(join(box.sb.cacheDir, '099.0.0', 'tsh'), '#!/bin/sh\necho wrong\n', { mode: 0o755 });

      // No version selected: the newest installed one, `tsh login` included, with the launcher's environment.
      const reexec = `TELEPORT_TOOLS_VERSION=off TELEPORT_TOOLS_PATH_REEXEC=${join(box.sb.bin, 'tsh')}`;
      const login = await tsh(box, ['login', '--proxy', 'example.teleport.sh']);
      assert.equal(login.code, 0, login.stderr);
      assert.equal(login.stdout, `tsh 13.2.3\narg login\narg --proxy\narg example.teleport.sh\n${reexec}\n`);
      assert.equal(ours(login).length, 1, login.stderr);
      assert.match(ours(login)[0] ?? '', line);
      assert.match((await tsh(box, ['version'])).stdout, /^tsh 13\.2\.3\n/);

      // The selected (cloud-stable) version when it is installed.
      await writeFile(join(box.sb.teleportHome, 'cloud-stable-version'), '9.10.0\n');
      const selected = await tsh(box, ['login']);
      assert.equal(selected.code, 0, selected.stderr);
      assert.equal(selected.stdout, `tsh 9.10.0\narg login\n${reexec}\n`);
      assert.equal(ours(selected).length, 1, selected.stderr);
      // The exit status is the binary's own.
      assert.equal((await tsh(box, ['__exit', '7', 'login'])).code, 7);
    });
  }
});

// The shell's fallback and the Node.js side must agree on what a version is and which is newest: one
// table, both implementations (the names are those of test/version.test.ts).
describe('the fallback reads the cache like the Node.js side', () => {
  const NO_NODE = RUNTIMES.find((rt) => !rt.script) as Runtime;

  test('only plain X.Y.Z directories count as versions', async (t) => {
    const box = await setUp(NO_NODE);
    t.after(() => box.sb.remove());
    const names = ['0.0.0', '13.2.3', '17.10.100', '999999.0.1', 'v13.2.3', '13.2', '13.2.3.4', '13.2.3-rc.1', '13.2.3+meta',
      '01.2.3', '1.02.3', '1.2.03', '1000000.0.0', ' 1.2.3', '1.2.3 ', 'a.b.c', '.1.2.3', '1..2.3', '*'];
    for (const name of names) {
      await installFake(box.sb, name);
      const r = await tsh(box, ['version']);
      assert.equal(r.code === 0, isPlainVersion(name), `${JSON.stringify(name)}: ${r.stderr}`);
      if (r.code === 0) assert.equal(r.stdout.split('\n')[0], `tsh ${name}`);
      await rm(join(box.sb.cacheDir, name), { recursive: true });
    }
  });

  test('the newest is compareVersions\' newest', async (t) => {
    const box = await setUp(NO_NODE);
    t.after(() => box.sb.remove());
    const versions = ['1.9.0', '1.10.0', '9.99.99', '1.10.2', '10.0.0', '2.0.0', '10.0.10', '10.0.9'];
    for (const [i, version] of versions.entries()) {
      await installFake(box.sb, version);
      const newest = [...versions.slice(0, i + 1)].sort(compareVersions).at(-1);
      assert.equal((await tsh(box, ['version'])).stdout.split('\n')[0], `tsh ${newest}`);
    }
    // A version directory without an executable, non-empty tsh is passed over.
    await writeFile(join(box.sb.cacheDir, '10.0.10', 'tsh'), '');
    assert.equal((await tsh(box, ['version'])).stdout.split('\n')[0], 'tsh 10.0.9');
  });
});
