// A second real local user for trust-boundary tests (docs/behaviour.md items 26 and 27): created with
// useradd when the tests run as root, removed after the test; elsewhere the test skips with the reason.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const sh = promisify(execFile);

export interface LocalUser {
  name: string;
  uid: number;
  gid: number;
  /** Runs `file args` as this user and resolves with its exit status. */
  run(file: string, args: readonly string[], opts?: { cwd?: string }): Promise<number | null>;
  /** Starts `file args` as this user. */
  spawn(file: string, args: readonly string[]): ChildProcessWithoutNullStreams;
}

/** A fresh local user, or the reason there cannot be one here (for t.skip). */
export async function localUser(t: { after: (fn: () => Promise<void>) => void }): Promise<LocalUser | string> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux to create a second local user with useradd';
  const name = `ttu${randomBytes(4).toString('hex')}`;
  try {
    await sh('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  } catch (err) {
    return `useradd failed: ${(err as Error).message.split('\n')[0]}`;
  }
  t.after(async () => {
    await sh('userdel', [name]).catch(() => undefined);
  });
  const uid = Number((await sh('id', ['-u', name])).stdout.trim());
  const gid = Number((await sh('id', ['-g', name])).stdout.trim());
  const start = (file: string, args: readonly string[], cwd?: string): ChildProcessWithoutNullStreams =>
    spawn(file, args, { uid, gid, cwd: cwd ?? '/', env: { PATH: '/usr/local/bin:/usr/bin:/bin' } });
  return {
    name,
    uid,
    gid,
    run: (file, args, opts = {}) =>
      new Promise((resolve, reject) => {
        const child = start(file, args, opts.cwd);
        child.stdin.end();
        child.stdout.resume();
        child.stderr.resume();
        child.on('error', reject).on('close', (code) => resolve(code));
      }),
    spawn: (file, args) => start(file, args),
  };
}
