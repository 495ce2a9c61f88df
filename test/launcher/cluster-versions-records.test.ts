// Cluster-managed versions (docs/behaviour.md items 11-14) end to end through the real shims: --insecure and editions, broken records, and the CLI (update --proxy, status, clean, doctor).
// The servers and the user are cluster-world.ts's.
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIND_PATH } from '../helpers/cdn-server.js';
import { CLOUD, SELF, STABLE, clusterWorld, managed, ours, port, record, runs, stable, user } from './cluster-world.js';

const w = clusterWorld();

describe('cluster-managed versions: --insecure, records and the CLI', () => {
  test('--insecure skips certificate checks for the find request alone; edition auto follows the cluster, and ent serves oss', async () => {
    const sb = await user(w);
    w.untrusted.setFind(managed(SELF, { edition: 'ent' }));
    const strict = await sb.tool('tsh', ['login', `--proxy=${w.untrustedProxy}`]);
    assert.deepEqual(ours(strict), []);
    assert.equal(await record(sb, 'localhost'), undefined);
    assert.equal(w.untrusted.count(FIND_PATH), 0, 'the TLS handshake failed');

    const r = await sb.tool('tsh', ['--insecure', 'login', `--proxy=${w.untrustedProxy}`]);
    assert.deepEqual(ours(r), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
    assert.equal(w.cloud.count(w.entArchive), 1, 'the enterprise archive');
    const manifest = JSON.parse(await readFile(join(sb.cacheDir, SELF, '.teleport-tools.json'), 'utf8')) as { edition: string };
    assert.equal(manifest.edition, 'ent');

    // An oss cluster asking for the same version: the ent build serves it and stays.
    w.self.setFind(managed(SELF, { edition: 'community' }));
    const oss = await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`]);
    assert.deepEqual(ours(oss), []);
    assert.equal(w.cloud.requests.filter((q) => q.path.includes(SELF)).length, 2, 'nothing downloaded again');
  });

  test('a record that is empty, garbage, a symlink or names a version not installed: one warning and a repair', async () => {
    const sb = await user(w);
    const dir = join(sb.teleportHome, 'cluster-versions');
    const file = join(dir, 'localhost');
    await mkdir(dir);
    for (const [name, make] of [
      ['empty', () => writeFile(file, '')],
      ['garbage', () => writeFile(file, 'latest\n')],
      ['a symlink', () => writeFile(join(sb.teleportHome, 'elsewhere'), `${SELF}\n`).then(() => symlink(join(sb.teleportHome, 'elsewhere'), file))],
    ] as const) {
      await make();
      const r = await sb.tool('tsh', [`--proxy=${w.selfProxy}`, 'version']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`v${STABLE}`), name);
      assert.equal(ours(r).length, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`^teleport-tools: warning: removed ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: it `, 'm'), name);
      assert.equal(await record(sb, 'localhost'), undefined, name);
      await rm(file, { force: true });
    }
    await writeFile(file, `${SELF}\n`);
    const r = await sb.tool('tsh', [`--proxy=${w.selfProxy}`, 'version']);
    assert.match(r.stdout, new RegExp(`v${SELF}`), r.stderr);
    assert.equal(await stable(sb), `${STABLE}\n`, 'installing a recorded version leaves cloud-stable-version alone');
  });

  test('a cluster-versions/ others can write receives no record: the login says why, downloads nothing and runs the installed tsh', async () => {
    const sb = await user(w);
    const dir = join(sb.teleportHome, 'cluster-versions');
    await mkdir(dir);
    await chmod(dir, 0o777);
    w.self.setFind(managed(SELF));
    const asked = w.cloud.requests.length;
    const r = await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`]);
    assert.deepEqual(ours(r), [
      `New client tools version for localhost detected: v${SELF}`,
      `teleport-tools: warning: could not update tsh/tctl: cluster-versions directory ${dir} is writable by group or others (mode 777); run: chmod go-w '${dir}'; using the installed version`,
    ]);
    assert.match(r.stderr, /^ERROR: FAKE_TELEPORT_CLUSTER is not set$/m, 'tsh itself ran the login');
    assert.equal(await runs(sb, 'tsh', [`--proxy=${w.selfProxy}`]), STABLE);
    assert.equal(await record(sb, 'localhost'), undefined);
    assert.equal(w.cloud.requests.length, asked, 'nothing downloaded');
  });

  test('the CLI: update --proxy, status, clean keeps every recorded version, doctor lists the records', async () => {
    const sb = await user(w);
    w.self.setFind(managed(SELF));
    const u = await sb.cli(['update', '--proxy', w.selfProxy]);
    assert.equal(u.code, 0, u.stderr);
    assert.deepEqual(ours(u), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
    const again = await sb.cli(['update', '--proxy', w.selfProxy]);
    assert.deepEqual(ours(again), [`tsh/tctl are up to date for localhost (v${SELF}).`]);
    assert.equal((await sb.cli(['update', '--proxy', '../x'])).code, 2);
    const down = await sb.cli(['update', '--proxy', `localhost:${port(w.untrusted)}`]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^teleport-tools: no usable answer from https:\/\/localhost:\d+\/webapi\/find: .*add --insecure\)$/m);

    // cloud-stable moves on: clean removes the old one, keeps the cluster's.
    assert.equal((await sb.cli(['update', '--version', CLOUD])).code, 0);
    const clean = await sb.cli(['clean']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, new RegExp(`^Removed v${STABLE.replaceAll('.', '\\.')}\\.$`, 'm'));
    assert.deepEqual((await sb.cacheEntries()).filter((e) => !e.startsWith('.')), [SELF, CLOUD].sort());

    await writeFile(join(sb.teleportHome, 'cluster-versions', 'other.example.com'), `${STABLE}\n`);
    const status = JSON.parse((await sb.cli(['status', '--json'], { TELEPORT_PROXY: w.selfProxy })).stdout) as Record<string, unknown>;
    assert.deepEqual(status.clusters, [
      { profile: 'localhost', version: SELF, installed: true },
      { profile: 'other.example.com', version: STABLE, installed: false },
    ]);
    assert.equal(status.selectedVersion, SELF);
    assert.equal(status.selectedFrom, 'cluster-versions');
    assert.equal(status.profile, 'localhost');
    const text = await sb.cli(['status']);
    assert.match(text.stdout, new RegExp(`^  other\\.example\\.com: v${STABLE.replaceAll('.', '\\.')} \\(not installed\\)$`, 'm'));

    const doctor = await sb.cli(['doctor', '--json']);
    assert.equal(doctor.code, 1);
    const check = (JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string; fix: string | null }[] }).checks.find((c) => c.name === 'cluster-versions');
    assert.equal(check?.ok, false);
    assert.match(check?.detail ?? '', new RegExp(`other\\.example\\.com asks for v${STABLE.replaceAll('.', '\\.')}`));
    assert.equal(check?.fix, 'teleport-tools update --proxy other.example.com');
  });
});
