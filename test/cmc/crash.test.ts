// SIGKILL of `cmc setup` at each of its crash points (TELEPORT_TOOLS_TEST_CRASH_AT), then a rerun
// completes: every step is restartable, and an agent left by the killed run is stopped by its watchdog.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { World } from './support.js';
import { assertNothingLeft, createCmcSandbox, startWorld, waitGone } from './support.js';

let world: World;
before(async () => {
  world = await startWorld();
});
after(() => world.close());

const POINTS = ['cmc-role', 'cmc-agent-downloaded', 'cmc-config-written', 'cmc-agent-started'] as const;

describe('cmc setup killed at a crash point', { concurrency: true }, () => {
  for (const point of POINTS) {
    test(`${point}: the rerun completes`, async (t) => {
      const sb = await createCmcSandbox(world);
      t.after(() => sb.remove());
      const killed = await sb.cmc(['setup'], { TELEPORT_TOOLS_TEST_CRASH_AT: point });
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      if (point === 'cmc-agent-started') {
        const record = JSON.parse(await readFile(join(sb.agentDir, 'teleport-tools-run.json'), 'utf8')) as { agentPid: number };
        const log = await readFile(join(sb.agentDir, 'logs', 'agent.log'), 'utf8');
        assert.match(log, new RegExp(`started the agent \\(pid ${record.agentPid}\\)`), 'the agent had started');
        const ms = await waitGone(record.agentPid, 2000);
        t.diagnostic(`the killed setup's agent was gone after ${ms} ms`);
      }
      await assertNothingLeft(sb, { runRecord: true });
      const again = await sb.cmc(['setup']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /Setup complete/);
      const cluster = await sb.cluster.read();
      assert.equal(Object.keys(cluster.nodes).length, 1);
      assert.deepEqual(cluster.users.alice?.roles, ['access', 'editor', 'connect-my-computer-alice']);
      await assertNothingLeft(sb);
    });
  }
});
