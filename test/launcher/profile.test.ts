// "The call's profile" is decided twice: by the shims with shell builtins (fast path) and by
// src/tools/profile.ts (slow path). One table (profile-cases.ts), both implementations, same answers.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { callProfile } from '../../src/tools/profile.js';
import { SHIMS, SYSTEM_PATH, run } from '../helpers/sandbox.js';
import { PROFILE_CASES } from './profile-cases.js';
import type { ProfileCase } from './profile-cases.js';

/** cloud-stable-version names BASE, the expected profile's record RECORDED, a trap TRAP. */
const BASE = '1.0.0';
const RECORDED = '2.0.0';
const TRAP = '6.6.6';

const root = await mkdtemp(join(tmpdir(), 'tt-profile-'));
after(() => rm(root, { recursive: true, force: true }));

async function home(c: ProfileCase, i: number): Promise<string> {
  const dir = join(root, String(i), '.tsh');
  for (const v of [BASE, RECORDED, TRAP]) {
    await mkdir(join(dir, 'cache', v), { recursive: true });
    const bin = join(dir, 'cache', v, c.tool);
    await writeFile(bin, `#!/bin/sh\necho ${v}\n`);
    await chmod(bin, 0o755);
  }
  await writeFile(join(dir, 'cloud-stable-version'), `${BASE}\n`);
  const records = join(dir, 'cluster-versions');
  await mkdir(records);
  if (c.trap) {
    await mkdir(dirname(join(records, c.trap)), { recursive: true });
    await writeFile(join(records, c.trap), `${TRAP}\n`);
  }
  if (c.profile) await writeFile(join(records, c.profile), `${RECORDED}\n`);
  if (c.currentProfile !== undefined) await writeFile(join(dir, 'current-profile'), c.currentProfile);
  return dir;
}

describe("the call's profile: one table, the shims and Node.js", () => {
  test('src/tools/profile.ts answers every case', () => {
    for (const c of PROFILE_CASES) {
      const got = callProfile({ tool: c.tool, args: c.args, envProxy: c.envProxy, currentProfile: c.currentProfile });
      assert.equal(got ?? null, c.profile, c.name);
    }
  });

  test('shims/tsh and shims/tctl answer every case (the version they exec shows which record they read)', async () => {
    const results = await Promise.all(PROFILE_CASES.map(async (c, i) => {
      const teleportHome = await home(c, i);
      const env = { HOME: dirname(teleportHome), TELEPORT_HOME: teleportHome, PATH: SYSTEM_PATH, TELEPORT_PROXY: c.envProxy };
      return { c, r: await run(join(SHIMS, c.tool), c.args, { env }) };
    }));
    for (const { c, r } of results) {
      assert.equal(r.stderr, '', c.name);
      assert.equal(r.stdout.trim(), c.profile ? RECORDED : BASE, c.name);
    }
  });
});
