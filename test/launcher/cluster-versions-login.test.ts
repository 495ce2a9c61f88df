// Cluster-managed versions (docs/behaviour.md items 11-14) end to end through the real shims: logging in to clusters with managed updates: a self-hosted cluster, two clusters at once (the Cloud one asked first), then managed updates off, follow_cluster_version and the compatibility warning.
// The servers and the user are cluster-world.ts's.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIND_PATH, VERSION_PATH } from '../helpers/cdn-server.js';
import { CLOUD, SELF, STABLE, clusterWorld, managed, ours, record, runs, stable, user } from './cluster-world.js';

const w = clusterWorld();

describe('cluster-managed versions: login', () => {
  test('an upgrade from a home with only cloud-stable-version; a self-hosted cluster with managed updates; tsh and tctl pick by profile', async () => {
    const sb = await user(w);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${w.selfProxy}`]), STABLE);
    w.self.setFind(managed(SELF));
    const r = await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`, '--user=alice']);
    assert.deepEqual(ours(r), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(r.stdout, '');
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
    assert.equal(await stable(sb), `${STABLE}\n`, 'a self-hosted cluster leaves cloud-stable-version alone');
    assert.deepEqual(w.self.requests.map((q) => q.path), [FIND_PATH]);
    assert.equal(w.cloud.count(VERSION_PATH), 0, 'no version_url request for a self-hosted proxy');

    // Selection, on the fast path: --proxy, TELEPORT_PROXY, current-profile; tctl too (profile.test.ts has
    // the whole table, `--proxy h:p` included; the fake tsh itself only parses `--flag=value`).
    assert.equal(await runs(sb, 'tsh', [`--proxy=${w.selfProxy}`]), SELF);
    assert.equal(await runs(sb, 'tsh', []), STABLE);
    assert.equal(await runs(sb, 'tctl', [], { TELEPORT_PROXY: w.selfProxy }), SELF);
    await writeFile(join(sb.teleportHome, 'current-profile'), 'localhost\n');
    await writeFile(join(sb.teleportHome, 'localhost.yaml'), `web_proxy_addr: ${w.selfProxy}\nusername: alice\n`);
    assert.equal(await runs(sb, 'tctl', []), SELF);

    // Logging in again (to the current profile's web_proxy_addr): one request, nothing said.
    const again = await sb.tool('tsh', ['login']);
    assert.deepEqual(ours(again), []);
    assert.equal(w.self.count(FIND_PATH), 2);
  });

  test('two clusters at once: the Cloud cluster is asked first and its answer wins, version_url is never asked; then managed updates off, follow_cluster_version, a compatibility warning', async () => {
    const sb = await user(w);
    w.self.setFind(managed(SELF));
    w.cloud.setFind(managed(CLOUD, { server_version: CLOUD, edition: 'oss' }));
    const r = await sb.tool('tsh', ['login', `--proxy=${w.cloudProxy}`]);
    assert.deepEqual(ours(r), [`New client tools version for 127.0.0.1 detected: v${CLOUD}`, `Updated tsh/tctl to version v${CLOUD}!`]);
    assert.equal(w.cloud.count(FIND_PATH), 1);
    assert.equal(w.cloud.count(VERSION_PATH), 0, 'one request: the cluster named a version');
    assert.equal(await record(sb, '127.0.0.1'), `${CLOUD}\n`);
    assert.equal(await stable(sb), `${CLOUD}\n`, 'for a Cloud proxy the version adopted is also cloud-stable');
    await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`]);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${w.cloudProxy}`]), CLOUD);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${w.selfProxy}`]), SELF);
    assert.deepEqual((await sb.cacheEntries()).filter((e) => !e.startsWith('.')), [STABLE, SELF, CLOUD].sort());

    // The self-hosted cluster turns managed updates off: its record goes, cloud-stable applies.
    w.self.setFind(managed(SELF, { server_version: CLOUD, auto_update: { tools_version: SELF, tools_auto_update: false } }));
    const off = await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`]);
    assert.deepEqual(ours(off), []);
    assert.equal(await record(sb, 'localhost'), undefined);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${w.selfProxy}`]), CLOUD);

    // A cluster older than v17 (no auto_update), 16.0.0-aa: v18 runs for it, two majors ahead: one warning.
    w.self.setFind({ server_version: '16.0.0-aa', min_client_version: '15.0.0', edition: 'oss', proxy: {}, auth: {} });
    const old = await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`]);
    assert.equal(ours(old).length, 1, old.stderr);
    assert.match(old.stderr, /^teleport-tools: warning: tsh v18\.0\.1 is 2 major versions ahead of the cluster localhost \(Teleport v16\.0\.0-aa\).*TELEPORT_TOOLS_VERSION=16\.0\.0/m);

    // follow_cluster_version: the cluster's own server_version is recorded.
    await writeFile(join(sb.teleportHome, 'config', 'tools.yaml'), 'cloud_proxy_suffixes: [".0.0.1"]\nfollow_cluster_version: true\n');
    w.self.setFind({ server_version: SELF, edition: 'oss', proxy: {}, auth: {} });
    const follow = await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`]);
    assert.deepEqual(ours(follow), [`New client tools version for localhost detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await record(sb, 'localhost'), `${SELF}\n`);
  });
});
