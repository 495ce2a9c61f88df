// Trust boundaries on the Node.js side (docs/behaviour.md item 26): a program another user planted in
// a cache others can write never runs from the launcher's slow path, Connect My Computer or anything
// else, each refusal is one line naming the path and the fix, and doctor says the same; what
// teleport-tools creates is 0700; tools.yaml and cluster-versions/ are checked like the cache.
import assert from 'node:assert/strict';
import { access, chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { localUser } from '../helpers/local-users.js';
import type { RunResult, Sandbox } from '../helpers/sandbox.js';
import { world } from '../launcher/world.js';

const V1 = '13.2.3';
const VERSION_OFF = { TELEPORT_TOOLS_VERSION: 'off' };

interface JsonCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix: string | null;
}

async function doctor(sb: Sandbox): Promise<Record<string, JsonCheck>> {
  const r = await sb.cli(['doctor', '--json'], VERSION_OFF);
  const doc = JSON.parse(r.stdout) as { checks: JsonCheck[] };
  return Object.fromEntries(doc.checks.map((c) => [c.name, c]));
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

function assertOneLine(r: RunResult, line: string): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `teleport-tools: ${line}\n`);
}

describe('a foreign program planted in a cache others can write', () => {
  test('never runs: the launcher, cmc and doctor each name the path and the fix', async (t) => {
    const mallory = await localUser(t);
    if (typeof mallory === 'string') return t.skip(mallory);
    const w = await world([V1], V1, t);
    await w.preinstall(V1);
    const { root, home, teleportHome, cacheDir } = w.sb;
    // A home others may enter (as most are), and the mistake: a cache anyone can write.
    for (const dir of [root, home, teleportHome]) await chmod(dir, 0o755);
    await chmod(cacheDir, 0o777);
    const dir = join(cacheDir, V1);
    const ran = join(root, 'planted-program-ran');
    // Mallory swaps the version directory for her own, with a manifest and a program that leaves a mark.
    const plant = [
      `cd '${cacheDir}'`,
      `mv ${V1} .old-${V1}`,
      `mkdir ${V1}`,
      `cp .old-${V1}/.teleport-tools.json ${V1}/`,
      `printf '#!/bin/sh\\ntouch ${ran}\\n' > ${V1}/tsh`,
      `chmod 755 ${V1}/tsh`,
      `cp ${V1}/tsh ${V1}/tctl`,
    ].join(' && ');
    assert.equal(await mallory.run('/bin/sh', ['-c', plant]), 0, 'the attack itself works: the cache is writable');
    assert.equal((await stat(join(dir, 'tsh'))).uid, mallory.uid);

    const login = ['login', '--proxy=example.com'];
    assertOneLine(await w.sb.tool('tsh', login, VERSION_OFF), `cache directory ${cacheDir} is writable by group or others (mode 777); run: chmod go-w '${cacheDir}'`);
    await chmod(cacheDir, 0o755); // the fix it named
    const owner = `version directory ${dir} belongs to another user (uid ${mallory.uid}); remove it or fix its owner: sudo chown -R "$(id -un)" '${dir}'`;
    assertOneLine(await w.sb.tool('tsh', login, VERSION_OFF), owner);
    assertOneLine(await w.sb.cli(['cmc', 'setup'], VERSION_OFF), owner);

    const cache = (await doctor(w.sb)).cache;
    assert.equal(cache?.ok, false);
    assert.equal(cache?.detail, `installed file ${dir} belongs to another user (uid ${mallory.uid})`);
    assert.equal(await exists(ran), false, 'the planted program never ran');
  });
});

describe('what teleport-tools creates, and the settings it reads', () => {
  test('TELEPORT_HOME and cache/ are created 0700 by the first install; an existing TELEPORT_HOME keeps its mode', async (t) => {
    const w = await world([V1], V1, t);
    const first = await w.sb.tool('tsh', ['version']);
    assert.equal(first.code, 0, first.stderr);
    const { teleportHome, cacheDir } = w.sb;
    assert.equal((await stat(teleportHome)).mode & 0o777, 0o700);
    assert.equal((await stat(cacheDir)).mode & 0o777, 0o700);

    const other = await world([V1], V1, t);
    await mkdir(other.sb.teleportHome, { mode: 0o755 });
    await chmod(other.sb.teleportHome, 0o755);
    await other.preinstall(V1);
    assert.equal((await stat(other.sb.teleportHome)).mode & 0o777, 0o755, 'never tightened');
    assert.equal((await stat(other.sb.cacheDir)).mode & 0o777, 0o700);
  });

  test('a tools.yaml others can write is not used (it could send downloads elsewhere): one line with the fix', async (t) => {
    const w = await world([V1], V1, t);
    await w.preinstall(V1);
    const config = join(w.sb.teleportHome, 'config', 'tools.yaml');
    await mkdir(join(w.sb.teleportHome, 'config'), { recursive: true, mode: 0o700 });
    await writeFile(config, 'cdn_base_url: https://127.0.0.1:9/elsewhere\n');
    await chmod(config, 0o666);
    const line = `config file ${config} is writable by group or others (mode 666); run: chmod go-w '${config}'`;
    const check = (await doctor(w.sb)).config;
    assert.equal(check?.ok, false);
    assert.equal(check?.detail, `${line}; automatic updates are off until it is fixed`);
    const asked = w.cdn.requests.length;
    const r = await w.sb.tool('tsh', ['login', '--proxy=example.com']);
    assert.match(r.stderr, new RegExp(`^teleport-tools: warning: ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; automatic updates are off until it is fixed$`, 'm'));
    assert.equal(w.cdn.requests.length, asked, 'nothing asked of any server');
  });

  test('a cluster-versions/ others can write: doctor names it and the fix', async (t) => {
    const w = await world([V1], V1, t);
    await w.preinstall(V1);
    const dir = join(w.sb.teleportHome, 'cluster-versions');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'example.com'), `${V1}\n`);
    await chmod(dir, 0o777);
    const check = (await doctor(w.sb))['cluster-versions'];
    assert.equal(check?.ok, false);
    assert.equal(check?.detail, `${dir} is writable by group or others (mode 777), so the launchers ignore the records in it`);
    assert.equal(check?.fix, `chmod go-w ${dir}`);
  });
});
