// Only the user's own binaries run from the sh launchers (docs/behaviour.md item 26), shown with two
// real local users: alice's cache is world-writable, and mallory plants her own version in it. Needs
// root (to create the users with useradd); elsewhere it skips, saying why.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SHIMS } from '../helpers/sandbox.js';
import type { RunResult } from '../helpers/sandbox.js';
import { SHELLS, shellMissing, shellPath } from '../helpers/shells.js';

interface User {
  name: string;
  uid: number;
  gid: number;
}

const why = process.getuid?.() !== 0
  ? 'needs root, to create two local users'
  : spawnSync('useradd', ['--help']).error ? 'needs useradd, to create two local users' : false;

/** Runs `file` as `user`, with exactly `env`. */
function runAs(user: User, file: string, args: readonly string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, uid: user.uid, gid: user.gid, cwd: '/' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject).on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end();
  });
}

/** A new local user without a home directory; useradd waits for nobody, so a busy passwd file is retried. */
function addUser(name: string): User {
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync('useradd', ['--no-create-home', '--shell', '/bin/sh', name], { encoding: 'utf8' });
    if (r.status === 0) break;
    // 10: cannot lock the passwd or group file (another useradd at work).
    if (r.status !== 10 || attempt === 50) throw new Error(`useradd ${name}: ${r.stderr}`);
    spawnSync('sleep', ['0.1']);
  }
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { name, uid: id('-u'), gid: id('-g') };
}

const program = (text: string) => `#!/bin/sh\necho '${text}'\n`;

describe('only the user\'s own binaries run from the launchers', { skip: why }, () => {
  const suffix = `${process.pid % 100000}`;
  const users: User[] = [];
  let root: string;
  let alice: User;
  let mallory: User;
  let home: string;
  let cache: string;
  before(async () => {
    alice = addUser(`tt-alice-${suffix}`);
    users.push(alice);
    mallory = addUser(`tt-mallory-${suffix}`);
    users.push(mallory);
    root = await mkdtemp(join(tmpdir(), 'tt-owner-'));
    await chmod(root, 0o755);
    home = join(root, 'alice', '.tsh');
    cache = join(home, 'cache');
    // alice's own v14.0.0; cloud-stable-version selects v15.0.0; the cache is writable by everyone.
    await mkdir(join(cache, '14.0.0'), { recursive: true });
    await writeFile(join(cache, '14.0.0', 'tsh'), program('alice v14.0.0'), { mode: 0o755 });
    await writeFile(join(home, 'cloud-stable-version'), '15.0.0\n');
    for (const path of [join(root, 'alice'), home, cache, join(cache, '14.0.0'), join(cache, '14.0.0', 'tsh'), join(home, 'cloud-stable-version')]) {
      await chown(path, alice.uid, alice.gid);
    }
    await chmod(join(root, 'alice'), 0o755);
    await chmod(home, 0o755);
    await chmod(cache, 0o777);
    // mallory, as herself, plants v15.0.0 (the selected version) and v16.0.0 (the newest).
    const plant = await runAs(mallory, '/bin/sh', ['-c', [
      'for v in 15.0.0 16.0.0; do',
      '  mkdir "$CACHE/$v" && printf "#!/bin/sh\\necho mallory v$v\\n" >"$CACHE/$v/tsh" && chmod 755 "$CACHE/$v/tsh" || exit 1',
      'done',
    ].join('\n')], { CACHE: cache, PATH: '/usr/bin:/bin' });
    assert.equal(plant.code, 0, plant.stderr);
  });
  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    for (const user of users) spawnSync('userdel', [user.name]);
  });

  const env = () => ({ HOME: join(root, 'alice'), TELEPORT_HOME: home, PATH: '/usr/bin:/bin' });

  test('mallory\'s program is there, and alice could run it', async () => {
    const r = await runAs(alice, join(cache, '15.0.0', 'tsh'), [], env());
    assert.equal(r.stdout, 'mallory v15.0.0\n');
  });

  for (const shell of SHELLS) {
    describe(`under ${shell}`, { skip: shellMissing(shell) }, () => {
      const tsh = (extra: Record<string, string> = {}) => runAs(alice, shellPath(shell) ?? shell, [join(SHIMS, 'tsh'), 'status'], { ...env(), ...extra });

      test('the fast path leaves mallory\'s v15.0.0 to the slow path, which refuses the cache', async () => {
        const r = await tsh();
        assert.doesNotMatch(r.stdout, /mallory/);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /is writable by group or others \(mode 777\)/);
      });

      test('without Node.js, the fallback runs alice\'s own v14.0.0, not mallory\'s selected or newest version', async () => {
        const r = await tsh({ PATH: '/nonexistent' });
        assert.equal(r.stdout, 'alice v14.0.0\n');
        assert.match(r.stderr, /^teleport-tools: no node on PATH, .*; running the installed tsh 14\.0\.0 without updating it\n$/);
      });

      test('a version directory of alice\'s holding mallory\'s binary is refused too', async () => {
        // v15.0.0 as alice's own directory, writable by everyone, with mallory's binary in it.
        const dir = join(cache, '15.0.0');
        await chown(dir, alice.uid, alice.gid);
        await chmod(dir, 0o777);
        try {
          const r = await tsh({ PATH: '/nonexistent' });
          assert.equal(r.stdout, 'alice v14.0.0\n');
        } finally {
          await chown(dir, mallory.uid, mallory.gid);
          await chmod(dir, 0o755);
        }
      });

      test('only ownership stood in the way: once v15.0.0 is alice\'s own, the fast path runs it', async () => {
        const dir = join(cache, '15.0.0');
        await chown(dir, alice.uid, alice.gid);
        await chown(join(dir, 'tsh'), alice.uid, alice.gid);
        try {
          assert.equal((await tsh({ PATH: '/nonexistent' })).stdout, 'mallory v15.0.0\n');
        } finally {
          await chown(dir, mallory.uid, mallory.gid);
          await chown(join(dir, 'tsh'), mallory.uid, mallory.gid);
        }
      });

      test('with only mallory\'s versions, the fallback runs nothing and names what it refused', async () => {
        const own = join(cache, '14.0.0', 'tsh');
        await chown(own, mallory.uid, mallory.gid);
        try {
          const r = await tsh({ PATH: '/nonexistent' });
          assert.equal(r.stdout, '');
          assert.equal(r.code, 1);
          assert.match(r.stderr, /^teleport-tools: no node on PATH, .*; not running .*\/cache\/\d+\.0\.0\/tsh: it or its directory belongs to another user \(remove it, or fix its owner\)\n$/);
        } finally {
          await chown(own, alice.uid, alice.gid);
        }
      });
    });
  }
});
