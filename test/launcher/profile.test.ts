// "The call's profile" and the version records are read twice: by the shims with shell builtins (fast
// path) and by src/tools/ (slow path). One table each (profile-cases.ts), both implementations, same answers.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { callProfile } from '../../src/tools/profile.js';
import { readVersionFile } from '../../src/tools/version-file.js';
import { readRecord } from '../../src/tools/cluster-versions.js';
import { SHIMS, SYSTEM_PATH, run } from '../helpers/sandbox.js';
import { PROFILE_CASES, RECORD_CASES } from './profile-cases.js';
import type { ProfileCase, RecordCase } from './profile-cases.js';

/** cloud-stable-version names BASE, the expected profile's record RECORDED, a trap TRAP. */
const BASE = '1.0.0';
const RECORDED = '2.0.0';
const TRAP = '6.6.6';
/** Newer than any record case: what the shim runs when it finds no usable record and no Node.js. */
const NEWEST = '99.0.0';
const RECORD_PROFILE = 'rec.example.com';

const root = await mkdtemp(join(tmpdir(), 'tt-profile-'));
after(() => rm(root, { recursive: true, force: true }));

async function install(dir: string, tool: string, version: string): Promise<void> {
  await mkdir(join(dir, 'cache', version), { recursive: true });
  const bin = join(dir, 'cache', version, tool);
  await writeFile(bin, `#!/bin/sh\necho ${version}\n`);
  await chmod(bin, 0o755);
}

async function home(c: ProfileCase, i: number): Promise<string> {
  const dir = join(root, String(i), '.tsh');
  for (const v of [BASE, RECORDED, TRAP]) await install(dir, c.tool, v);
  await writeFile(join(dir, 'cloud-stable-version'), `${BASE}\n`);
  const records = join(dir, 'cluster-versions');
  await mkdir(records);
  if (c.trap) {
    await mkdir(dirname(join(records, c.trap)), { recursive: true });
    await writeFile(join(records, c.trap), `${TRAP}\n`);
  }
  if (c.profile) await writeFile(join(records, c.profile), `${RECORDED}\n`);
  if (c.currentProfile !== undefined) await writeFile(join(dir, 'current-profile'), c.currentProfile);
  if (c.currentProfileIsDirectory) await mkdir(join(dir, 'current-profile'));
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

type RecordKind = 'cloud-stable-version' | 'cluster-versions';
const KINDS: RecordKind[] = ['cloud-stable-version', 'cluster-versions'];

/** A home whose record of `kind` holds the case's content, with its version, the trap and NEWEST installed. */
async function recordHome(c: RecordCase, kind: RecordKind, i: number): Promise<string> {
  const dir = join(root, `record-${kind}-${i}`, '.tsh');
  for (const v of [c.version, c.trap, NEWEST]) if (v) await install(dir, 'tsh', v);
  await mkdir(join(dir, 'cluster-versions'), { recursive: true });
  const file = kind === 'cloud-stable-version' ? join(dir, 'cloud-stable-version') : join(dir, 'cluster-versions', RECORD_PROFILE);
  await writeFile(file, c.content);
  return dir;
}

describe('the version records: one table, the shims and Node.js', () => {
  test('readVersionFile and readRecord answer every case', async () => {
    for (const [i, c] of RECORD_CASES.entries()) {
      const dir = await recordHome(c, 'cloud-stable-version', i);
      assert.equal((await readVersionFile(join(dir, 'cloud-stable-version'))) ?? null, c.version, c.name);
      const other = await recordHome(c, 'cluster-versions', i);
      const record = await readRecord(other, RECORD_PROFILE);
      assert.equal(record.kind === 'ok' ? record.version : null, c.version, c.name);
      if (c.version === null) assert.equal(record.kind, 'bad', c.name);
    }
  });

  test('the shim runs the recorded version only when Node.js would (without Node.js: the newest installed)', async () => {
    const noNode = join(root, 'empty-path');
    await mkdir(noNode, { recursive: true });
    const runs = KINDS.flatMap((kind) => RECORD_CASES.map(async (c, i) => {
      const teleportHome = await recordHome(c, kind, i);
      const env = { HOME: dirname(teleportHome), TELEPORT_HOME: teleportHome, PATH: noNode, TELEPORT_PROXY: kind === 'cluster-versions' ? RECORD_PROFILE : undefined };
      return { c, kind, r: await run(join(SHIMS, 'tsh'), ['status'], { env }) };
    }));
    for (const { c, kind, r } of await Promise.all(runs)) {
      const what = `${kind}: ${c.name}`;
      assert.equal(r.stdout.trim(), c.version ?? NEWEST, what);
      if (c.version) assert.equal(r.stderr, '', what);
      else assert.match(r.stderr, /no node on PATH/, what);
    }
  });
});
