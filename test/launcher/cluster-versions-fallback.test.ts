// Cluster-managed versions (docs/behaviour.md items 11-14) end to end through the real shims: find answers that cannot be used, the fall back to version_url for a Cloud proxy, and the guard that keeps a Cloud user from moving back.
// The servers and the user are cluster-world.ts's.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FIND_PATH, VERSION_PATH } from '../helpers/cdn-server.js';
import { CLOUD, SELF, STABLE, clusterWorld, managed, ours, port, record, runs, stable, user } from './cluster-world.js';

const w = clusterWorld();

describe('cluster-managed versions: unusable answers and version_url', () => {
  test('a find answer that cannot be used: no record written or changed, no warning for a self-hosted proxy, the login runs', async () => {
    const sb = await user(w);
    await mkdir(join(sb.teleportHome, 'cluster-versions'));
    await writeFile(join(sb.teleportHome, 'cluster-versions', 'localhost'), `${STABLE}\n`);
    const cases: [string, () => void][] = [
      ['404 (a cluster older than v17)', () => w.self.unserve(FIND_PATH)],
      ['not JSON', () => w.self.behave(FIND_PATH, { kind: 'body', body: '<html>maintenance</html>' })],
      ['over 64 KiB', () => w.self.behave(FIND_PATH, { kind: 'body', body: JSON.stringify({ ...managed(SELF), pad: 'x'.repeat(70_000) }) })],
      ['redirect to http', () => w.self.behave(FIND_PATH, { kind: 'redirect', location: `http://127.0.0.1:${port(w.self)}${FIND_PATH}` })],
      ['hang', () => w.self.behave(FIND_PATH, { kind: 'hang' })],
      ...['../../x', '17.0.1; rm -rf', '', '1'.repeat(1024), 17].map((v): [string, () => void] => [`tools_version ${JSON.stringify(v).slice(0, 20)}`, () => w.self.setFind(managed(v))]),
    ];
    for (const [name, arrange] of cases) {
      w.self.behave(FIND_PATH, { kind: 'ok' });
      w.self.setFind(managed(SELF));
      arrange();
      const r = await sb.tool('tsh', ['login', `--proxy=${w.selfProxy}`], { TELEPORT_TOOLS_HTTP_TIMEOUT: '1' });
      assert.deepEqual(ours(r), [], name);
      assert.match(r.stderr, /^ERROR: FAKE_TELEPORT_CLUSTER is not set/m, `${name}: tsh login ran`);
      assert.equal(await record(sb, 'localhost'), `${STABLE}\n`, name);
    }
    assert.deepEqual((await sb.cacheEntries()).filter((e) => !e.startsWith('.')), [STABLE]);
  });

  test('a Cloud proxy whose find fails falls back to version_url; a bad answer and a failed version_url make one warning', async () => {
    const sb = await user(w);
    w.cloud.setVersion(`v${SELF}`);
    const r = await sb.tool('tsh', ['login', `--proxy=${w.cloudProxy}`]);
    assert.deepEqual(ours(r), [`New cloud-stable version of Teleport detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await stable(sb), `${SELF}\n`);
    assert.equal(await record(sb, '127.0.0.1'), undefined);

    w.cloud.setFind(managed('../../x'));
    w.cloud.setVersion(undefined);
    const bad = await sb.tool('tsh', ['login', `--proxy=${w.cloudProxy}`]);
    assert.equal(ours(bad).length, 1, bad.stderr);
    assert.match(bad.stderr, /^teleport-tools: warning: could not update tsh\/tctl: .*HTTP 404.*; using the installed version$/m);
    assert.equal(await stable(sb), `${SELF}\n`);

    // The cluster answers: a failed version_url is then no one's business.
    w.cloud.setFind(managed(STABLE));
    const wins = await sb.tool('tsh', ['login', `--proxy=${w.cloudProxy}`]);
    assert.deepEqual(ours(wins), [`New client tools version for 127.0.0.1 detected: v${STABLE}`, `Updated tsh/tctl to version v${STABLE}!`]);
    assert.equal(await stable(sb), `${STABLE}\n`);
  });

  test('a frozen cloud channel never moves a Cloud user back: more than one major behind the cluster is not adopted, with one warning; the guard uses the record when find fails', async () => {
    const sb = await user(w);
    assert.equal((await sb.cli(['update', '--version', CLOUD])).code, 0);
    const unmanaged = { server_version: CLOUD, min_client_version: '17.0.0', cluster_name: 'acme', edition: 'oss', proxy: {}, auth: {} };
    w.cloud.setFind(unmanaged);
    w.cloud.setVersion('v14.4.1');
    w.cloud.requests.length = 0;
    const frozen = await sb.tool('tsh', ['login', `--proxy=${w.cloudProxy}`]);
    assert.deepEqual(ours(frozen).length, 1, frozen.stderr);
    assert.match(frozen.stderr, /^teleport-tools: warning: not adopting v14\.4\.1 from version_url: it is 4 major versions behind the cluster 127\.0\.0\.1 \(Teleport v18\.0\.1\); keeping the installed version/m);
    assert.match(frozen.stderr, /^ERROR: FAKE_TELEPORT_CLUSTER is not set/m, 'tsh login ran');
    assert.deepEqual(w.cloud.requests.map((q) => q.path), [FIND_PATH, VERSION_PATH], 'the cluster first');
    assert.equal(await stable(sb), `${CLOUD}\n`);
    assert.equal(await runs(sb, 'tsh', [`--proxy=${w.cloudProxy}`]), CLOUD, 'the login runs with the cluster\'s version');

    // One major behind is within what the cluster supports: adopted as before.
    w.cloud.setVersion(`v${SELF}`);
    const near = await sb.tool('tsh', ['login', `--proxy=${w.cloudProxy}`]);
    assert.deepEqual(ours(near), [`New cloud-stable version of Teleport detected: v${SELF}`, `Updated tsh/tctl to version v${SELF}!`]);
    assert.equal(await stable(sb), `${SELF}\n`);

    // The cluster does not answer (a hang past the time limit): its record is the last thing known of it.
    await mkdir(join(sb.teleportHome, 'cluster-versions'));
    await writeFile(join(sb.teleportHome, 'cluster-versions', '127.0.0.1'), `${CLOUD}\n`);
    w.cloud.behave(FIND_PATH, { kind: 'hang' });
    w.cloud.setVersion('v14.4.1');
    const silent = await sb.tool('tsh', ['login', `--proxy=${w.cloudProxy}`], { TELEPORT_TOOLS_HTTP_TIMEOUT: '1' });
    assert.deepEqual(ours(silent).length, 1, silent.stderr);
    assert.match(silent.stderr, /^teleport-tools: warning: not adopting v14\.4\.1 from version_url: it is 4 major versions behind the cluster 127\.0\.0\.1 \(Teleport v18\.0\.1\)/m);
    assert.equal(await stable(sb), `${SELF}\n`);
    assert.equal(await record(sb, '127.0.0.1'), `${CLOUD}\n`, 'the record stays');
    assert.equal(w.cloud.requests.filter((q) => q.path.includes('14.4.1')).length, 0, 'nothing of v14.4.1 downloaded');
  });
});
