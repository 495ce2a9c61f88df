// The Windows logic that Wine cannot show or that needs no Windows at all, as unit tests: trust without
// mode bits (the cache under the user's profile directory), the child's environment, binary names.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { executableMode, exeName } from '../../src/artifacts/exe-name.js';
import { retryBusy } from '../../src/artifacts/retry-busy.js';
import { binaryEnv } from '../../src/binary-env.js';
import { underProfile, windowsUnsafeReason } from '../../src/trust.js';

describe('Windows trust (docs/behaviour.md item 26)', () => {
  it('a path is under the profile directory ignoring case, and never through ..', () => {
    assert.equal(underProfile('C:\\Users\\Jane Doe\\.tsh\\cache', 'C:\\Users\\Jane Doe'), true);
    assert.equal(underProfile('c:\\users\\JANE DOE\\.tsh', 'C:\\Users\\Jane Doe'), true);
    assert.equal(underProfile('C:\\Users\\Jane Doe', 'C:\\Users\\Jane Doe'), true);
    assert.equal(underProfile('C:\\Users\\Jane Doe\\..\\Public\\.tsh', 'C:\\Users\\Jane Doe'), false);
    assert.equal(underProfile('C:\\Users\\Jane Doe2\\.tsh', 'C:\\Users\\Jane Doe'), false);
    assert.equal(underProfile('D:\\tsh\\cache', 'C:\\Users\\Jane Doe'), false);
    assert.equal(underProfile('C:\\ProgramData\\tsh', 'C:\\Users\\Jane Doe'), false);
  });

  it('mode bits never refuse; a link or a cache outside the profile does', async () => {
    const root = await mkdtemp(join(tmpdir(), 'tt-wintrust-'));
    try {
      const profile = join(root, 'profile');
      const cache = join(profile, '.tsh', 'cache');
      await mkdir(cache, { recursive: true, mode: 0o777 });
      // POSIX paths resolve the same way under path.win32 (no drive letter on either side).
      assert.equal(windowsUnsafeReason(cache, { profile }), undefined, 'a world-writable mode is no reason on Windows');
      assert.equal(windowsUnsafeReason(join(profile, 'missing'), { profile }), undefined);
      const outside = join(root, 'elsewhere');
      await mkdir(outside);
      assert.match(windowsUnsafeReason(outside, { profile })?.problem ?? '', /^is not under your profile directory /);
      await symlink(outside, join(profile, 'link'));
      assert.equal(windowsUnsafeReason(join(profile, 'link'), { profile })?.problem, 'is a link or junction');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("tsh.exe's environment (docs/behaviour.md items 3 and 31)", () => {
  it('sets TELEPORT_TOOLS_VERSION=off and the launcher path, and drops the re-exec variables in any case', () => {
    const caller = { PATH: 'C:\\x', TELEPORT_TOOLS_VERSION: '17.0.1', Teleport_Tools_Dir: 'C:\\d', TELEPORT_TOOLS_VERSION_REEXEC: '1', TELEPORT_HOME: 'C:\\h' };
    const env = binaryEnv(caller, { launcher: 'C:\\npm\\tsh.cmd', platform: 'win32' });
    assert.deepEqual(env, { PATH: 'C:\\x', TELEPORT_HOME: 'C:\\h', TELEPORT_TOOLS_VERSION: 'off', TELEPORT_TOOLS_PATH_REEXEC: 'C:\\npm\\tsh.cmd' });
  });
});

describe('binary names', () => {
  it('tsh.exe on Windows, where no file has an execute bit', () => {
    assert.equal(exeName('tsh', 'win32'), 'tsh.exe');
    assert.equal(exeName('tctl', 'linux'), 'tctl');
    assert.equal(executableMode(0o100666, 'win32'), true);
    assert.equal(executableMode(0o100644, 'linux'), false);
    assert.equal(executableMode(0o100700, 'darwin'), true);
  });
});

describe('files in use (docs/behaviour.md item 24)', () => {
  const busy = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: operation not permitted, rename`), { code });

  it('on Windows, a rename refused with EPERM, EBUSY or EACCES is tried again', async () => {
    for (const code of ['EPERM', 'EBUSY', 'EACCES']) {
      let calls = 0;
      const got = await retryBusy(async () => {
        if (++calls < 3) throw busy(code);
        return 'renamed';
      }, { platform: 'win32', firstDelayMs: 1 });
      assert.equal(got, 'renamed');
      assert.equal(calls, 3);
    }
  });

  it('gives up after the last attempt with the error, and never retries elsewhere or other errors', async () => {
    let calls = 0;
    await assert.rejects(retryBusy(async () => {
      calls++;
      throw busy('EPERM');
    }, { platform: 'win32', attempts: 4, firstDelayMs: 1 }), { code: 'EPERM' });
    assert.equal(calls, 4);
    for (const [platform, code] of [['linux', 'EPERM'], ['win32', 'ENOENT']] as const) {
      calls = 0;
      await assert.rejects(retryBusy(async () => {
        calls++;
        throw busy(code);
      }, { platform, firstDelayMs: 1 }), { code });
      assert.equal(calls, 1, `${platform} ${code}`);
    }
  });
});
