// The Windows test machine itself: the fake tsh.exe runs under Wine through cmd.exe, its exit code comes
// back with all 32 bits, and it reports the arguments and environment it got. Everything the launcher
// tests assert about Windows rests on these.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cmd, loadWine, winPath, writeFakeExe } from './wine.js';
import type { WineEnv } from './wine.js';

const wine = loadWine();
const skip = typeof wine === 'string' ? wine : false;

describe('the Windows test machine (Wine)', { skip, timeout: 120_000 }, () => {
  let dir: string;
  let exe: string;
  const w = wine as WineEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tt-wine-'));
    exe = join(dir, 'tsh.exe');
    await writeFakeExe(w, 'tsh', '17.0.1', exe);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('runs the fake tsh.exe, which prints its patched-in version', async () => {
    const r = await cmd(w, `${winPath(exe)} version`);
    assert.equal(r.stdout, 'Teleport v17.0.1 git:v17.0.1-0-g0000000 go1.20\n');
    assert.equal(r.code, 0);
  });

  it('returns exit codes with all 32 bits', async () => {
    for (const code of [7, 300, 3221225786]) {
      assert.equal((await cmd(w, `${winPath(exe)} __exit ${code}`)).code, code);
    }
  });

  it('shows the arguments as Windows parsed them and the environment it got', async () => {
    const args = await cmd(w, `${winPath(exe)} __args "a b" "c\\"d" 50%`);
    assert.deepEqual(JSON.parse(args.stdout), ['a b', 'c"d', '50%']);
    const env = await cmd(w, `${winPath(exe)} __env TT_PROBE TT_UNSET`, { env: { TT_PROBE: 'x y' } });
    assert.deepEqual(JSON.parse(env.stdout), { TT_PROBE: 'x y', TT_UNSET: null });
  });
});
