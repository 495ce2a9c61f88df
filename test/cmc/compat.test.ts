// Agent/cluster compatibility (RFD 0133) against the proxy's /webapi/ping: the four cases, for setup and
// for start. An incompatible agent never starts.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { assertNothingLeft, cmcStatus, fixture, interrupt, share, tree } from './support.js';

const ping = (server_version: string) => ({ server_version, cluster_name: 'fake.example.com' });

// Each test has its own proxy, answering its own server_version.
describe('compatibility (agent v13.2.3)', { concurrency: true }, () => {
  test('same major (cluster v13.0.0): runs, nothing to say', async (t) => {
    const { sb } = await fixture(t, { ping: ping('13.0.0') });
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /warning/);
    assert.deepEqual((await cmcStatus(sb)).compatibility, { status: 'compatible', agentVersion: '13.2.3', clusterVersion: '13.0.0', message: '' });
  });

  test('one major behind (cluster v14.1.0): runs, and recommends upgrading to the cluster version', async (t) => {
    const { sb } = await fixture(t, { ping: ping('14.1.0') });
    const advice = 'teleport-tools: warning: the agent (v13.2.3) is older than the cluster (v14.1.0); it works, but upgrading to v14.1.0 is recommended (choose the client-tools version with: teleport-tools update --version 14.1.0)\n';
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.startsWith(advice), r.stderr);
    const { run } = await share(sb);
    assert.ok(run.stderr.startsWith(advice), run.stderr);
    await interrupt(run);
    assert.equal((await cmcStatus(sb)).compatibility.status, 'upgrade-recommended');
  });

  test('two majors behind (cluster v15.0.1): setup refuses before any step, recommending an upgrade', async (t) => {
    const { world, sb } = await fixture(t, { ping: ping('15.0.1') });
    const downloads = world.cdn.count(`/${world.release.archiveName}`);
    const r = await sb.cmc(['setup']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'teleport-tools: cannot start the agent: the agent (v13.2.3) is too old for the cluster (v15.0.1), which supports agents from v14.0.0: upgrade to v15.0.1 (choose the client-tools version with: teleport-tools update --version 15.0.1)\n',
    );
    assert.equal(r.stdout, '');
    assert.equal(world.cdn.count(`/${world.release.archiveName}`), downloads);
    assert.deepEqual(await tree(sb.userData), []);
    assert.deepEqual((await sb.cluster.read()).roles['connect-my-computer-alice'], undefined);
    await assertNothingLeft(sb);
  });

  test('a major ahead (cluster v12.3.0): start refuses, recommending a downgrade, and the agent never starts', async (t) => {
    const { world, sb } = await fixture(t, { ping: ping('13.2.3') });
    assert.equal((await sb.cmc(['setup'])).code, 0);
    const log = join(sb.agentDir, 'logs', 'agent.log');
    const before = await readFile(log, 'utf8');
    world.cdn.setPing(ping('12.3.0'));
    const r = await sb.cmc(['start']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'teleport-tools: cannot start the agent: the agent (v13.2.3) is newer than the cluster (v12.3.0), which it cannot join: downgrade to v12.x, the cluster\'s version (choose the client-tools version with: teleport-tools update --version 12.3.0)\n',
    );
    assert.equal(await readFile(log, 'utf8'), before, 'no agent ran');
    const status = await cmcStatus(sb);
    assert.equal(status.compatibility.status, 'too-new');
    assert.equal(status.autoStart, false);
    await assertNothingLeft(sb);
  });
});
