// `cmc remove`, and what `tsh logout` and `tsh login` through the launcher do for Connect My Computer.
import assert from 'node:assert/strict';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CmcSandbox, World } from './support.js';
import { assertNothingLeft, interrupt, isAlive, profileState, setUpSandbox, share, standInAgent, startWorld } from './support.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const ROLE = 'connect-my-computer-alice';
const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

const setUp = (t: { after: (fn: () => Promise<void>) => void }): Promise<CmcSandbox> => setUpSandbox(world, t);

describe('cmc remove', { concurrency: true }, () => {
  test('stops sharing, deletes the agent directory and the node, clears state; keeps the role and the binary', async (t) => {
    const sb = await setUp(t);
    const { run, agentPid } = await share(sb);
    const uuid = Object.keys((await sb.cluster.read()).nodes)[0];
    const r = await sb.cmc(['remove']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), [
      `Stopped the agent (pid ${agentPid}).`,
      `Deleted the agent directory ${sb.agentDir}.`,
      `Deleted node ${uuid} from the cluster.`,
      `Removed Connect My Computer from ${sb.profile}. The role ${ROLE} and the agent binary are kept for a later setup.`,
    ]);
    assert.equal((await run.exited).code, 0);
    assert.equal(isAlive(agentPid), false);
    const cluster = await sb.cluster.read();
    assert.deepEqual(cluster.nodes, {});
    assert.ok(cluster.roles[ROLE]);
    assert.ok(await exists(join(sb.connectCache, 'teleport', 'teleport')));
    assert.equal(await exists(sb.agentDir), false);
    assert.equal(await profileState(sb), undefined);
    await assertNothingLeft(sb);
  });

  test('without permission to delete nodes: explains, says the node may stay visible, still removes the rest', async (t) => {
    const sb = await setUp(t);
    await sb.cluster.setFaults({ denyNodeDelete: true });
    const uuid = Object.keys((await sb.cluster.read()).nodes)[0] ?? '';
    const r = await sb.cmc(['remove']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      `teleport-tools: warning: could not delete node ${uuid} from the cluster: you lack permission to delete nodes (access denied to perform action "delete" on "node"). ` +
        `It may stay visible for a few minutes, until its last heartbeat expires; an admin can delete it now with: tctl rm node/${uuid}\n`,
    );
    assert.match(r.stdout, /Removed Connect My Computer/);
    assert.ok((await sb.cluster.read()).nodes[uuid], 'the node is still listed');
    assert.equal(await exists(sb.agentDir), false);
    assert.equal(await profileState(sb), undefined);
    await assertNothingLeft(sb);
  });
});

describe('tsh logout through the launcher', { concurrency: true }, () => {
  test('stops the agent and deletes the agent directory before logging out', async (t) => {
    const sb = await setUp(t);
    const { run, agentPid } = await share(sb);
    const r = await sb.tool('tsh', ['logout']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Logged out all users from all proxies\./, 'the real tsh logout ran');
    assert.match(r.stderr, new RegExp(`Stopped sharing this computer with ${sb.profile.replaceAll('.', '\\.')} \\(Connect My Computer\\) before logging out\\.`));
    assert.equal((await run.exited).code, 0);
    assert.equal(isAlive(agentPid), false);
    assert.equal(await exists(sb.agentDir), false);
    assert.equal(await profileState(sb), undefined);
    assert.equal(await exists(join(sb.teleportHome, 'current-profile')), false);
    await assertNothingLeft(sb);
  });

  test('--proxy: only that profile; other profiles keep their agent directory', async (t) => {
    const sb = await setUp(t);
    const other = join(sb.userData, 'agents', 'other.example.com');
    await mkdir(other, { recursive: true });
    await writeFile(join(other, 'config.yaml'), 'version: v3\n');
    const r = await sb.tool('tsh', ['logout', `--proxy=${world.proxy}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await exists(sb.agentDir), false);
    assert.ok(await exists(join(other, 'config.yaml')));
    await assertNothingLeft(sb);
  });
});

describe("tsh logout beside Teleport Connect's agent", () => {
  test('leaves the agent directory Connect runs from alone, says so, and logs out', async (t) => {
    const sb = await setUp(t);
    const connect = standInAgent(t, join(sb.agentDir, 'config.yaml'));
    await connect.waitFor(/ready/);
    const r = await sb.tool('tsh', ['logout']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Logged out all users from all proxies\./, 'the real tsh logout ran');
    assert.ok(
      r.stderr.split('\n').includes(`teleport-tools: warning: left ${sb.agentDir} alone: Teleport Connect's agent (pid ${connect.pid}) is sharing this computer with ${sb.profile} from it; stop sharing in Teleport Connect to remove it`),
      r.stderr,
    );
    assert.ok(await exists(join(sb.agentDir, 'config.yaml')), 'the agent directory is still there');
    assert.equal((await profileState(sb))?.setupCompleted, true, 'its state too');
    assert.ok(isAlive(connect.pid), 'never signalled');
  });
});

describe('tsh login through the launcher', () => {
  test('reminds once that sharing was on when autoStart is set, and is quiet after cmc stop', async (t) => {
    const sb = await setUp(t);
    await interrupt((await share(sb)).run);
    const reminder = `Connect My Computer was sharing this computer with ${sb.profile}; to share it again, run: teleport-tools cmc start`;
    let r = await sb.tool('tsh', ['login', `--proxy=${world.proxy}`, '--user=alice']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.split('\n').filter((l) => l === reminder).length, 1, r.stderr);
    assert.match(r.stdout, /Logged in as:\s+alice/);
    assert.equal(await exists(join(sb.agentDir, 'teleport-tools-run.json')), false, 'the agent was not started');

    assert.equal((await sb.cmc(['stop'])).code, 0);
    r = await sb.tool('tsh', ['login', `--proxy=${world.proxy}`, '--user=alice']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Connect My Computer/);
    await assertNothingLeft(sb);
  });
});
